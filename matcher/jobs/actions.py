"""Submitting jobs: the one action behind the CLI's bulk commands (and any future button).

``submit_job`` adds the job row in the caller's unit of work; the job is handed to a
worker only after that commits (with no broker it runs in this process at the commit).
Re-submitting a key returns the existing job; a failed job under the same key runs again.
"""

from __future__ import annotations

import uuid
from typing import Any

from matcher.action import action
from matcher.enums import Role
from matcher.errors import ValidationFailed
from matcher.jobs.app import requeue, submit
from matcher.jobs.records import JobView
from matcher.jobs.runner import JOB_KINDS
from matcher.principal import Principal
from matcher.runtime import Work
from matcher.words import msg

#: Kinds a person or the CLI may submit (chunks are created by their parent job only).
SUBMITTABLE = tuple(k for k in JOB_KINDS if k != "reembed_chunk")


def new_key(kind: str) -> str:
    """A fresh job key for a submission that names none."""
    return f"{kind}:{uuid.uuid4().hex}"


@action(Role.ADMIN)
def submit_job(uow: Work, actor: Principal, kind: str, params: dict[str, Any],
               key: str | None = None) -> JobView:
    """Submit a job of ``kind`` (idempotent by ``key``); it runs after the commit."""
    if kind not in SUBMITTABLE:
        raise ValidationFailed(msg("Unknown job kind %(kind)s.", kind=kind),
                               fields={"kind": [msg("One of %(values)s.",
                                                    values=", ".join(SUBMITTABLE))]})
    key = (key or new_key(kind)).strip()
    if not key or len(key) > 200:
        raise ValidationFailed(msg("A job key must be 1 to 200 characters."),
                               fields={"key": [msg("1 to 200 characters.")]})
    return submit(uow, kind, params, key=key, created_by=actor.actor_name)


@action(Role.ADMIN)
def requeue_job(uow: Work, actor: Principal, job_id: int) -> JobView:
    """Hand a queued job (its message lost, e.g. the broker was down) or a failed job to a
    worker again; running and succeeded jobs are refused."""
    return requeue(uow, job_id)
