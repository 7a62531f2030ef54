"""``workbridge import social-insurance FILE``: the bureau's monthly social-insurance file.

``workbridge import`` stays the bulk import of :mod:`matcher.cli.data_cmds` for its kinds;
the kind ``social-insurance`` is this module's command, which records every row through
the ``import_social_insurance`` action (all rows or none; exit 1 lists the bad rows).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from matcher.applications import actions
from matcher.applications.si_import import read_csv
from matcher.cli.context import perform
from matcher.cli.data_cmds import import_cmd
from matcher.errors import DomainError


class ImportCommands(click.Group):
    """``import KIND FILE``: ``social-insurance`` here, every other kind the bulk import."""

    def resolve_command(self, ctx: click.Context,
                        args: list[str]) -> tuple[str | None, click.Command | None, list[str]]:
        """Dispatch on the first argument."""
        if args and args[0] in self.commands:
            return super().resolve_command(ctx, args)
        return "", import_cmd, args


@click.group("import", cls=ImportCommands, help=import_cmd.help)
def import_group() -> None:
    """Import KIND from FILE (see ``import KIND --help``)."""


@import_group.command("social-insurance")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def social_insurance(file: Path) -> None:
    """Record social-insurance months per placement from a CSV FILE (all rows or none).

    Columns: ``placement_id`` or ``seeker_external_id`` and ``vacancy_external_id``; and
    ``months``.
    """
    with file.open(encoding="utf-8-sig", newline="") as fh:
        rows = read_csv(fh)
    try:
        done: list[Any] = perform(actions.import_social_insurance, rows)
    except DomainError as exc:
        for where, problems in exc.fields.items():
            click.echo(f"{file.name}: {where}: {'; '.join(problems)}", err=True)
        click.echo(f"error: {exc.message}", err=True)
        raise click.exceptions.Exit(1) from None
    click.echo(f"social insurance: {len(done)} placements recorded")
