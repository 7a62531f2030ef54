"""An agency's recommendation of a consenting seeker reaches the enterprise as an application."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from matcher import audit
from matcher.inbox import notify
from matcher.models import Application, HRAgency, Vacancy
from matcher.models.applications import ApplicationSource, ApplicationStatus
from matcher.subsidy.views import RecommendationView
from matcher.words import msg


def application_from(s: Session, rec: RecommendationView, *, actor: str) -> int | None:
    """Open an ``agency`` application for the pair unless one exists; its id, or None."""
    exists = s.scalar(select(Application.id).where(Application.seeker_id == rec.seeker_id,
                                                   Application.vacancy_id == rec.vacancy_id))
    if exists is not None:
        return None
    app = Application(seeker_id=rec.seeker_id, vacancy_id=rec.vacancy_id,
                      source=ApplicationSource.AGENCY, agency_id=rec.agency_id,
                      recommendation_id=rec.id, status=ApplicationStatus.APPLIED)
    s.add(app)
    s.flush()
    audit.record(s, actor, "application.from_recommendation", "application", app.id,
                 {"recommendation_id": rec.id, "agency_id": rec.agency_id})
    vacancy = s.get(Vacancy, rec.vacancy_id)
    agency = s.get(HRAgency, rec.agency_id)
    title = msg("Recommended by %(agency)s: %(title)s", agency=agency.name if agency else "-",
                title=vacancy.title if vacancy else "")
    if vacancy is not None:
        notify.notify(s, notify.enterprise(vacancy.enterprise_id), "application.recommended",
                      title, entity="application", entity_id=app.id)
    notify.notify(s, notify.seeker(rec.seeker_id), "application.recommended", title,
                  entity="application", entity_id=app.id)
    return app.id
