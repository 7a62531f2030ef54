"""Hires (placements) and their attribution to the first valid agency recommendation.

A recommendation is valid for a hire when it was made on or before the hire date and has
not been withdrawn. The oldest valid one wins; it is marked ``attributed_at`` with one
conditional UPDATE, so a concurrent withdrawal either happens first (and the next valid
recommendation is tried) or is refused. One placement per (seeker, vacancy) is a UNIQUE
constraint; the vacancy's ``filled`` counter is raised in the same transaction by
:func:`matcher.vacancies.services.fill_vacancy` (which also refreshes the index after commit).

Like every service in this package, these take an open unit of work and do not commit:
the caller commits (``with rt.uow() as uow: hire(rt, uow, ...); uow.commit()``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from matcher import audit
from matcher.db import UnitOfWork
from matcher.errors import Conflict, Forbidden, NotFound, ValidationFailed
from matcher.models import Enterprise, JobSeeker, Vacancy
from matcher.models.base import utcnow
from matcher.models.subsidy import Placement, Recommendation
from matcher.runtime import Runtime
from matcher.subsidy.actors import Actor
from matcher.subsidy.clock import local_date
from matcher.subsidy.evaluate import PlacementFacts
from matcher.subsidy.views import PlacementView
from matcher.vacancies.services import fill_vacancy
from matcher.words import msg


@dataclass(frozen=True)
class HireRequest:
    """The facts of a hire as reported by the enterprise (or entered by the bureau)."""

    seeker_id: int
    vacancy_id: int
    hired_on: date
    contract_start: date
    contract_months: int
    social_insurance_months: int = 0
    agency_charged_worker: bool = False


def hire(rt: Runtime, uow: UnitOfWork, req: HireRequest, *, actor: Actor) -> PlacementView:
    """Record a hire, attribute it, and fill one position of the vacancy (index after commit)."""
    _validate(req)
    s = uow.s
    vacancy = s.get(Vacancy, req.vacancy_id)
    if vacancy is None:
        raise NotFound(msg("No vacancy %(id)s.", id=req.vacancy_id), code="vacancy_not_found")
    if not (actor.is_admin or actor.enterprise_id == vacancy.enterprise_id):
        raise Forbidden(msg("Only the vacancy's enterprise or the bureau may record a hire."))
    if s.get(JobSeeker, req.seeker_id) is None:
        raise NotFound(msg("No job seeker %(id)s.", id=req.seeker_id), code="seeker_not_found")
    chosen, considered = _attribute(s, req.seeker_id, req.vacancy_id, req.hired_on)
    placement = Placement(
        seeker_id=req.seeker_id, vacancy_id=req.vacancy_id, enterprise_id=vacancy.enterprise_id,
        agency_id=chosen.agency_id if chosen else None,
        recommendation_id=chosen.id if chosen else None, hired_on=req.hired_on,
        contract_start=req.contract_start, contract_months=req.contract_months,
        social_insurance_months=req.social_insurance_months,
        agency_charged_worker=req.agency_charged_worker,
    )
    try:
        with s.begin_nested():
            s.add(placement)
            s.flush()
    except IntegrityError:
        raise Conflict(msg("The job seeker already holds this vacancy."),
                       code="already_placed") from None
    fill_vacancy(rt, uow, vacancy.id, 1, actor=actor.name)
    audit.record(s, actor.name, "placement.hired", "placement", placement.id, {
        "seeker_id": req.seeker_id, "vacancy_id": req.vacancy_id,
        "agency_id": placement.agency_id, "recommendation_id": placement.recommendation_id,
        "attribution": considered,
    })
    return PlacementView.of(placement, considered)


def record_social_insurance(uow: UnitOfWork, placement_id: int, months: int, *,
                            actor: Actor) -> PlacementView:
    """Update the months of social insurance paid for a placement (tranche evidence)."""
    if isinstance(months, bool) or not isinstance(months, int) or months < 0:
        raise ValidationFailed(msg("Months must be a whole number, at least 0."), fields={
            "social_insurance_months": [msg("A whole number, at least 0.")]})
    s = uow.s
    placement = s.get(Placement, placement_id)
    if placement is None:
        raise NotFound(msg("No hire %(id)s.", id=placement_id))
    if not (actor.is_admin or actor.enterprise_id == placement.enterprise_id):
        raise Forbidden(msg("Only the employer or the bureau may report social insurance."))
    before = placement.social_insurance_months
    placement.social_insurance_months = months
    audit.record(s, actor.name, "placement.social_insurance", "placement", placement_id,
                 {"before": before, "after": months})
    s.flush()
    return PlacementView.of(placement)


def load_facts(session: Session, placement_id: int) -> PlacementFacts:
    """The facts subsidy rules look at for one placement."""
    row = session.execute(
        select(Placement, JobSeeker, Enterprise)
        .join(JobSeeker, JobSeeker.id == Placement.seeker_id)
        .join(Enterprise, Enterprise.id == Placement.enterprise_id)
        .where(Placement.id == placement_id)
    ).one_or_none()
    if row is None:
        raise NotFound(msg("No hire %(id)s.", id=placement_id), code="placement_not_found")
    p, seeker, ent = row
    return PlacementFacts(
        placement_id=p.id, seeker_id=p.seeker_id, vacancy_id=p.vacancy_id,
        enterprise_id=p.enterprise_id, agency_id=p.agency_id, hired_on=p.hired_on,
        contract_start=p.contract_start, contract_months=p.contract_months,
        social_insurance_months=p.social_insurance_months,
        agency_charged_worker=p.agency_charged_worker,
        seeker_categories=tuple(seeker.categories or ()), graduation_year=seeker.graduation_year,
        enterprise_size=ent.size_class.value, enterprise_key_tier=ent.key_tier.value,
        enterprise_city=ent.city or "", degree_level=seeker.degree_level,
        enterprise_leading_industrial=bool(ent.is_leading_industrial),
    )


def _validate(req: HireRequest) -> None:
    fields: dict[str, list[str]] = {}
    for name in ("contract_months", "social_insurance_months"):
        value = getattr(req, name)
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            fields[name] = [msg("A whole number, at least 0.")]
    if req.contract_start < req.hired_on:
        fields["contract_start"] = [msg("The contract cannot start before the hire date.")]
    if fields:
        raise ValidationFailed(msg("Please check the hire's details."), fields=fields)


def _attribute(s: Session, seeker_id: int, vacancy_id: int,
               hired_on: date) -> tuple[Recommendation | None, list[dict[str, Any]]]:
    """The first valid recommendation (marked attributed) and why each one was or wasn't."""
    recs = s.scalars(select(Recommendation).where(
        Recommendation.seeker_id == seeker_id, Recommendation.vacancy_id == vacancy_id,
    ).order_by(Recommendation.created_at, Recommendation.id)).all()
    chosen: Recommendation | None = None
    considered: list[dict[str, Any]] = []
    for rec in recs:
        made_on = local_date(rec.created_at)
        entry: dict[str, Any] = {"recommendation_id": rec.id, "agency_id": rec.agency_id,
                                 "made_on": made_on.isoformat()}
        if rec.withdrawn_at is not None:
            entry["result"] = "withdrawn"
        elif made_on > hired_on:
            entry["result"] = "made after the hire"
        elif chosen is not None:
            entry["result"] = "an earlier recommendation was attributed"
        elif _mark_attributed(s, rec):
            chosen = rec
            entry["result"] = "attributed (first valid recommendation)"
        else:
            entry["result"] = "withdrawn meanwhile"
        considered.append(entry)
    return chosen, considered


def _mark_attributed(s: Session, rec: Recommendation) -> bool:
    done = s.execute(
        update(Recommendation)
        .where(Recommendation.id == rec.id, Recommendation.withdrawn_at.is_(None),
               Recommendation.attributed_at.is_(None))
        .values(attributed_at=utcnow())
        .execution_options(synchronize_session=False)
    ).rowcount  # type: ignore[attr-defined]
    s.expire(rec)
    return bool(done)
