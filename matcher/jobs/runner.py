"""Running one job: start it (skip a finished one), call its handler, record the outcome."""

from __future__ import annotations

import logging
from collections.abc import Callable

from matcher.dataio import FileFormatError
from matcher.errors import DomainError
from matcher.jobs import handlers, records, reembed
from matcher.jobs.config import JobSettings
from matcher.jobs.context import JobContext, JobFailed, Waiting
from matcher.pii import mask_text
from matcher.runtime import Runtime

log = logging.getLogger(__name__)

HANDLERS: dict[str, Callable[[JobContext], object]] = {
    "import": handlers.run_import,
    "index_build": handlers.run_index_build,
    "reembed": reembed.run_reembed,
    "reembed_chunk": reembed.run_reembed_chunk,
    "demo_seed": handlers.run_demo_seed,
    "return_due": handlers.run_return_due,
    "activate_due": handlers.run_activate_due,
    "warning_scan": handlers.run_warning_scan,
}
JOB_KINDS = tuple(HANDLERS)


def run_job(rt: Runtime, job_id: int, settings: JobSettings,
            enqueue: Callable[[int], None]) -> str | None:
    """Run job ``job_id`` once; returns its status afterwards (None: finished or gone)."""
    job = records.start(rt, job_id)
    if job is None:
        log.info("job %s is finished or gone: nothing to do", job_id)
        parent = records.parent_of(rt, job_id)
        if parent is not None:  # a finished chunk redelivered: its parent may not know yet
            records.settle(rt, parent)
        return None
    handler = HANDLERS.get(job.kind)
    if handler is None:
        records.finish(rt, job_id, error=f"unknown job kind {job.kind!r}")
        return "failed"
    log.info("job %s (%s, attempt %d) started", job_id, job.kind, job.attempts)
    ctx = JobContext(rt, job, settings, enqueue)
    try:
        result = handler(ctx)
    except JobFailed as exc:
        records.finish(rt, job_id, result=exc.result, error=mask_text(exc.message))
        return "failed"
    except DomainError as exc:
        records.finish(rt, job_id, result={"code": exc.code, "fields": exc.fields},
                       error=mask_text(exc.message))
        return "failed"
    except FileFormatError as exc:
        records.finish(rt, job_id, result={"code": "file_format"}, error=mask_text(str(exc)))
        return "failed"
    except Exception as exc:
        log.exception("job %s (%s) failed", job_id, job.kind)
        records.finish(rt, job_id, error=mask_text(f"{type(exc).__name__}: {exc}"))
        return "failed"
    if isinstance(result, Waiting):
        return records.settle(rt, job_id).status
    records.finish(rt, job_id, result=result if isinstance(result, dict) else {"value": result})
    log.info("job %s (%s) succeeded", job_id, job.kind)
    return "succeeded"
