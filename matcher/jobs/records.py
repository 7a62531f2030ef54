"""Job rows: submit once per key, start, report progress, finish; a split job's chunks.

Each function that takes a :class:`~matcher.runtime.Runtime` runs its own short
transaction, so progress is visible to everyone while the job's own work goes on.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from matcher.errors import Conflict, NotFound
from matcher.models import Job, JobStatus
from matcher.models.base import utcnow
from matcher.runtime import Runtime
from matcher.words import msg

FINISHED = (JobStatus.SUCCEEDED, JobStatus.FAILED)


@dataclass(frozen=True)
class JobView:
    """One job as plain values (the API's and the CLI's view)."""

    id: int
    key: str
    kind: str
    status: str
    done: int
    total: int | None
    params: dict[str, Any]
    result: dict[str, Any] | None
    error: str | None
    attempts: int
    parent_id: int | None
    created_by: str
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None

    @property
    def progress(self) -> dict[str, int | None]:
        """``{"done", "total"}`` (total None while unknown)."""
        return {"done": self.done, "total": self.total}

    @property
    def finished(self) -> bool:
        """Succeeded or failed."""
        return self.status in FINISHED


def view(job: Job) -> JobView:
    """The plain view of a job row."""
    return JobView(job.id, job.key, job.kind, str(job.status), job.done, job.total,
                   dict(job.params or {}), job.result, job.error, job.attempts, job.parent_id,
                   job.created_by, job.created_at, job.started_at, job.finished_at)


def by_key(s: Session, key: str) -> Job | None:
    """The job with ``key``, if any."""
    return s.scalar(select(Job).where(Job.key == key))


def get(s: Session, job_id: int) -> Job:
    """The job ``job_id`` or 404."""
    job = s.get(Job, job_id)
    if job is None:
        raise NotFound(msg("No job %(id)s.", id=job_id))
    return job


def add(s: Session, key: str, kind: str, params: dict[str, Any], *, created_by: str = "",
        parent_id: int | None = None) -> tuple[Job, bool]:
    """The job for ``key``: the existing one, or a new queued one (``created`` True)."""
    existing = by_key(s, key)
    if existing is None:
        job = Job(key=key, kind=kind, params=params, status=JobStatus.QUEUED, done=0,
                  attempts=0, created_by=created_by[:120], parent_id=parent_id)
        try:
            with s.begin_nested():  # the unique key decides between racing submitters
                s.add(job)
                s.flush()
            return job, True
        except IntegrityError:
            existing = by_key(s, key)
            if existing is None:
                raise
    if existing.kind != kind or (existing.params or {}) != params:
        raise Conflict(msg("The job key %(key)s belongs to another job (%(kind)s %(id)s).",
                           key=key, kind=existing.kind, id=existing.id),
                       code="job_key_conflict")
    return existing, False


def requeue(job: Job) -> None:
    """Make a failed job queued again (a retry under the same key)."""
    job.status, job.error, job.result, job.done = JobStatus.QUEUED, None, None, 0
    job.finished_at = None


def start(rt: Runtime, job_id: int) -> JobView | None:
    """Mark the job running (one more attempt); None if it is finished or gone."""
    with rt.uow() as uow:
        job = uow.s.get(Job, job_id)
        if job is None or job.status in FINISHED:
            return None
        job.status, job.attempts = JobStatus.RUNNING, job.attempts + 1
        job.started_at = job.started_at or utcnow()
        out = view(job)
        uow.commit()
    return out


def parent_of(rt: Runtime, job_id: int) -> int | None:
    """The split job ``job_id`` is a chunk of, if any."""
    with rt.uow() as uow:
        return uow.s.scalar(select(Job.parent_id).where(Job.id == job_id))


def progress(rt: Runtime, job_id: int, done: int, total: int | None) -> None:
    """Record ``done`` of ``total``."""
    with rt.uow() as uow:
        uow.s.execute(update(Job).where(Job.id == job_id).values(done=done, total=total))
        uow.commit()


def finish(rt: Runtime, job_id: int, *, result: dict[str, Any] | None = None,
           error: str | None = None) -> None:
    """Mark the job succeeded (no ``error``) or failed; settle its parent, if any."""
    with rt.uow() as uow:
        job = get(uow.s, job_id)
        job.status = JobStatus.FAILED if error else JobStatus.SUCCEEDED
        job.result, job.error, job.finished_at = result, error, utcnow()
        if not error and job.total is not None:
            job.done = job.total
        parent = job.parent_id
        uow.commit()
    if parent is not None:
        settle(rt, parent)


def children(s: Session, parent_id: int) -> list[Job]:
    """The chunks of a split job, in key order."""
    return list(s.scalars(select(Job).where(Job.parent_id == parent_id).order_by(Job.id)))


def settle(rt: Runtime, parent_id: int) -> JobView:
    """Bring a split job up to date with its chunks; finish it when all have finished."""
    with rt.uow() as uow:
        parent = uow.s.get(Job, parent_id, with_for_update=True)
        if parent is None:
            raise NotFound(msg("No job %(id)s.", id=parent_id))
        if parent.status not in FINISHED:
            rows = uow.s.execute(select(Job.status, Job.result)
                                 .where(Job.parent_id == parent_id)).all()
            ok = [r.result or {} for r in rows if r.status == JobStatus.SUCCEEDED]
            failed = sum(r.status == JobStatus.FAILED for r in rows)
            parent.done, parent.total = len(ok), len(rows)
            if len(ok) + failed == len(rows):
                parent.finished_at = utcnow()
                parent.result = {"chunks": len(rows),
                                 "encoded": sum(int(r.get("encoded", 0)) for r in ok)}
                if failed:
                    parent.status = JobStatus.FAILED
                    parent.error = f"{failed} of {len(rows)} chunks failed"
                else:
                    parent.status = JobStatus.SUCCEEDED
        out = view(parent)
        uow.commit()
    return out
