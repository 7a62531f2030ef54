"""The ``workbridge`` command line: one click group, commands in feature modules."""

from __future__ import annotations

import logging

import click

from matcher.cli.applications_cmds import import_group
from matcher.cli.bureau_cmds import bureau
from matcher.cli.context import pass_runtime  # noqa: F401  (re-exported for feature modules)
from matcher.cli.data_cmds import demo, export_cmd
from matcher.cli.db_cmds import db
from matcher.cli.index_cmds import index
from matcher.cli.lending_cmds import lending
from matcher.cli.match_cmds import match_cmd
from matcher.cli.subsidy_cmds import subsidy
from matcher.cli.users_cmds import users
from matcher.pii import MaskingFilter


@click.group()
@click.option("-v", "--verbose", count=True, help="More log output (-v info, -vv debug).")
def main(verbose: int) -> None:
    """workbridge: job matching and shared employment for a city labor bureau."""
    level = logging.WARNING - 10 * min(verbose, 2)
    handler = logging.StreamHandler()
    handler.addFilter(MaskingFilter())
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    logging.basicConfig(level=level, handlers=[handler], force=True)


for _command in (db, import_group, export_cmd, demo, index, match_cmd, lending, subsidy, bureau,
                 users):
    main.add_command(_command)
