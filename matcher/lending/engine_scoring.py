"""The matching engine's ranking as a lending :class:`~matcher.lending.matching.Scorer`.

A demand becomes the engine's :class:`VacancyProfile` (a vacancy as stored; a borrowing
request as a vacancy accepting borrowed staff whose skills are preferred, not required),
an employee a surplus :class:`PersonProfile`. Every pair is scored at once from the stored
vectors (a borrowing request's text is encoded once per process); pairs the engine's hard
constraints exclude score ``-inf`` (the lending rules are applied on top by
:func:`matcher.lending.matching.score_matrix`), the others get
:func:`matcher.matching.ranking.score_pair` with the ranking weights in force on ``today``
and the agreement history between lender and borrower (every allowed pair is shown).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import numpy as np
from sqlalchemy.orm import Session

from matcher.enums import KeyTier, Urgency, VacancyStatus
from matcher.index.people_grid import score_people
from matcher.index.registry import get_registry
from matcher.lending.demand import Demand
from matcher.lending.pool import EmployeeView
from matcher.matching.profiles import PersonProfile, VacancyProfile, load_vacancies
from matcher.matching.ranking import Breakdown
from matcher.recommend.service import weights_on
from matcher.runtime import Runtime
from matcher.words import msg, word


def person_profile(e: EmployeeView) -> PersonProfile:
    """The engine's view of a lendable employee."""
    return PersonProfile(
        kind="surplus", id=e.id, external_id=e.external_id, name=e.name, skills=e.skills,
        experience=e.experience, district=e.district, latitude=e.latitude,
        longitude=e.longitude, city=e.city, available_from=e.available_from,
        available_to=e.available_to, active=e.status == "active", consent=e.consent,
        enterprise_id=e.enterprise_id, enterprise=e.enterprise_name,
    )


def vacancy_profiles(session: Session, demands: Sequence[Demand]) -> list[VacancyProfile]:
    """The engine's view of each demand, in order."""
    stored = {v.id: v for v in load_vacancies(
        session, [d.id for d in demands if d.kind == "vacancy"])}
    out = []
    for d in demands:
        if d.kind == "vacancy":
            out.append(stored[d.id])
            continue
        out.append(VacancyProfile(
            id=None, external_id=d.key, title=d.title, description=d.description,
            preferred_skills=d.skills, enterprise_id=d.enterprise_id,
            enterprise=d.enterprise_name, key_tier=KeyTier(d.key_tier), city=d.city,
            district=d.district, latitude=d.latitude, longitude=d.longitude,
            status=VacancyStatus.OPEN, headcount=max(d.headcount, 1), filled=0,
            accepts_borrowed=True, borrow_from=d.start_date, borrow_to=d.end_date,
            start_date=d.start_date, urgency=Urgency.NORMAL,
        ))
    return out


class EngineScorer:
    """Scores and explains pairs exactly as the matching engine ranks them, from stored
    vectors (:func:`matcher.index.people_grid.score_people`; nothing is re-encoded)."""

    def __init__(self, rt: Runtime, session: Session, today: date, *, progress: bool = False):
        self.rt, self.session, self.today = rt, session, today
        self.progress = progress  # accepted for callers; scoring no longer needs a bar
        self.weights = weights_on(rt, today)
        self._last: dict[tuple[str, int], Breakdown] = {}

    def scores(self, demands: Sequence[Demand], employees: Sequence[EmployeeView]) -> np.ndarray:
        """Engine scores; ``-inf`` where the engine's hard constraints exclude a pair (the
        lending rules are applied on top by :func:`matcher.lending.matching.score_matrix`)."""
        out = np.full((len(demands), len(employees)), -np.inf)
        self._last = {}
        if not demands or not employees:
            return out
        grid = score_people(
            get_registry(self.rt), self.session, vacancy_profiles(self.session, demands),
            [d.id if d.kind == "vacancy" else None for d in demands],
            [person_profile(e) for e in employees], weights=self.weights, today=self.today)
        for i, j in zip(*np.nonzero(grid.allowed), strict=True):
            b = grid.exact(int(i), int(j))
            if b is not None:
                self._last[(demands[i].key, employees[j].id)] = b
                out[i, j] = b.score
        return out

    def reasons(self, demand: Demand, employee: EmployeeView) -> tuple[str, ...]:
        """Why the pair scores as it does, in plain words (translatable messages)."""
        b = self._last.get((demand.key, employee.id))
        if b is None:
            return ()
        lines: list[str] = []
        if b.matched_skills:
            lines.append(msg("Has the skills: %(skills)s.", skills="、".join(b.matched_skills)))
        if b.missing_skills:
            lines.append(msg("Plus skills not yet held: %(skills)s.",
                             skills="、".join(b.missing_skills)))
        if b.distance_km is not None:
            km = f"{b.distance_km:.1f}"
            lines.append(msg("About %(km)s km away (estimated from the district).", km=km)
                         if b.distance_approximate else msg("About %(km)s km away.", km=km))
        if b.agreement:
            lines.append(msg("The enterprises already have a lending agreement (%(status)s).",
                             status=word(b.agreement)))
        if b.key_tier != "none":
            lines.append(msg("Key enterprise: %(tier)s.", tier=word(b.key_tier)))
        return tuple(lines)
