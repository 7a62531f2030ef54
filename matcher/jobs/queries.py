"""Job status for the bureau: one job with its progress, and the list of jobs."""

from __future__ import annotations

from sqlalchemy import select

from matcher.action import query
from matcher.enums import Role
from matcher.jobs import records
from matcher.jobs.records import JobView
from matcher.models import Job
from matcher.principal import Principal
from matcher.runtime import Work
from matcher.vacancies.queries import Page, paginate


@query(Role.ADMIN)
def job_detail(uow: Work, actor: Principal, job_id: int) -> JobView:
    """One job: status, progress, result or error."""
    return records.view(records.get(uow.s, job_id))


@query(Role.ADMIN)
def job_list(uow: Work, actor: Principal, page: int = 1, per_page: int = 20,
             status: str | None = None, kind: str | None = None,
             top_level: bool = True) -> Page:
    """Jobs, newest first; optionally one status or kind; chunks of split jobs left out."""
    stmt = select(Job).order_by(Job.id.desc())
    if status:
        stmt = stmt.where(Job.status == status)
    if kind:
        stmt = stmt.where(Job.kind == kind)
    if top_level:
        stmt = stmt.where(Job.parent_id.is_(None))
    return paginate(uow.s, stmt, page, per_page, records.view)


@query(Role.ADMIN)
def job_chunks(uow: Work, actor: Principal, job_id: int) -> list[JobView]:
    """The chunks of a split job (empty for an ordinary one)."""
    records.get(uow.s, job_id)
    return [records.view(j) for j in records.children(uow.s, job_id)]
