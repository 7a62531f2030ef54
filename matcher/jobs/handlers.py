"""Job handlers: imports, index rebuilds, demo seeding and the daily desk jobs.

Each handler is safe to run again after a worker died mid-job (the job is redelivered):
an import is one transaction matched on ``external_id`` (a second run updates the same
rows, never duplicates them); a rebuild is written beside and swapped; seeding only fills
an empty database; the desk jobs act only on what is still due.
"""

from __future__ import annotations

import hashlib
from datetime import date
from pathlib import Path
from typing import Any

from matcher.bureau import actions as bureau_actions
from matcher.bureau.warning import reasons_text
from matcher.dataio import ImportFailed, import_file
from matcher.demo.seed import seed_demo
from matcher.errors import ValidationFailed
from matcher.index.kinds import KINDS as INDEX_KINDS
from matcher.index.registry import get_registry
from matcher.jobs.context import JobContext, JobFailed, Result
from matcher.lending import actions as lending_actions
from matcher.lending import agreements
from matcher.principal import Principal
from matcher.words import msg

MAX_STORED_ERRORS = 1000


def file_digest(path: str | Path) -> str:
    """SHA-256 of a file's bytes (a job refuses a file that changed after it was submitted)."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def run_import(ctx: JobContext) -> Result:
    """Import one file of one kind in one transaction (all rows or none)."""
    p = ctx.params
    path = Path(p["path"])
    if not path.is_file():
        raise ValidationFailed(msg("The worker cannot read the file %(path)s.", path=str(path)))
    if p.get("sha256") and file_digest(path) != p["sha256"]:
        raise ValidationFailed(msg("The file %(name)s changed after the job was submitted.",
                                    name=path.name))
    ctx.progress(0, 1)
    try:
        summary = import_file(ctx.rt, p["kind"], path, p.get("format"),
                              actor=p.get("actor", "job"))
    except ImportFailed as exc:
        raise JobFailed(exc.message, {
            "code": exc.code, "error_count": len(exc.errors),
            "errors": [str(e) for e in exc.errors[:MAX_STORED_ERRORS]]}) from None
    ctx.pause()  # committed; a worker killed here gets the job again and re-imports the same rows
    return {"kind": summary.kind, "rows": summary.rows, "created": summary.created,
            "updated": summary.updated, "summary": str(summary)}


def run_index_build(ctx: JobContext) -> Result:
    """Rebuild the FAISS indexes of one kind or all from the database (stored vectors)."""
    kind = ctx.params.get("kind", "all")
    kinds = list(INDEX_KINDS) if kind == "all" else [kind]
    registry = get_registry(ctx.rt)
    built: dict[str, Any] = {}
    for n, name in enumerate(kinds):
        ctx.progress(n, len(kinds))
        registry.rebuild(name)
        pruned = registry.prune_changes(name)  # change rows every saved index has applied
        facts = registry.describe(name)
        built[name] = {"count": facts["count"], "index_type": facts["index_type"],
                       "encoder": facts["encoder"], "version": facts["version"],
                       "changes_pruned": pruned}
    return {"indexes": built}


def run_demo_seed(ctx: JobContext) -> Result:
    """Fill an empty database with the demo city at the requested size."""
    ctx.progress(0, 1)
    done = seed_demo(ctx.rt, seed=int(ctx.params.get("seed", 42)),
                     size=int(ctx.params.get("size", 400)))
    return {"seeded": done.seeded, "counts": done.counts, "message": done.message}


def _day(ctx: JobContext) -> date:
    return date.fromisoformat(ctx.params["day"])


def _actor(ctx: JobContext) -> Principal:
    return Principal.system(ctx.params.get("actor") or "scheduler")


def run_return_due(ctx: JobContext) -> Result:
    """Return active agreements whose end date has passed (the daily desk job)."""
    with ctx.rt.uow() as uow:
        ids = agreements.return_due(ctx.rt, uow, _day(ctx),
                                    actor=ctx.params.get("actor") or "scheduler")
        uow.commit()
    return {"returned": ids}


def run_activate_due(ctx: JobContext) -> Result:
    """Activate signed agreements whose period has begun (the daily desk job)."""
    with ctx.rt.uow() as uow:
        ids, refused = lending_actions.activate_due(uow, _actor(ctx), _day(ctx))
        uow.commit()
    return {"activated": ids, "refused": {str(k): v for k, v in refused.items()}}


def run_warning_scan(ctx: JobContext) -> Result:
    """Score every enterprise; open watch entries over the threshold (the daily desk job)."""
    with ctx.rt.uow() as uow:
        done = bureau_actions.scan_warnings(uow, _actor(ctx), _day(ctx))
        uow.commit()
    top = [{"score": r.score, "enterprise": r.enterprise,
            "why": str(reasons_text([x.to_dict() for x in r.reasons]))}
           for r in done.scores[:20]]
    return {"scored": len(done.scores), "added": list(done.added), "top": top}
