"""A demo scenario for the bureau desks, on top of the base demo city.

:func:`seed_bureau_demo` reads what :func:`matcher.demo.seed.seed_demo` wrote (enterprises,
vacancies, seekers, surplus staff) and fills every desk: labor gaps of key enterprises
(some linked to their vacancies, reported over the past weeks), return-trip registrations
from the migrant workers' origin provinces with skills the destination district's
vacancies ask for, the day's cohorts (allocated to employers, some departed), a confirmed
daily dispatch of part of the day's plan (so the outbox has notifications and the
desk still has people to dispatch), officers' risk reports on stopped
enterprises and an early-warning scan (so the watch list is not empty). Deterministic for
a given seed and day; the caller commits.
"""

from __future__ import annotations

import logging
import random
from dataclasses import replace
from datetime import date, timedelta

from sqlalchemy import select

from matcher.bureau import cohorts, dispatch, gaps, warning
from matcher.bureau.cohort_allocation import allocate_cohort
from matcher.db import UnitOfWork
from matcher.demo import catalog as cat
from matcher.enums import CohortStatus, KeyTier, VacancyStatus
from matcher.models import Enterprise, SurplusEmployee, Vacancy
from matcher.runtime import Runtime
from matcher.validators import make_id_number

log = logging.getLogger(__name__)
ACTOR = "demo"


def _gaps(uow: UnitOfWork, rng: random.Random, today: date) -> list[int]:
    keyed = list(uow.s.scalars(select(Enterprise).where(
        Enterprise.key_tier != KeyTier.NONE).order_by(Enterprise.id)))
    out = []
    for ent in keyed[:14]:
        vac = uow.s.scalars(select(Vacancy).where(
            Vacancy.enterprise_id == ent.id, Vacancy.status == VacancyStatus.OPEN
        ).order_by(Vacancy.id)).first()
        if vac is None:
            continue
        reported = today - timedelta(days=rng.randint(0, 49))
        out.append(gaps.report_gap(uow, ent.id, gaps.GapInput(
            title=vac.title, headcount=rng.choice((2, 3, 5, 8, 10)),
            deadline=today + timedelta(days=rng.randint(5, 30)),
            skills=tuple(vac.required_skills or ()),
            urgency=rng.choice(("normal", "urgent", "urgent", "critical")),
            vacancy_id=vac.id if rng.random() < 0.5 else None,
            site=f"{ent.name} {ent.district or ''}".strip()), actor=ACTOR, today=reported))
    return out


def _registrations(rt: Runtime, uow: UnitOfWork, rng: random.Random, today: date,
                   groups: int = 24, first: int = 0) -> int:
    wanted: list[tuple[str, tuple[str, ...]]] = [
        (d, tuple(s)) for d, s in uow.s.execute(select(Vacancy.district, Vacancy.required_skills)
                                                .where(Vacancy.status == VacancyStatus.OPEN,
                                                       Vacancy.district.is_not(None))
                                                .order_by(Vacancy.id)) if d and s]
    if not wanted:
        return 0
    districts = sorted({d for d, _ in wanted})[:4]
    made, n = 0, first
    for i in range(groups):
        province, county = cat.PROVINCES[i % 5]
        district = districts[i % len(districts)]
        skills = rng.choice([s for d, s in wanted if d == district])
        size = rng.choice((1, 1, 2, 3, 4, 6))
        members = []
        for _ in range(size):
            n += 1
            birth = date(today.year - rng.randint(20, 50), rng.randint(1, 12), rng.randint(1, 28))
            members.append(cohorts.MemberInput(
                name=rng.choice(cat.SURNAMES) + rng.choice(cat.GIVEN),
                id_number=make_id_number(county, birth, 600 + n % 399, rng.random() < 0.6),
                phone=f"13{rng.randrange(10**9):09d}", skills=skills))
        start = today - timedelta(days=rng.randint(0, 3))
        cohorts.register(rt, uow, cohorts.RegistrationInput(
            province, district, start, start + timedelta(days=rng.randint(3, 10)),
            tuple(members)), actor=ACTOR)
        made += 1
    return made


def _risk(uow: UnitOfWork, rng: random.Random, today: date) -> None:
    lenders = sorted(set(uow.s.scalars(select(SurplusEmployee.enterprise_id))))
    for i, ent in enumerate(lenders[:5]):
        warning.file_report(uow, ent, "layoff", reported_on=today - timedelta(days=i * 7),
                            officer="officer:demo", affected=rng.randint(5, 60),
                            note="停工停产，员工待岗 / production halted, staff idle")
        if i % 2 == 0:
            warning.file_report(uow, ent, "wage_arrears", reported_on=today - timedelta(days=i),
                                officer="officer:demo", affected=rng.randint(3, 30),
                                note="拖欠工资两个月 / wages two months in arrears")


def seed_bureau_demo(rt: Runtime, uow: UnitOfWork, seed: int = 42,
                     today: date | None = None) -> dict[str, int]:
    """Fill every bureau desk with believable data; returns counts (the caller commits)."""
    today = today or date.today()
    rng = random.Random(f"{seed}:bureau")
    counts = {"gaps": len(_gaps(uow, rng, today)),
              "registrations": _registrations(rt, uow, rng, today)}
    made, refused = cohorts.form_cohorts(uow, today, 12, actor=ACTOR)
    placed = 0
    for i, cid in enumerate(made):
        placed += len(allocate_cohort(rt, uow, cid, today=today, actor=ACTOR))
        if i % 2 == 0:
            cohorts.advance(uow, cid, CohortStatus.DEPARTED, actor=ACTOR)
    counts |= {"cohorts": len(made), "cohort_placed": placed, "too_large": len(refused)}
    plan = dispatch.plan_dispatch(rt, uow.s, today)
    # an earlier officer confirmed every other assignment: the rest is the desk's work today
    part = replace(plan, assignments=plan.assignments[::2])
    counts["dispatched"] = len(part.assignments)
    counts["messages"] = 0
    if part.assignments:
        proposal = dispatch.save_plan(uow, part, actor=ACTOR)
        counts["messages"] = dispatch.confirm(uow, proposal, actor="officer:demo")
    # late registrations (after the day's cohorts left): the desk's "form cohorts" has work
    counts["late_registrations"] = _registrations(
        rt, uow, random.Random(f"{seed}:bureau:late"), today + timedelta(days=1), groups=6,
        first=300)
    _risk(uow, rng, today)
    _, added = warning.scan(uow, today, actor=ACTOR)
    counts["watch"] = len(added)
    log.info("bureau demo: %s", counts)
    return counts
