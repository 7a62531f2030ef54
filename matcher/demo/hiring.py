"""Demo hiring: applications in every state, hires, placements and a claim, via the actions.

The demo enterprise's first open vacancies get applicants at every step (applied,
shortlisted, interview, offered, rejected, withdrawn, hired); the demo seeker applies to
two vacancies; the demo agency recommends a consenting registered-unemployed seeker, who
is hired (the placement is attributed to the agency), the bureau records six months of
social insurance and the agency claims the introduction subsidy. Everything goes through
the same actions as the pages and the API, as the system principal; the caller commits.
"""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select

from matcher.applications import actions
from matcher.applications.actions import HireInput, StatusChange
from matcher.enums import PersonStatus, Role, SeekerCategory, VacancyStatus
from matcher.errors import DomainError
from matcher.models import Application, Enterprise, HRAgency, JobSeeker, User, Vacancy
from matcher.principal import Principal
from matcher.runtime import Work
from matcher.subsidy import actions as subsidy
from matcher.subsidy import clock

log = logging.getLogger(__name__)
DEMO = Principal.system("demo")
KEEP = ("demo-unemployed-1",)  # left for the agency journey on a fresh demo city
# people are taken from the newest: the oldest (lowest ids) stay free for the journeys
STEPS: tuple[tuple[str, ...], ...] = (
    (), ("shortlisted",), ("shortlisted", "interview"), ("shortlisted", "interview", "offered"),
    ("rejected",), ("withdrawn",), ("shortlisted", "interview", "offered", "hired"),
)


def _linked(uow: Work, role: Role) -> int | None:
    column = {Role.SEEKER: User.seeker_id, Role.ENTERPRISE: User.enterprise_id,
              Role.AGENCY: User.agency_id}[role]
    return uow.s.scalar(select(column).where(User.email == f"{role.value}@demo.workbridge.local"))


def _open_vacancies(uow: Work, enterprise_id: int | None, limit: int) -> list[int]:
    stmt = select(Vacancy.id).where(Vacancy.status == VacancyStatus.OPEN,
                                    Vacancy.filled < Vacancy.headcount)
    if enterprise_id is not None:
        stmt = stmt.where(Vacancy.enterprise_id == enterprise_id)
    return list(uow.s.scalars(stmt.order_by(Vacancy.headcount.desc(), Vacancy.id).limit(limit)))


def _seekers(uow: Work, skip: set[int], limit: int, *, unemployed: bool = False) -> list[int]:
    stmt = select(JobSeeker).where(JobSeeker.status == PersonStatus.ACTIVE,
                                   JobSeeker.consent_share_with_agencies.is_(True),
                                   JobSeeker.external_id.not_in(KEEP)).order_by(JobSeeker.id.desc())
    out = []
    for seeker in uow.s.scalars(stmt.limit(400)):
        cats = seeker.categories or []
        if seeker.id in skip or (unemployed and SeekerCategory.REGISTERED_UNEMPLOYED not in cats):
            continue
        out.append(seeker.id)
        if len(out) == limit:
            break
    return out


def _advance(uow: Work, app_id: int, steps: tuple[str, ...], today: date) -> None:
    at = datetime.combine(today + timedelta(days=2), time(9, 30), tzinfo=UTC)
    for step in steps:
        if step == "withdrawn":
            actions.withdraw(uow, DEMO, app_id)
        elif step == "hired":
            actions.hire(uow, DEMO, app_id, HireInput(today, 12, f"EC-{today:%Y%m}-{app_id}"))
        else:
            actions.set_status(uow, DEMO, app_id, StatusChange(
                step, interview_at=at if step == "interview" else None,
                interview_location="现场面试 On site" if step == "interview" else None))


def _agency_hire(uow: Work, agency_id: int, vacancy_id: int, seeker_id: int,
                 today: date) -> int:
    subsidy.recommend(uow, DEMO, subsidy.RecommendationInput(
        seeker_id=seeker_id, vacancy_id=vacancy_id, note="demo", agency_id=agency_id))
    app = uow.s.scalar(select(Application.id).where(Application.seeker_id == seeker_id,
                                                    Application.vacancy_id == vacancy_id))
    assert app is not None
    _advance(uow, app, ("shortlisted", "offered"), today)
    hired_on = max(today, clock.today())  # on or after the recommendation, or not attributed
    placed = actions.hire(uow, DEMO, app, HireInput(hired_on, 24, f"EC-{hired_on:%Y%m}-A{app}"))
    actions.record_social_insurance(uow, DEMO, placed.id, 6)
    try:
        with uow.s.begin_nested():
            subsidy.submit_claim(uow, DEMO, subsidy.ClaimInput(
                placed.id, "employment_introduction", f"demo-claim-{placed.id}",
                agency_id=agency_id))
    except DomainError as exc:  # the rules may refuse (e.g. a rule file without this rule)
        log.info("demo claim refused: %s", exc)
    return placed.id


def seed_hiring(uow: Work, today: date | None = None) -> dict[str, int]:
    """Create the demo applications, hires and placements; returns counts."""
    today = today or date.today()
    ent = _linked(uow, Role.ENTERPRISE) or uow.s.scalar(select(Enterprise.id).limit(1))
    agency = _linked(uow, Role.AGENCY) or uow.s.scalar(select(HRAgency.id).limit(1))
    demo_seeker = _linked(uow, Role.SEEKER)
    own = _open_vacancies(uow, ent, 3)
    if len(own) < 2 or agency is None:
        return {"applications": 0}
    skip = {demo_seeker} if demo_seeker else set()
    made = placements = 0
    for seeker_id, steps in zip(_seekers(uow, skip, len(STEPS)), STEPS, strict=False):
        skip.add(seeker_id)
        try:
            with uow.s.begin_nested():
                app = actions.apply(uow, DEMO, own[0], "", seeker_id=seeker_id)
                _advance(uow, app.id, steps, today)
        except DomainError as exc:
            log.info("demo application skipped: %s", exc)
            continue
        made, placements = made + 1, placements + ("hired" in steps)
    if demo_seeker is not None:
        targets = [own[-1], *_open_vacancies(uow, None, 2)]
        for vacancy_id, steps in zip(targets, (("shortlisted", "interview"), ()), strict=False):
            try:
                with uow.s.begin_nested():
                    app = actions.apply(uow, DEMO, vacancy_id, "您好", seeker_id=demo_seeker)
                    _advance(uow, app.id, steps, today)
                made += 1
            except DomainError as exc:
                log.info("demo seeker application skipped: %s", exc)
    for seeker_id in _seekers(uow, skip, 1, unemployed=True):
        try:
            with uow.s.begin_nested():
                _agency_hire(uow, agency, own[1], seeker_id, today)
            made, placements = made + 1, placements + 1
        except DomainError as exc:
            log.info("demo agency hire skipped: %s", exc)
    return {"applications": made, "placements": placements}
