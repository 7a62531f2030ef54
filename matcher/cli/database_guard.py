"""The CLI never creates an empty database by accident.

Without ``WORKBRIDGE_DATABASE_URL`` the settings point at the default SQLite file
(``instance/workbridge.db``); SQLite would create it, empty, on first connection, and the
command would then fail oddly or, worse, report nothing to do. Only the commands that are
meant to start a database (``db upgrade``, ``demo seed``) may create it; every other command
stops with exit code 1 and says what to set.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

import click
from sqlalchemy.engine import make_url

from matcher.config import Settings

#: command paths (after the program name) that may start the default database
CREATES_DATABASE = frozenset({("db", "upgrade"), ("demo", "seed")})
ENV_VAR = "WORKBRIDGE_DATABASE_URL"


def missing_default_database(settings: Settings, environ: Mapping[str, str] | None = None
                             ) -> Path | None:
    """The default SQLite file when no URL is configured and the file does not exist."""
    env = os.environ if environ is None else environ
    if env.get(ENV_VAR):
        return None
    url = make_url(settings.database_url)
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        return None
    path = Path(url.database)
    return None if path.exists() else path


def check_database(settings: Settings, command_path: str,
                   environ: Mapping[str, str] | None = None) -> None:
    """Refuse (``click.ClickException``, exit 1) a command that would create an empty database."""
    path = missing_default_database(settings, environ)
    words = tuple(command_path.split()[1:3])
    if path is None or words in CREATES_DATABASE:
        return
    raise click.ClickException(
        f"no database: {ENV_VAR} is not set and the default database {path} does not exist. "
        f"Set {ENV_VAR} (e.g. sqlite:////srv/workbridge.db or "
        f"postgresql+psycopg://user@host/db), or create the default one with "
        f"`workbridge db upgrade` (and `workbridge demo seed` for the demo city).")
