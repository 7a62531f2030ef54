"""Candidates for a labor gap from three sources, scored by the matching engine's ranking.

Sources: job seekers (active, consenting), other enterprises' lendable staff
(:func:`matcher.lending.pool.lendable_employees`) and members of cohorts on their way
(formed, departed or arrived, not yet placed). A gap becomes the engine's
:class:`VacancyProfile` (its linked vacancy's text when it has one, with the gap's skills
required, headcount, urgency and site). Every (gap, person) pair is scored at once from
stored vectors by :func:`matcher.index.people_grid.score_people` (the engine's hard
constraints and components, vectorized), and the pairs shown are scored by
:func:`matcher.matching.ranking.score_pair` itself, so all sources share one score scale
and a seeker scores as in ``candidates_for_vacancy``. On top, the desk's own rule: a
person must be available (a cohort member: arrive) on or before the gap's deadline. People
already confirmed in a dispatch are not offered again. :func:`candidates_for_gaps` serves
a page of gaps with one supply and one grid.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from matcher.bureau.gaps import GapRow, get_gap
from matcher.enums import (
    CohortStatus,
    DispatchStatus,
    KeyTier,
    SupplySource,
    Urgency,
    VacancyStatus,
)
from matcher.index.people_grid import PeopleGrid, score_people
from matcher.index.registry import get_registry
from matcher.lending.engine_scoring import person_profile
from matcher.lending.pool import lendable_employees
from matcher.matching.profiles import PersonProfile, VacancyProfile, load_people, load_vacancies
from matcher.models import (
    Cohort,
    CohortMember,
    CohortRegistration,
    DispatchAssignment,
    LaborGap,
)
from matcher.recommend.service import weights_on
from matcher.runtime import Runtime

SOURCE_OFFSET = {SupplySource.SEEKER: 0, SupplySource.SURPLUS: 1 << 40,
                 SupplySource.COHORT: 1 << 41}


@dataclass(frozen=True)
class Supply:
    """One person who could fill a gap."""

    source: SupplySource
    person_id: int
    name: str | None
    profile: PersonProfile
    available_on: date | None  # seeker: available_from; cohort member: arrival date
    enterprise_id: int | None = None  # surplus: the lender
    enterprise: str = ""
    cohort_id: int | None = None

    @property
    def key(self) -> int:
        """A unique integer across sources (the allocation solver's employee id)."""
        return SOURCE_OFFSET[self.source] + self.person_id


@dataclass(frozen=True)
class GapCandidate:
    """A scored person for a gap, with the engine's explanation."""

    supply: Supply
    score: float
    matched_skills: tuple[str, ...]
    missing_skills: tuple[str, ...]
    distance_km: float | None

    def to_dict(self) -> dict[str, object]:
        """A CSV/JSON-ready row."""
        s = self.supply
        return {"source": str(s.source), "person_id": s.person_id, "name": s.name or "",
                "enterprise": s.enterprise, "cohort_id": s.cohort_id or "",
                "available_on": s.available_on.isoformat() if s.available_on else "",
                "score": round(self.score, 4), "matched": ";".join(self.matched_skills),
                "distance_km": round(self.distance_km, 1) if self.distance_km else ""}


def _confirmed(session: Session, source: SupplySource) -> set[int]:
    return set(session.scalars(select(DispatchAssignment.person_id).where(
        DispatchAssignment.source == source,
        DispatchAssignment.status == DispatchStatus.CONFIRMED)))


def seeker_supply(session: Session) -> list[Supply]:
    """Active, consenting job seekers not yet dispatched."""
    taken = _confirmed(session, SupplySource.SEEKER)
    return [Supply(SupplySource.SEEKER, p.id, p.name, p, p.available_from)
            for p in load_people(session, indexed_only=True)
            if p.kind == "seeker" and p.id is not None and p.id not in taken]


def surplus_supply(session: Session, day: date) -> list[Supply]:
    """Staff lendable on ``day`` and not yet dispatched."""
    taken = _confirmed(session, SupplySource.SURPLUS)
    return [Supply(SupplySource.SURPLUS, e.id, e.name, person_profile(e), e.available_from,
                   e.enterprise_id, e.enterprise_name)
            for e in lendable_employees(session, day, day) if e.id not in taken]


def cohort_supply(session: Session) -> list[Supply]:
    """Members of cohorts on their way (or arrived, not handed over) with no employer yet."""
    taken = _confirmed(session, SupplySource.COHORT)
    rows = session.execute(
        select(CohortMember, Cohort).join(
            CohortRegistration, CohortRegistration.id == CohortMember.registration_id
        ).join(Cohort, Cohort.id == CohortRegistration.cohort_id).where(
            Cohort.status.in_([CohortStatus.FORMED, CohortStatus.DEPARTED, CohortStatus.ARRIVED]),
            CohortMember.vacancy_id.is_(None),
        ).order_by(CohortMember.id))
    out = []
    for m, c in rows:
        if m.id in taken:
            continue
        p = PersonProfile(kind="seeker", id=None, external_id=f"cohort-member:{m.id}",
                          name=m.name, skills=tuple(m.skills or ()),
                          experience=f"{c.origin_province}{c.origin_city} 返岗 returning worker",
                          district=c.destination_district, available_from=c.arrival_date)
        out.append(Supply(SupplySource.COHORT, m.id, m.name, p, c.arrival_date, cohort_id=c.id))
    return out


def all_supply(session: Session, day: date) -> list[Supply]:
    """Every source, in source then id order."""
    return seeker_supply(session) + surplus_supply(session, day) + cohort_supply(session)


def gap_profile(session: Session, gap: GapRow, today: date) -> VacancyProfile:
    """The engine's view of a gap (its linked vacancy's text when it has one)."""
    row = session.get(LaborGap, gap.id)
    assert row is not None
    base = VacancyProfile(id=None, external_id=f"gap:{gap.id}", title=gap.title)
    if gap.vacancy_id is not None:
        found = load_vacancies(session, [gap.vacancy_id])
        base = found[0] if found else base
    return replace(
        base, id=None, external_id=f"gap:{gap.id}", required_skills=gap.skills,
        preferred_skills=tuple(s for s in base.preferred_skills if s not in gap.skills),
        enterprise_id=gap.enterprise_id, enterprise=gap.enterprise,
        key_tier=KeyTier(gap.key_tier), district=row.district, latitude=row.latitude,
        longitude=row.longitude, status=VacancyStatus.OPEN, headcount=gap.needed, filled=0,
        accepts_borrowed=row.accepts_borrowed, borrow_from=today, borrow_to=gap.deadline,
        start_date=None, urgency=Urgency(gap.urgency), posted_on=gap.reported_on,
    )


def _day(value: date | None) -> int:
    return value.toordinal() if value else 0


def score_grid(
    rt: Runtime, session: Session, gaps: Sequence[VacancyProfile], deadlines: Sequence[date],
    supply: Sequence[Supply], today: date, *, keys: Sequence[int | None] | None = None,
) -> PeopleGrid:
    """Every (gap, person) pair scored from stored vectors (``estimates``: ``-inf`` where a
    pair is not allowed); ``keys`` name each gap's vacancy in the index (default: its id)."""
    arrive = np.array([_day(s.available_on) for s in supply], dtype=np.int64)
    by = np.array([d.toordinal() for d in deadlines], dtype=np.int64)
    in_time = (arrive[None, :] == 0) | (arrive[None, :] <= by[:, None])
    return score_people(get_registry(rt), session, gaps,
                        [g.id for g in gaps] if keys is None else keys,
                        [s.profile for s in supply], weights=weights_on(rt, today),
                        today=today, allowed=in_time)


def _ranked(grid: PeopleGrid, i: int, supply: Sequence[Supply], k: int
            ) -> dict[str, list[GapCandidate]]:
    out: dict[str, list[GapCandidate]] = {}
    for source in SupplySource:
        cols = np.array([j for j, s in enumerate(supply) if s.source == source], dtype=np.int64)
        cands = [GapCandidate(supply[j], b.score, b.matched_skills, b.missing_skills,
                              b.distance_km) for j, b in grid.top(i, cols, k)]
        cands.sort(key=lambda c: (-c.score, c.supply.person_id))
        out[str(source)] = cands[:k]
    return out


def candidates_for_gaps(
    rt: Runtime, session: Session, gap_ids: Sequence[int], *, today: date, k: int = 5,
) -> dict[int, dict[str, list[GapCandidate]]]:
    """The best ``k`` candidates of each source for each gap, sharing one supply and one
    grid: ``{gap_id: {source: [...]}}``."""
    rows = [get_gap(session, gap_id) for gap_id in gap_ids]
    supply = all_supply(session, today)
    grid = score_grid(rt, session, [gap_profile(session, g, today) for g in rows],
                      [g.deadline for g in rows], supply, today,
                      keys=[g.vacancy_id for g in rows])
    return {g.id: _ranked(grid, i, supply, k) for i, g in enumerate(rows)}


def candidates_for_gap(
    rt: Runtime, session: Session, gap_id: int, *, today: date, k: int = 5,
) -> dict[str, list[GapCandidate]]:
    """The best ``k`` candidates of each source for one gap: ``{source: [...]}``."""
    return candidates_for_gaps(rt, session, [gap_id], today=today, k=k)[gap_id]
