"""``workbridge index build|status|prune-changes``: rebuild the FAISS indexes from the database,
inspect them, prune the change log they have applied."""

from __future__ import annotations

import sys
import time
from datetime import timedelta

import click
from sqlalchemy import select

from matcher.cli.context import pass_runtime
from matcher.index import changes, store
from matcher.index.kinds import KINDS
from matcher.index.registry import get_registry
from matcher.models import IndexState
from matcher.runtime import Runtime


@click.group("index")
def index() -> None:
    """Vector indexes of vacancies and people (WORKBRIDGE_INDEX_DIR)."""


def _kinds(kind: str) -> list[str]:
    return list(KINDS) if kind == "all" else [kind]


@index.command("build")
@click.option("--kind", type=click.Choice(["all", *KINDS]), default="all", show_default=True)
@click.option("--reembed", is_flag=True,
              help="Encode every row again (default: only rows without a stored vector).")
@click.option("--quiet", is_flag=True, help="No progress bar.")
@pass_runtime
def build_cmd(rt: Runtime, kind: str, reembed: bool, quiet: bool) -> None:
    """Build indexes from the database's stored vectors, encoding only rows whose text has
    none (written beside, then swapped in atomically); then prune the change log."""
    registry = get_registry(rt)
    show = not quiet and sys.stderr.isatty()
    for name in _kinds(kind):
        started = time.perf_counter()
        live = registry.rebuild(name, progress=show, reembed=reembed)
        facts = registry.describe(name)
        click.echo(f"{name}: {facts['count']} vectors, {facts['index_type']}, "
                   f"encoder {facts['encoder']}, version {facts['version']}, "
                   f"{live.encoded} texts encoded, {time.perf_counter() - started:.1f} s")
        registry.prune_changes(name)


@index.command("prune-changes")
@click.option("--kind", type=click.Choice(["all", *KINDS]), default="all", show_default=True)
@click.option("--keep-hours", type=click.FloatRange(min=0), show_default=True,
              default=changes.RETENTION.total_seconds() / 3600,
              help="Keep change rows younger than this whatever the indexes reflect.")
@pass_runtime
def prune_cmd(rt: Runtime, kind: str, keep_hours: float) -> None:
    """Delete change-log rows that the saved index files reflect (an older index catches up
    by a full sync instead)."""
    registry = get_registry(rt)
    for name in _kinds(kind):
        pruned = registry.prune_changes(name, keep=timedelta(hours=keep_hours))
        click.echo(f"{name}: {pruned} change rows pruned")


@index.command("status")
@pass_runtime
def status_cmd(rt: Runtime) -> None:
    """Show each index file's sidecar, the version the database records, and row counts."""
    folder = rt.settings.index_dir
    with rt.uow() as uow:
        versions = {s.kind: s.version for s in uow.s.scalars(select(IndexState))}
        members = {name: len(spec.member_keys(uow.s)) for name, spec in KINDS.items()}
    click.echo(f"index folder: {folder} (configured type {rt.settings.index_type}, "
               f"encoder {rt.settings.encoder})")
    for name in KINDS:
        version = versions.get(name)
        recorded = f"version {version}" if version is not None else "no version recorded"
        try:
            meta = store.read_sidecar(folder, name)
            path, _ = store.paths(folder, name)
            size = path.stat().st_size if path.exists() else None
            note = "" if size == meta.file_bytes else " (FILE MISSING OR DAMAGED)"
            click.echo(f"{name}: file version {meta.version}, {meta.count} vectors, "
                       f"{meta.index_type}, {meta.encoder} {meta.encoder_version}, dim "
                       f"{meta.dim}, saved {meta.saved_at}{note}; database: {recorded}, "
                       f"{members[name]} rows to index")
        except store.IndexFileProblem as problem:
            click.echo(f"{name}: {problem.reason}; database: {recorded}, "
                       f"{members[name]} rows to index")
