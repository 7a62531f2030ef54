"""``workbridge jobs``: bulk work on the job queue (show, list, wait, rebuild, reembed).

Commands that start bulk work (imports, ``demo seed``, the daily desk jobs, and the
commands here) submit a job and by default wait for it, with a progress bar fed from the
job's recorded progress; ``--no-wait`` prints the job id and returns at once. With no
broker configured (WORKBRIDGE_BROKER_URL) the job runs in this process before the wait.
"""

from __future__ import annotations

import json
import sys
import time
from typing import Any

import click
from tqdm import tqdm

from matcher.cli.context import perform, read
from matcher.errors import DomainError
from matcher.index.kinds import KINDS as INDEX_KINDS
from matcher.jobs import actions, queries
from matcher.jobs.records import JobView

POLL = 0.5
KEY = click.option("--key", help="Job key: submitting the same key again returns that job "
                                 "(a failed one runs again). Default: a new key.")
WAIT = click.option("--wait/--no-wait", default=True, show_default=True,
                    help="Wait for the job, showing progress; --no-wait prints its id.")


def _show_bar(quiet: bool) -> bool:
    return not quiet and sys.stderr.isatty()


def wait_for(job: JobView, *, quiet: bool = False, poll: float = POLL) -> JobView:
    """Poll the job until it has finished, drawing a progress bar on a terminal."""
    bar = tqdm(total=job.total, desc=job.kind, unit=" steps", disable=not _show_bar(quiet),
               leave=False)
    try:
        while True:
            job = read(queries.job_detail, job.id)
            if job.total is not None and bar.total != job.total:
                bar.total = job.total
            bar.n = job.done
            bar.refresh()
            if job.finished:
                return job
            time.sleep(poll)
    except KeyboardInterrupt:
        click.echo(f"\njob {job.id} goes on; see `workbridge jobs show {job.id}`", err=True)
        raise click.exceptions.Exit(130) from None
    finally:
        bar.close()


def start_job(kind: str, params: dict[str, Any], *, key: str | None, wait: bool,
              quiet: bool = False) -> JobView | None:
    """Submit a job; wait for it (the finished job) or print its id (None)."""
    try:
        job = perform(actions.submit_job, kind, params, key)
    except DomainError as exc:
        click.echo(f"error: {exc.message}", err=True)
        raise click.exceptions.Exit(1) from None
    if not wait:
        click.echo(f"job {job.id} ({job.kind}) {job.status}: {job.key}")
        return None
    return wait_for(job, quiet=quiet)


def fail_exit(job: JobView) -> None:
    """Print a failed job's error and exit with status 1."""
    click.echo(f"error: job {job.id} ({job.kind}) failed: {job.error}", err=True)
    raise click.exceptions.Exit(1)


def _describe(job: JobView) -> str:
    total = "?" if job.total is None else str(job.total)
    lines = [f"job {job.id} {job.kind} [{job.status}] {job.done}/{total}",
             f"  key: {job.key}", f"  params: {json.dumps(job.params, ensure_ascii=False)}",
             f"  attempts: {job.attempts}, by {job.created_by or '-'}",
             f"  created {job.created_at:%Y-%m-%d %H:%M:%S}"
             + (f", finished {job.finished_at:%Y-%m-%d %H:%M:%S}" if job.finished_at else "")]
    if job.result is not None:
        lines.append(f"  result: {json.dumps(job.result, ensure_ascii=False)[:2000]}")
    if job.error:
        lines.append(f"  error: {job.error}")
    return "\n".join(lines)


@click.group("jobs")
def jobs() -> None:
    """Background jobs: status, progress, and bulk index work."""


@jobs.command("show")
@click.argument("job_id", type=int)
@click.option("--wait", is_flag=True, help="Wait until it has finished.")
def show_cmd(job_id: int, wait: bool) -> None:
    """Show one job: status, progress, result or error."""
    try:
        job = read(queries.job_detail, job_id)
    except DomainError as exc:
        click.echo(f"error: {exc.message}", err=True)
        raise click.exceptions.Exit(1) from None
    if wait:
        job = wait_for(job)
    click.echo(_describe(job))
    for chunk in read(queries.job_chunks, job_id)[:50]:
        click.echo(f"    chunk {chunk.id} [{chunk.status}] {chunk.done}/{chunk.total} "
                   f"{chunk.params.get('first')}..{chunk.params.get('last')}")


@jobs.command("list")
@click.option("--status", type=click.Choice(["queued", "running", "succeeded", "failed"]))
@click.option("--kind", type=click.Choice(actions.SUBMITTABLE))
@click.option("--limit", type=click.IntRange(1, 100), default=20, show_default=True)
def list_cmd(status: str | None, kind: str | None, limit: int) -> None:
    """List jobs, newest first (chunks of split jobs are shown under `jobs show`)."""
    page = read(queries.job_list, 1, limit, status, kind)
    for job in page.items:
        total = "?" if job.total is None else job.total
        click.echo(f"{job.id:>6} {job.kind:<13} {job.status:<9} {job.done}/{total} "
                   f"{job.created_at:%Y-%m-%d %H:%M} {job.key}")
    click.echo(f"{page.total} job(s)")


@jobs.command("requeue")
@click.argument("job_id", type=int)
@WAIT
def requeue_cmd(job_id: int, wait: bool) -> None:
    """Hand a queued job (its message lost) or a failed one to a worker again."""
    try:
        job = perform(actions.requeue_job, job_id)
    except DomainError as exc:
        click.echo(f"error: {exc.message}", err=True)
        raise click.exceptions.Exit(1) from None
    if wait:
        job = wait_for(job)
    click.echo(_describe(job))


@jobs.command("rebuild")
@click.option("--kind", type=click.Choice(["all", *INDEX_KINDS]), default="all",
              show_default=True)
@KEY
@WAIT
def rebuild_cmd(kind: str, key: str | None, wait: bool) -> None:
    """Rebuild the FAISS indexes from stored vectors, as a job (on a worker if any)."""
    job = start_job("index_build", {"kind": kind}, key=key, wait=wait)
    if job is None:
        return
    if job.status != "succeeded":
        fail_exit(job)
    for name, facts in (job.result or {}).get("indexes", {}).items():
        click.echo(f"{name}: {facts['count']} vectors, {facts['index_type']}, "
                   f"encoder {facts['encoder']}, version {facts['version']}")


@jobs.command("reembed")
@click.option("--kind", type=click.Choice(["all", *INDEX_KINDS]), default="all",
              show_default=True)
@click.option("--force", is_flag=True, help="Encode every member again, not only changed texts.")
@click.option("--chunk", type=click.IntRange(1, 100_000),
              help="Keys per chunk (default WORKBRIDGE_JOB_CHUNK).")
@KEY
@WAIT
def reembed_cmd(kind: str, force: bool, chunk: int | None, key: str | None,
                wait: bool) -> None:
    """Embed texts with no stored vector (--force: all), in chunks any worker takes."""
    for name in list(INDEX_KINDS) if kind == "all" else [kind]:
        job = start_job("reembed", {"kind": name, "force": force, "chunk": chunk},
                        key=f"{key}:{name}" if key else None, wait=wait)
        if job is None:
            continue
        if job.status != "succeeded":
            fail_exit(job)
        result = job.result or {}
        click.echo(f"{name}: {result.get('encoded', 0)} texts encoded in "
                   f"{result.get('chunks', 0)} chunk(s) (job {job.id})")
