"""The Celery app (Flask's documented pattern, without Flask) and where a job goes.

One task, ``workbridge.run_job(job_id)``: the worker opens its own Runtime (once per worker
process, after fork) and runs the job row. Delivery is at least once and safe:
``acks_late`` (a message is acknowledged only after the job ran), ``reject_on_worker_lost``
(a pool child that dies gives its message back), prefetch 1 (a worker holds no job it has
not started) and, on Redis, a ``visibility_timeout`` after which a message whose worker was
killed outright is delivered to another worker. Handlers are idempotent (see
:mod:`matcher.jobs.handlers`), and a succeeded job is never run again.

With no broker (``WORKBRIDGE_BROKER_URL`` empty) :func:`enqueue` runs the job at once in
the calling process, so ``make run`` and the tests need no worker.
"""

from __future__ import annotations

import logging
import threading
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from celery import Celery, signals
from celery.schedules import crontab

from matcher.errors import Refused
from matcher.jobs import records
from matcher.jobs.config import JobSettings, load_job_settings
from matcher.jobs.records import JobView
from matcher.jobs.runner import run_job
from matcher.models import JobStatus
from matcher.runtime import Runtime, Work
from matcher.words import N_, msg, word

#: job statuses a message passes as ``word(...)`` (listed here for extraction)
STATUS_WORDS = (N_("queued"), N_("running"), N_("succeeded"), N_("failed"))

log = logging.getLogger(__name__)
TASK = "workbridge.run_job"
DAILY_TASK = "workbridge.daily"
QUEUE = "workbridge"
#: The daily desk jobs Celery beat submits (each once per day: the day is in its key),
#: at 01:05 in the bureau's time zone, for the bureau's date.
DAILY = ("activate_due", "return_due", "warning_scan")
TIMEZONE = "Asia/Shanghai"

_lock = threading.Lock()
_state: dict[str, Any] = {}


def bureau_today() -> date:
    """Today's date in the bureau's time zone (the day the daily jobs run for)."""
    return datetime.now(ZoneInfo(TIMEZONE)).date()


def worker_runtime() -> Runtime:
    """The Runtime of this worker process, built from the environment on first use."""
    with _lock:
        rt = _state.get("runtime")
        if rt is None:
            rt = _state["runtime"] = Runtime()
        return rt


def warm_worker(**_: Any) -> None:
    """Load the encoder when a worker process starts (after fork), not in its first job."""
    try:
        worker_runtime().encoder.encode_documents(["warm-up"])
    except Exception:  # a worker that cannot load the model still runs imports and desk jobs
        log.exception("the encoder could not be loaded at worker start")


def make_celery(settings: JobSettings) -> Celery:
    """A Celery app for ``settings`` with the job task and the daily schedule registered."""
    app = Celery("workbridge", broker=settings.broker_url or "memory://",
                 set_as_current=False)
    restore = max(1, min(10, settings.visibility_timeout // 5))
    app.conf.update(
        task_default_queue=QUEUE,
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        task_ignore_result=True,  # outcomes live in the jobs table
        worker_prefetch_multiplier=1,
        worker_hijack_root_logger=False,
        broker_connection_retry_on_startup=True,
        broker_transport_options={"visibility_timeout": settings.visibility_timeout,
                                  "unacked_restore_interval": restore,
                                  "unacked_restore_throttle": 1},
        timezone=TIMEZONE,
        beat_schedule={f"daily-{kind}": {"task": DAILY_TASK, "args": (kind,),
                                         "schedule": crontab(hour=1, minute=5)}
                       for kind in DAILY},
    )

    def run(job_id: int) -> str | None:
        rt = worker_runtime()
        return run_job(rt, job_id, settings, lambda child: enqueue(rt, child, settings))

    def daily(kind: str) -> int:
        rt = worker_runtime()
        day = bureau_today().isoformat()
        with rt.uow() as uow:
            job = submit(uow, kind, {"day": day, "actor": "scheduler"}, key=f"{kind}:{day}",
                         created_by="system:scheduler", settings=settings)
            uow.commit()
        return job.id

    signals.worker_process_init.connect(warm_worker, weak=False)  # each pool process; solo too
    app.task(name=TASK, acks_late=True, reject_on_worker_lost=True, shared=False)(run)
    app.task(name=DAILY_TASK, shared=False)(daily)
    return app


def get_celery(settings: JobSettings | None = None) -> Celery:
    """The process's Celery app (built once from the environment)."""
    with _lock:
        app = _state.get("celery")
        if app is None:
            app = _state["celery"] = make_celery(settings or load_job_settings())
        return app


def submit(uow: Work, kind: str, params: dict[str, Any], *, key: str, created_by: str,
           settings: JobSettings | None = None) -> JobView:
    """The job for ``key`` (new, or the existing one); new and failed ones are enqueued
    after ``uow`` commits. A queued, running or succeeded job is returned as it is."""
    job, created = records.add(uow.s, key, kind, params, created_by=created_by)
    if not created and job.status == JobStatus.FAILED:
        records.requeue(job)
        created = True
    uow.s.flush()
    if created:
        rt, job_id = uow.rt, job.id
        uow.on_commit(lambda: enqueue(rt, job_id, settings))
    return records.view(job)


def requeue(uow: Work, job_id: int, settings: JobSettings | None = None) -> JobView:
    """Hand a queued or failed job to a worker again (its message was lost or refused)."""
    job = records.get(uow.s, job_id)
    if job.status == JobStatus.FAILED:
        records.requeue(job)
    elif job.status != JobStatus.QUEUED:
        raise Refused(msg("Only a queued or failed job can be requeued; job %(id)s is %(status)s.",
                          id=job_id, status=word(str(job.status))), code="job_not_queued")
    uow.s.flush()
    rt = uow.rt
    uow.on_commit(lambda: enqueue(rt, job_id, settings))
    return records.view(job)


def enqueue(rt: Runtime, job_id: int, settings: JobSettings | None = None) -> None:
    """Hand job ``job_id`` to a worker; with no broker, run it here and now."""
    settings = settings or load_job_settings()
    if settings.in_process:
        run_job(rt, job_id, settings, lambda child: enqueue(rt, child, settings))
        return
    try:
        get_celery(settings).send_task(TASK, args=[job_id], queue=QUEUE)
    except Exception as exc:  # kombu's connection errors after its retries
        log.error("job %s could not be handed to the broker: %s", job_id, exc)
        raise Refused(msg("The job queue is unreachable; job %(id)s stays queued: run "
                          "`workbridge jobs requeue %(id)s` when it is back.", id=job_id),
                      code="broker_unavailable") from None
    log.info("job %s queued on %s", job_id, settings.broker_url.split("@")[-1])
