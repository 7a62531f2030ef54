"""``workbridge db``: apply and roll back the migration chain."""

from __future__ import annotations

import click
from sqlalchemy.engine import make_url

from matcher import migrate
from matcher.cli.context import pass_runtime
from matcher.runtime import Runtime


@click.group()
def db() -> None:
    """Database schema commands."""


@db.command("upgrade")
@click.option("--revision", default="head", show_default=True)
@pass_runtime
def upgrade_cmd(rt: Runtime, revision: str) -> None:
    """Apply migrations to WORKBRIDGE_DATABASE_URL (creating a SQLite file if needed)."""
    migrate.upgrade(rt.settings.database_url, revision)
    click.echo(f"database at {_safe(rt.settings.database_url)} is at {revision}")


@db.command("downgrade")
@click.option("--revision", default="base", show_default=True)
@click.confirmation_option(prompt="Drop workbridge tables?")
@pass_runtime
def downgrade_cmd(rt: Runtime, revision: str) -> None:
    """Roll the schema back to REVISION (default: empty)."""
    migrate.downgrade(rt.settings.database_url, revision)
    click.echo(f"database downgraded to {revision}")


def _safe(url: str) -> str:

    return make_url(url).render_as_string(hide_password=True)
