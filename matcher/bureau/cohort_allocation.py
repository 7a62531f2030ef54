"""Allocating a cohort's workers to destination vacancies, keeping groups together.

:func:`allocate_members` is pure. Vacancies have capacities (open headcount); members
belong to registration groups; scores are the engine's (``-inf``: not allowed). Phase 1
takes each group of two or more (largest first, then group key) and, among the employers
whose vacancies can take *every* member of the group, picks the one with the best total
score, placing the members on that employer's vacancies with the lending desk's exact
solver (:func:`matcher.lending.allocation.allocate`). Phase 2 places everyone left
(singles and groups no single employer could take) over the remaining capacity with the
same solver. Capacities are never exceeded, and each member gets at most one vacancy.

:func:`allocate_cohort` feeds it from the database: vacancies open in the cohort's
destination district, each with capacity ``headcount - filled`` minus cohort members
already allocated to it; members without an employer yet.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np
from sqlalchemy import func, select

from matcher import audit
from matcher.bureau.candidates import cohort_supply, score_grid
from matcher.db import UnitOfWork
from matcher.enums import SupplySource
from matcher.lending.allocation import SlotDemand, allocate
from matcher.matching.profiles import load_vacancies
from matcher.models import CohortMember, Vacancy
from matcher.runtime import Runtime


@dataclass(frozen=True)
class Seat:
    """A destination vacancy as the allocation sees it."""

    vacancy_id: int
    enterprise_id: int
    capacity: int


def _solve(seats: Sequence[Seat], cap: dict[int, int], members: Sequence[int],
           rows: Sequence[int], cols: Sequence[int], scores: np.ndarray) -> dict[int, int]:
    slots = [SlotDemand(f"{seats[r].vacancy_id:012d}", cap[r]) for r in rows]
    if not slots or not cols:
        return {}
    sub = scores[np.ix_(list(rows), list(cols))]
    result = allocate(slots, [members[c] for c in cols], sub, key_share=0.0,
                      min_score=-np.inf)
    return {a.employee: int(a.demand) for a in result.assignments}


def allocate_members(
    seats: Sequence[Seat], members: Sequence[int], groups: Sequence[int], scores: np.ndarray,
) -> dict[int, int]:
    """``{member: vacancy}`` for members (with their group keys) over seats (see module)."""
    scores = np.asarray(scores, dtype=float).reshape(len(seats), len(members))
    cap = {i: max(s.capacity, 0) for i, s in enumerate(seats)}
    row_of = {s.vacancy_id: i for i, s in enumerate(seats)}
    by_group: dict[int, list[int]] = defaultdict(list)
    for j, g in enumerate(groups):
        by_group[g].append(j)
    employers: dict[int, list[int]] = defaultdict(list)
    for i, s in enumerate(seats):
        employers[s.enterprise_id].append(i)
    placed: dict[int, int] = {}
    for _, cols in sorted(by_group.items(), key=lambda kv: (-len(kv[1]), kv[0])):
        if len(cols) < 2:
            continue
        best: tuple[float, int, dict[int, int]] | None = None
        for ent, rows in sorted(employers.items()):
            if sum(cap[r] for r in rows) < len(cols):
                continue
            got = _solve(seats, cap, members, rows, cols, scores)
            if len(got) < len(cols):
                continue
            total = float(sum(scores[row_of[v], members.index(m)] for m, v in got.items()))
            if best is None or total > best[0] + 1e-12:
                best = (total, ent, got)
        if best is not None:
            for m, v in best[2].items():
                placed[m] = v
                cap[row_of[v]] -= 1
    rest = [j for j, m in enumerate(members) if m not in placed]
    for m, v in _solve(seats, cap, members, range(len(seats)), rest, scores).items():
        placed[m] = v
        cap[row_of[v]] -= 1
    return placed


def allocate_cohort(rt: Runtime, uow: UnitOfWork, cohort_id: int, *, today: date,
                    actor: str) -> dict[int, int]:
    """Allocate a cohort's unplaced members to vacancies of its destination district."""
    supply = [s for s in cohort_supply(uow.s) if s.cohort_id == cohort_id]
    if not supply:
        return {}
    district = supply[0].profile.district
    taken: dict[int, int] = {v or 0: n for v, n in uow.s.execute(select(
        CohortMember.vacancy_id, func.count()).where(CohortMember.vacancy_id.is_not(None))
        .group_by(CohortMember.vacancy_id))}
    ids = list(uow.s.scalars(select(Vacancy.id).where(Vacancy.district == district)))
    profiles = [v for v in load_vacancies(uow.s, ids, open_only=True)
                if v.id is not None and v.headcount - v.filled - taken.get(v.id, 0) > 0]
    seats = [Seat(v.id or 0, v.enterprise_id or 0,
                  v.headcount - v.filled - taken.get(v.id or 0, 0)) for v in profiles]
    scores = score_grid(rt, uow.s, profiles, [date.max] * len(profiles), supply,
                        today).estimates
    groups = {m.id: m.registration_id for m in uow.s.scalars(select(CohortMember).where(
        CohortMember.id.in_([s.person_id for s in supply])))}
    members = [s.person_id for s in supply]
    placed = allocate_members(seats, members, [groups[m] for m in members], scores)
    for m in uow.s.scalars(select(CohortMember).where(CohortMember.id.in_(list(placed)))):
        m.vacancy_id = placed[m.id]
    audit.record(uow.s, actor, "cohort.allocate", "cohort", cohort_id,
                 {"placed": len(placed), "members": len(members),
                  "source": str(SupplySource.COHORT)})
    uow.s.flush()
    return placed
