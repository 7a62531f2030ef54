"""Re-embedding split into chunks (key ranges) that any worker on any machine takes.

The ``reembed`` job plans once: it cuts the keys to embed (those whose current text has no
stored vector under the current encoder; ``force``: every member) into ranges of
``WORKBRIDGE_JOB_CHUNK`` keys and adds one ``reembed_chunk`` child job per range, all in one
transaction, then enqueues them and returns. Each chunk encodes its range through
:func:`matcher.index.vector_store.embed_and_store` (which commits itself) in small
batches, reporting progress; the last chunk to finish finishes the parent. A chunk run
again after its worker died skips what is already stored (``force``: stores the same
vectors again), so nothing is lost and nothing is duplicated.
"""

from __future__ import annotations

import logging

from sqlalchemy.orm import Session

from matcher.index import vector_store
from matcher.index.kinds import KINDS as INDEX_KINDS
from matcher.jobs import records
from matcher.jobs.context import WAITING, JobContext, Result
from matcher.models import JobStatus

log = logging.getLogger(__name__)
BATCH = 64  # keys per embed_and_store call inside a chunk (one progress step each)


def _pending(ctx: JobContext, kind: str, force: bool) -> list[int]:
    """The keys to embed: members with no stored vector of their text (``force``: all)."""
    with ctx.rt.uow() as uow:
        if force:
            return _members(uow.s, kind, None, None)
        eid = vector_store.encoder_id(ctx.rt.encoder)
        return vector_store.pending_keys(uow.s, kind, eid)


def _members(s: Session, kind: str, first: int | None, last: int | None) -> list[int]:
    keys = sorted(int(k) for k in INDEX_KINDS[kind].member_keys(s).tolist())
    return [k for k in keys if (first is None or k >= first) and (last is None or k <= last)]


def chunk_ranges(keys: list[int], size: int) -> list[tuple[int, int]]:
    """``(first, last)`` key of each run of ``size`` sorted keys."""
    return [(keys[i], keys[min(i + size, len(keys)) - 1]) for i in range(0, len(keys), size)]


def run_reembed(ctx: JobContext) -> Result:
    """Plan the chunks of a re-embedding (once), enqueue those not done, and wait for them."""
    kind, force = ctx.params["kind"], bool(ctx.params.get("force", False))
    size = int(ctx.params.get("chunk") or ctx.settings.chunk_size)
    with ctx.rt.uow() as uow:
        planned = bool(records.children(uow.s, ctx.job.id))
    keys = [] if planned else _pending(ctx, kind, force)  # read outside the write below
    with ctx.rt.uow() as uow:
        chunks = records.children(uow.s, ctx.job.id)
        if not chunks:  # first run: every chunk in one transaction, so all exist or none
            for first, last in chunk_ranges(keys, size):
                records.add(uow.s, f"{ctx.job.key}:{first}-{last}", "reembed_chunk",
                            {"kind": kind, "first": first, "last": last, "force": force},
                            created_by=ctx.job.created_by, parent_id=ctx.job.id)
            chunks = records.children(uow.s, ctx.job.id)
            log.info("job %s: %d %s keys to embed in %d chunks", ctx.job.id, len(keys), kind,
                     len(chunks))
        todo = []
        for c in chunks:
            if c.status == JobStatus.FAILED:
                records.requeue(c)
            if c.status == JobStatus.QUEUED:  # a redelivered plan enqueues these again
                todo.append(c.id)
        succeeded = sum(c.status == JobStatus.SUCCEEDED for c in chunks)
        uow.commit()
    records.progress(ctx.rt, ctx.job.id, succeeded, len(chunks))
    for job_id in todo:
        ctx.enqueue(job_id)
    return WAITING


def run_reembed_chunk(ctx: JobContext) -> Result:
    """Encode and store the vectors of one key range, in batches with progress."""
    kind, force = ctx.params["kind"], bool(ctx.params.get("force", False))
    first, last = int(ctx.params["first"]), int(ctx.params["last"])
    with ctx.rt.uow() as uow:  # unchanged texts are skipped by embed_and_store itself
        keys = _members(uow.s, kind, first, last)
    encoded = 0
    ctx.progress(0, len(keys))
    for i in range(0, len(keys), BATCH):
        encoded += vector_store.embed_and_store(ctx.rt, kind, keys[i:i + BATCH], force=force)
        ctx.progress(min(i + BATCH, len(keys)), len(keys))
    return {"kind": kind, "first": first, "last": last, "keys": len(keys), "encoded": encoded}
