"""HR agencies recommend job seekers for vacancies (the evidence behind attribution)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from matcher import audit
from matcher.db import UnitOfWork
from matcher.enums import ClaimantKind, PersonStatus, VacancyStatus
from matcher.errors import Conflict, Forbidden, NotFound, Refused
from matcher.models import HRAgency, JobSeeker, Vacancy
from matcher.models.base import utcnow
from matcher.models.subsidy import Placement, Recommendation
from matcher.subsidy.actors import Actor
from matcher.subsidy.views import RecommendationView
from matcher.words import msg, word


def recommend(uow: UnitOfWork, *, agency_id: int, seeker_id: int, vacancy_id: int,
              actor: Actor, note: str = "", at: datetime | None = None) -> RecommendationView:
    """Record that ``agency_id`` recommends ``seeker_id`` for ``vacancy_id``."""
    if not actor.speaks_for(ClaimantKind.AGENCY, agency_id):
        raise Forbidden(msg("An agency may only recommend in its own name."),
                        code="not_your_agency")
    s = uow.s
    if s.get(HRAgency, agency_id) is None:
        raise NotFound(msg("No HR agency %(id)s.", id=agency_id), code="agency_not_found")
    seeker = s.get(JobSeeker, seeker_id)
    if seeker is None or seeker.status != PersonStatus.ACTIVE:
        raise NotFound(msg("No job seeker %(id)s.", id=seeker_id), code="seeker_not_found")
    if not seeker.consent_share_with_agencies:
        raise Refused(msg("The job seeker has not agreed to be recommended by HR agencies."),
                      code="no_consent_for_agencies")
    vacancy = s.get(Vacancy, vacancy_id)
    if vacancy is None:
        raise NotFound(msg("No vacancy %(id)s.", id=vacancy_id), code="vacancy_not_found")
    if vacancy.status != VacancyStatus.OPEN:
        raise Refused(msg("This vacancy is %(status)s.", status=word(vacancy.status.value)),
                      code="vacancy_not_open")
    placed = s.scalar(select(Placement.id).where(Placement.seeker_id == seeker_id,
                                                 Placement.vacancy_id == vacancy_id))
    if placed is not None:
        raise Conflict(msg("The job seeker already holds this vacancy."),
                       code="already_placed")
    rec = Recommendation(agency_id=agency_id, seeker_id=seeker_id, vacancy_id=vacancy_id,
                         note=note, created_at=at or utcnow())
    try:
        with s.begin_nested():  # the unique index keeps one standing recommendation per pair
            s.add(rec)
            s.flush()
    except IntegrityError:
        raise Conflict(msg("This agency has already recommended this job seeker for this "
                           "vacancy."), code="duplicate_recommendation") from None
    audit.record(s, actor.name, "recommendation.created", "recommendation", rec.id,
                 {"agency_id": agency_id, "seeker_id": seeker_id, "vacancy_id": vacancy_id})
    return RecommendationView.of(rec)


def withdraw(uow: UnitOfWork, recommendation_id: int, *, actor: Actor,
             at: datetime | None = None) -> RecommendationView:
    """Withdraw a recommendation that no hire has been attributed to."""
    s = uow.s
    rec = s.get(Recommendation, recommendation_id)
    if rec is None:
        raise NotFound(msg("No recommendation %(id)s.", id=recommendation_id))
    if not actor.speaks_for(ClaimantKind.AGENCY, rec.agency_id):
        raise Forbidden(msg("Only the recommending agency may withdraw it."),
                        code="not_your_agency")
    if rec.withdrawn_at is not None:
        return RecommendationView.of(rec)
    # One conditional UPDATE: a concurrent hire sets attributed_at first, or we win.
    done = s.execute(
        update(Recommendation)
        .where(Recommendation.id == recommendation_id, Recommendation.withdrawn_at.is_(None),
               Recommendation.attributed_at.is_(None))
        .values(withdrawn_at=at or utcnow())
        .execution_options(synchronize_session=False)
    ).rowcount  # type: ignore[attr-defined]
    s.refresh(rec)
    if not done:
        if rec.attributed_at is not None:
            raise Conflict(msg("A hire is attributed to this recommendation; it cannot be "
                               "withdrawn."), code="recommendation_attributed")
        return RecommendationView.of(rec)
    audit.record(s, actor.name, "recommendation.withdrawn", "recommendation", rec.id, {})
    return RecommendationView.of(rec)


def list_for_pair(uow: UnitOfWork, seeker_id: int, vacancy_id: int) -> list[RecommendationView]:
    """All recommendations of one (seeker, vacancy) pair, oldest first."""
    rows = uow.s.scalars(select(Recommendation).where(
        Recommendation.seeker_id == seeker_id, Recommendation.vacancy_id == vacancy_id,
    ).order_by(Recommendation.created_at, Recommendation.id))
    return [RecommendationView.of(r) for r in rows]
