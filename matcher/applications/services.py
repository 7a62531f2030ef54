"""Shared pieces of the application actions: loading with ownership, views, notifications."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from matcher.applications.transitions import LABELS
from matcher.enums import Role
from matcher.errors import NotFound
from matcher.inbox import notify
from matcher.models import Application, Enterprise, HRAgency, JobSeeker, Vacancy
from matcher.principal import Principal, require_role
from matcher.words import msg


@dataclass(frozen=True)
class ApplicationView:
    """One application as its seeker sees it (vacancy title and enterprise by name)."""

    id: int
    vacancy_id: int
    vacancy_title: str
    enterprise: str
    status: str
    status_label: str
    source: str
    agency: str | None
    message: str
    note: str
    interview_at: datetime | None
    interview_location: str | None
    placement_id: int | None
    created_at: datetime
    updated_at: datetime


def view(s: Session, app: Application) -> ApplicationView:
    """The plain view of ``app``."""
    vacancy = s.get(Vacancy, app.vacancy_id)
    assert vacancy is not None
    ent = s.get(Enterprise, vacancy.enterprise_id)
    agency = s.get(HRAgency, app.agency_id) if app.agency_id else None
    return ApplicationView(
        id=app.id, vacancy_id=app.vacancy_id, vacancy_title=vacancy.title,
        enterprise=ent.name if ent else "", status=app.status.value,
        status_label=LABELS[app.status], source=app.source.value,
        agency=agency.name if agency else None, message=app.message, note=app.note,
        interview_at=app.interview_at, interview_location=app.interview_location,
        placement_id=app.placement_id, created_at=app.created_at, updated_at=app.updated_at)


def _hidden(application_id: int) -> NotFound:
    return NotFound(msg("No application %(id)s.", id=application_id))


def owned(s: Session, actor: Principal, application_id: int, role: Role) -> Application:
    """The application if it is the caller's (a seeker's own, or on the enterprise's vacancy)."""
    app = s.get(Application, application_id, with_for_update=True)
    if actor.is_system:
        if app is None:
            raise _hidden(application_id)
        return app
    require_role(actor, role)
    if app is None:
        raise _hidden(application_id)
    if role == Role.SEEKER:
        if app.seeker_id != actor.seeker_id:
            raise _hidden(application_id)
        return app
    owner = s.scalar(select(Vacancy.enterprise_id).where(Vacancy.id == app.vacancy_id))
    if owner != actor.enterprise_id:
        raise _hidden(application_id)
    return app


def mask_name(name: str | None) -> str:
    """A name masked to its first character (张**)."""
    name = name or "—"
    return name[0] + "*" * max(len(name) - 1, 1)


def seeker_name(s: Session, seeker_id: int) -> str:
    """The seeker's name masked to its first character."""
    seeker = s.get(JobSeeker, seeker_id)
    return mask_name(seeker.name if seeker else None)


def tell_seeker(s: Session, app: Application, kind: str, title: str, body: str = "") -> None:
    """Notify the applicant (and the recommending agency, if any)."""
    notify.notify(s, notify.seeker(app.seeker_id), kind, title, body,
                  entity="application", entity_id=app.id)
    if app.agency_id is not None:
        notify.notify(s, notify.agency(app.agency_id), kind, title, body,
                      entity="application", entity_id=app.id)


def tell_enterprise(s: Session, app: Application, kind: str, title: str,
                    body: str = "") -> None:
    """Notify the enterprise that owns the application's vacancy."""
    owner = s.scalar(select(Vacancy.enterprise_id).where(Vacancy.id == app.vacancy_id))
    if owner is not None:
        notify.notify(s, notify.enterprise(owner), kind, title, body,
                      entity="application", entity_id=app.id)
