"""The matching engine's ranking as a lending :class:`~matcher.lending.matching.Scorer`.

A demand becomes the engine's :class:`VacancyProfile` (a vacancy as stored; a borrowing
request as a vacancy accepting borrowed staff whose skills are preferred, not required),
an employee a surplus :class:`PersonProfile`. Pairs the engine's hard constraints exclude
score ``-inf``; the others get :func:`matcher.matching.ranking.score_pair` with the ranking
weights in force on ``today`` and the agreement history between lender and borrower.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import numpy as np
from sqlalchemy.orm import Session
from tqdm import tqdm

from matcher.enums import KeyTier, Urgency, VacancyStatus
from matcher.lending.demand import Demand
from matcher.lending.matching import feasible
from matcher.lending.pool import EmployeeView
from matcher.matching import constraints
from matcher.matching.embedding import embed_people, embed_vacancies
from matcher.matching.profiles import PersonProfile, VacancyProfile, load_vacancies
from matcher.matching.ranking import Breakdown, agreements_between, score_pair
from matcher.matching.service import weights_on
from matcher.runtime import Runtime
from matcher.skills import get_skill_matcher


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
    """Scores and explains pairs exactly as the matching engine ranks them."""

    def __init__(self, rt: Runtime, session: Session, today: date, *, progress: bool = False):
        self.rt, self.session, self.today, self.progress = rt, session, today, progress
        self.weights = weights_on(rt, today)
        self.skills = get_skill_matcher()
        self._last: dict[tuple[str, int], tuple[PersonProfile, VacancyProfile, float]] = {}
        self._deals: dict[tuple[int, int], set[str]] = {}

    def scores(self, demands: Sequence[Demand], employees: Sequence[EmployeeView]) -> np.ndarray:
        """Engine scores; ``-inf`` where a hard constraint (engine's or lending's) excludes."""
        out = np.full((len(demands), len(employees)), -np.inf)
        self._last = {}
        if not demands or not employees:
            return out
        vacancies = vacancy_profiles(self.session, demands)
        people = [person_profile(e) for e in employees]
        sim = embed_vacancies(self.rt.encoder, vacancies) @ embed_people(
            self.rt.encoder, people).T
        self._deals = agreements_between(
            self.session, {(e.enterprise_id, d.enterprise_id) for d in demands for e in employees})
        rows = enumerate(zip(demands, vacancies, strict=True))
        for i, (d, v) in tqdm(rows, total=len(demands), desc="scoring demand",
                              disable=not self.progress):
            for j, (e, p) in enumerate(zip(employees, people, strict=True)):
                if not feasible(d, e) or constraints.check(p, v, today=self.today,
                                                           skills=self.skills):
                    continue
                self._last[(d.key, e.id)] = (p, v, float(sim[i, j]))
                out[i, j] = self._breakdown(p, v, float(sim[i, j])).score
        return out

    def _breakdown(self, p: PersonProfile, v: VacancyProfile, sim: float) -> Breakdown:
        deals = self._deals.get((p.enterprise_id or 0, v.enterprise_id or 0), set())
        return score_pair(p, v, sim, weights=self.weights, skills=self.skills, today=self.today,
                          agreements=deals)

    def reasons(self, demand: Demand, employee: EmployeeView) -> tuple[str, ...]:
        """The score's components and facts, Chinese / English."""
        found = self._last.get((demand.key, employee.id))
        if found is None:
            return ()
        b = self._breakdown(*found)
        parts = " + ".join(f"{c.name} {c.value:.2f}×{c.weight:g}"
                           for c in sorted(b.components, key=lambda c: -c.contribution)
                           if c.contribution > 0)
        lines = [f"得分 score {b.score:.3f} = {parts} (weights of {b.weights_valid_from})"]
        if b.matched_skills:
            lines.append("技能匹配 has: " + ", ".join(b.matched_skills))
        if b.missing_skills:
            lines.append("缺少 lacks: " + ", ".join(b.missing_skills))
        if b.distance_km is not None:
            approx = "（按区估算 approximate）" if b.distance_approximate else ""
            lines.append(f"距离约 about {b.distance_km:.1f} km{approx}")
        if b.agreement:
            lines.append(f"双方已有借调协议 agreement between the enterprises: {b.agreement}")
        if b.key_tier != "none":
            lines.append(f"重点企业 key enterprise: {b.key_tier}")
        return tuple(lines)
