"""Reading applications: a seeker's own, and the applicants of an enterprise's vacancy.

An applicant is shown masked (first character of the name, masked phone) with the same
score and explanation the candidates page gives (:func:`matcher.recommend.explain.explain`).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field, replace
from datetime import date

from sqlalchemy import select

from matcher.accounts import permissions as perm
from matcher.action import query
from matcher.applications import services as svc
from matcher.enums import Role
from matcher.errors import DomainError
from matcher.models import Application, HRAgency, JobSeeker, Placement, Vacancy
from matcher.principal import Principal
from matcher.recommend.explain import explain
from matcher.recommend.service import candidates_for_vacancy
from matcher.runtime import Work
from matcher.vacancies.queries import Page, VacancyCard, get_vacancy, paginate

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Applicant:
    """One application to an own vacancy, as the enterprise sees it."""

    application: svc.ApplicationView
    seeker_id: int
    name: str
    phone: str | None
    district: str | None
    skills: list[str]
    score: float | None = None
    eligible: bool | None = None
    explanation: list[str] = field(default_factory=list)
    components: dict[str, dict[str, float]] = field(default_factory=dict)
    matched_skills: tuple[str, ...] = ()
    missing_skills: tuple[str, ...] = ()
    distance_km: float | None = None
    distance_approximate: bool = False
    agreement: str | None = None
    weights_valid_from: date | None = None


@dataclass(frozen=True)
class Invitable:
    """A ranked job seeker who has not applied yet (the enterprise may invite them)."""

    seeker_id: int
    name: str
    district: str | None
    score: float
    matched_skills: tuple[str, ...]


@dataclass(frozen=True)
class ApplicantsView:
    """An own vacancy with one page of its applicants and the best seekers to invite."""

    vacancy: VacancyCard
    page: Page
    invitable: list[Invitable] = field(default_factory=list)


@query(Role.SEEKER, system=False)
def my_applications(uow: Work, actor: Principal, page: int = 1, per_page: int = 20) -> Page:
    """The caller's applications, newest first, with vacancy title and enterprise name."""
    stmt = select(Application).where(Application.seeker_id == actor.seeker_id).order_by(
        Application.updated_at.desc(), Application.id.desc())
    return paginate(uow.s, stmt, page, per_page, lambda a: svc.view(uow.s, a))


@query(Role.SEEKER, system=False)
def my_application_for(uow: Work, actor: Principal,
                       vacancy_id: int) -> svc.ApplicationView | None:
    """The caller's application to one vacancy, if any (for the vacancy page's button)."""
    app = uow.s.scalar(select(Application).where(Application.seeker_id == actor.seeker_id,
                                                 Application.vacancy_id == vacancy_id))
    return svc.view(uow.s, app) if app is not None else None


def _applicant(uow: Work, app: Application) -> Applicant:
    seeker = uow.s.get(JobSeeker, app.seeker_id)
    return Applicant(application=svc.view(uow.s, app), seeker_id=app.seeker_id,
                     name=svc.seeker_name(uow.s, app.seeker_id),
                     phone=seeker.phone_masked if seeker else None,
                     district=seeker.district if seeker else None,
                     skills=list(seeker.skills or []) if seeker else [])


def _explained(uow: Work, a: Applicant) -> Applicant:
    try:
        why = explain(uow.rt, a.seeker_id, a.application.vacancy_id)
    except DomainError as exc:  # e.g. the seeker deleted their profile meanwhile
        log.info("no explanation for application %s: %s", a.application.id, exc)
        return a
    components = {c.name: {"value": c.value, "weight": c.weight,
                           "contribution": c.contribution} for c in why.components}
    return replace(a, score=round(why.score, 4), eligible=why.eligible,
                   explanation=why.reasons(), components=components,
                   matched_skills=why.matched_skills, missing_skills=why.missing_skills,
                   distance_km=why.distance_km, distance_approximate=why.distance_approximate,
                   agreement=why.agreement, weights_valid_from=why.weights_valid_from)


@query(Role.ENTERPRISE)
def vacancy_applications(uow: Work, actor: Principal, vacancy_id: int, page: int = 1,
                         per_page: int = 20) -> ApplicantsView:
    """Applicants of an own vacancy, newest first, each scored and explained."""
    perm.own_vacancy(uow.s, actor, vacancy_id)
    card = get_vacancy(uow.s, vacancy_id)
    stmt = select(Application).where(Application.vacancy_id == vacancy_id).order_by(
        Application.created_at.desc(), Application.id.desc())
    found = paginate(uow.s, stmt, page, per_page, lambda a: _applicant(uow, a))
    uow.s.rollback()  # the explanation reads in transactions of its own (SQLite: one writer)
    items = [_explained(uow, a) for a in found.items]
    return ApplicantsView(card, Page(items, found.page, found.per_page, found.total),
                          _invitable(uow, vacancy_id) if page == 1 else [])


def _invitable(uow: Work, vacancy_id: int, k: int = 5) -> list[Invitable]:
    ranked = candidates_for_vacancy(uow.rt, vacancy_id, k=k * 3, kinds=("seeker",))
    with uow.rt.uow() as own:
        applied = set(own.s.scalars(select(Application.seeker_id).where(
            Application.vacancy_id == vacancy_id)))
    out = [Invitable(c.person_id, svc.mask_name(c.name), c.district, round(c.score, 4),
                     c.matched_skills) for c in ranked if c.person_id not in applied]
    return out[:k]


@dataclass(frozen=True)
class PlacementRow:
    """A placement as the bureau's social-insurance desk lists it (names, not ids)."""

    id: int
    seeker: str
    vacancy_title: str
    enterprise: str
    agency: str | None
    hired_on: date
    contract_months: int
    social_insurance_months: int


def _placement_row(uow: Work, p: Placement) -> PlacementRow:
    vacancy = uow.s.get(Vacancy, p.vacancy_id)
    agency = uow.s.get(HRAgency, p.agency_id) if p.agency_id else None
    title, ent = (vacancy.title, vacancy.enterprise.name) if vacancy else ("", "")
    return PlacementRow(p.id, svc.seeker_name(uow.s, p.seeker_id), title, ent,
                        agency.name if agency else None, p.hired_on, p.contract_months,
                        p.social_insurance_months)


@query(Role.ADMIN)
def placements(uow: Work, actor: Principal, page: int = 1, per_page: int = 20) -> Page:
    """Every placement, newest first, for recording social-insurance months."""
    stmt = select(Placement).order_by(Placement.id.desc())
    return paginate(uow.s, stmt, page, per_page, lambda p: _placement_row(uow, p))
