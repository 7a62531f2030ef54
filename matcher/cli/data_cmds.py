"""``workbridge import`` / ``export`` (bulk CSV and JSON Lines) and ``workbridge demo seed``.

Exit codes: 0 success, 1 the data was refused (every error is printed, masked; nothing
was imported), 2 usage errors (unknown kind, missing file, unknown format).
"""

from __future__ import annotations

import getpass
import sys
from pathlib import Path

import click

from matcher.cli.context import pass_runtime
from matcher.dataio import KINDS, FileFormatError, ImportFailed, export_file, import_file
from matcher.dataio.readers import FORMATS, detect_format
from matcher.demo.seed import seed_demo
from matcher.errors import DomainError
from matcher.pii import mask_text
from matcher.runtime import Runtime


def _actor() -> str:
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):
        return "cli"


def _progress(quiet: bool) -> bool:
    return not quiet and sys.stderr.isatty()


def _check_format(path: Path, fmt: str | None) -> None:
    try:
        detect_format(path, fmt)
    except FileFormatError as exc:
        raise click.UsageError(str(exc)) from None


@click.command("import")
@click.argument("kind", type=click.Choice(KINDS))
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(FORMATS),
              help="File format; default: from the extension (.csv, .jsonl, .json).")
@click.option("--quiet", "-q", is_flag=True, help="No progress bar.")
@click.option("--max-errors", default=100, show_default=True,
              help="Print at most this many errors (all are counted).")
@pass_runtime
def import_cmd(rt: Runtime, kind: str, file: Path, fmt: str | None, quiet: bool,
               max_errors: int) -> None:
    """Import KIND (enterprises, vacancies, seekers, surplus) from FILE: all rows or none."""
    _check_format(file, fmt)
    try:
        summary = import_file(rt, kind, file, fmt, progress=_progress(quiet), actor=_actor())
    except ImportFailed as exc:
        for err in exc.errors[:max_errors]:
            click.echo(f"{file.name}: {err}", err=True)
        hidden = len(exc.errors) - max_errors
        if hidden > 0:
            click.echo(f"... and {hidden} more", err=True)
        click.echo(f"error: {exc.message}", err=True)
        raise click.exceptions.Exit(1) from None
    except (FileFormatError, DomainError) as exc:
        click.echo(f"error: {file.name}: {mask_text(str(exc))}", err=True)
        raise click.exceptions.Exit(1) from None
    click.echo(str(summary))


@click.command("export")
@click.argument("kind", type=click.Choice(KINDS))
@click.argument("file", type=click.Path(dir_okay=False, writable=True, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(FORMATS),
              help="File format; default: from the extension (.csv, .jsonl, .json).")
@click.option("--include-pii", is_flag=True,
              help="Seekers: write ID numbers and phones in clear (audited). Default: masked.")
@click.option("--bom", is_flag=True, help="CSV: start with a UTF-8 BOM (for Excel).")
@click.option("--quiet", "-q", is_flag=True, help="No progress bar.")
@pass_runtime
def export_cmd(rt: Runtime, kind: str, file: Path, fmt: str | None, include_pii: bool,
               bom: bool, quiet: bool) -> None:
    """Export every KIND row to FILE in the import format (export -> import round-trips)."""
    _check_format(file, fmt)
    count = export_file(rt, kind, file, fmt, include_pii=include_pii, bom=bom,
                        progress=_progress(quiet), actor=_actor())
    note = " (ID numbers and phones in clear)" if include_pii and kind == "seekers" else ""
    click.echo(f"{kind}: {count} rows written to {file}{note}")


@click.group()
def demo() -> None:
    """The demo city (Beijing)."""


@demo.command("seed")
@click.option("--seed", default=42, show_default=True, help="Random seed: same seed, same data.")
@click.option("--size", default=400, show_default=True, type=click.IntRange(1, 1_000_000),
              help="Number of vacancies; enterprises scale with it, people more slowly.")
@click.option("--quiet", "-q", is_flag=True, help="No progress bar.")
@pass_runtime
def seed_cmd(rt: Runtime, seed: int, size: int, quiet: bool) -> None:
    """Fill an EMPTY database with a believable Beijing; on a non-empty one, do nothing."""
    try:
        result = seed_demo(rt, seed=seed, size=size, progress=_progress(quiet))
    except DomainError as exc:
        click.echo(f"error: {mask_text(exc.message)}", err=True)
        raise click.exceptions.Exit(1) from None
    click.echo(result.message)
