"""``workbridge import`` / ``export`` (bulk CSV and JSON Lines) and ``workbridge demo seed``.

Exit codes: 0 success, 1 the data was refused (every error is printed, masked; nothing
was imported), 2 usage errors (unknown kind, missing file, unknown format). Imports and
seeding run as jobs (:mod:`matcher.jobs`): waited for by default, ``--no-wait`` prints the
job id (``workbridge jobs show ID``).
"""

from __future__ import annotations

import getpass
import sys
from pathlib import Path

import click

from matcher.cli.context import pass_runtime
from matcher.cli.jobs_cmds import KEY, WAIT, start_job
from matcher.dataio import KINDS, FileFormatError, export_file
from matcher.dataio.readers import FORMATS, detect_format
from matcher.jobs.handlers import file_digest
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
@KEY
@WAIT
def import_cmd(kind: str, file: Path, fmt: str | None, quiet: bool, max_errors: int,
               key: str | None, wait: bool) -> None:
    """Import KIND (enterprises, vacancies, seekers, surplus) from FILE: all rows or none.

    The import runs as a job (on a worker when WORKBRIDGE_BROKER_URL is set: FILE must be
    readable there at the same path).
    """
    _check_format(file, fmt)
    params = {"kind": kind, "path": str(file.resolve()), "format": fmt,
              "sha256": file_digest(file), "actor": _actor()}
    job = start_job("import", params, key=key, wait=wait, quiet=quiet)
    if job is None:
        return
    result = job.result or {}
    if job.status != "succeeded":
        errors = result.get("errors", [])
        for err in errors[:max_errors]:
            click.echo(f"{file.name}: {err}", err=True)
        hidden = int(result.get("error_count", len(errors))) - max_errors
        if hidden > 0:
            click.echo(f"... and {hidden} more", err=True)
        where = "" if errors else f"{file.name}: "
        click.echo(f"error: {where}{job.error}", err=True)
        raise click.exceptions.Exit(1)
    click.echo(result.get("summary", ""))


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
@KEY
@WAIT
def seed_cmd(seed: int, size: int, quiet: bool, key: str | None, wait: bool) -> None:
    """Fill an EMPTY database with a believable Beijing; on a non-empty one, do nothing."""
    job = start_job("demo_seed", {"seed": seed, "size": size}, key=key, wait=wait,
                    quiet=quiet)
    if job is None:
        return
    if job.status != "succeeded":
        click.echo(f"error: {job.error}", err=True)
        raise click.exceptions.Exit(1)
    click.echo((job.result or {}).get("message", ""))
