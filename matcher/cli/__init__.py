"""The ``workbridge`` command line: one click group, commands in feature modules.

Faults outside the command's control end with a one-line message and exit code 1 instead
of a traceback: an index that cannot be written (disk full; the old index stays) and a
database that stays locked past ``WORKBRIDGE_DB_LOCK_TIMEOUT``.
"""

from __future__ import annotations

import logging

import click

from matcher.cli.applications_cmds import import_group
from matcher.cli.bureau_cmds import bureau
from matcher.cli.context import pass_runtime  # noqa: F401  (re-exported for feature modules)
from matcher.cli.data_cmds import demo, export_cmd
from matcher.cli.db_cmds import db
from matcher.cli.index_cmds import index
from matcher.cli.jobs_cmds import jobs
from matcher.cli.lending_cmds import lending
from matcher.cli.match_cmds import match_cmd
from matcher.cli.subsidy_cmds import subsidy
from matcher.cli.users_cmds import users
from matcher.faults import busy_reason, is_database_busy
from matcher.index.store import IndexSaveError
from matcher.pii import MaskingFilter

log = logging.getLogger(__name__)


class Workbridge(click.Group):
    """The root group: turns known faults into a clear message and exit code 1."""

    def invoke(self, ctx: click.Context) -> object:
        """Run the command; report a failed index save or a busy database without a trace."""
        try:
            return super().invoke(ctx)
        except IndexSaveError as exc:
            log.debug("index save failed", exc_info=True)
            raise click.ClickException(f"index not saved: {exc.reason}") from exc
        except Exception as exc:
            if not is_database_busy(exc):
                raise
            raise click.ClickException(
                f"the database is busy ({busy_reason(exc)}); the transaction in progress was "
                f"rolled back, try again") from exc


@click.group(cls=Workbridge)
@click.option("-v", "--verbose", count=True, help="More log output (-v info, -vv debug).")
def main(verbose: int) -> None:
    """workbridge: job matching and shared employment for a city labor bureau."""
    level = logging.WARNING - 10 * min(verbose, 2)
    handler = logging.StreamHandler()
    handler.addFilter(MaskingFilter())
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    logging.basicConfig(level=level, handlers=[handler], force=True)


for _command in (db, import_group, export_cmd, demo, index, match_cmd, lending, subsidy, bureau,
                 users, jobs):
    main.add_command(_command)
