"""Why a (person, vacancy) pair is ranked where it is, or which hard constraint excludes it."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date
from typing import Any

import numpy as np

from matcher.index.registry import get_registry
from matcher.matching import constraints
from matcher.matching.constraints import Exclusion
from matcher.matching.profiles import PersonKind
from matcher.matching.ranking import Component, agreements_between, score_pair
from matcher.recommend.service import (
    RANK_LIMIT,
    load_person,
    load_vacancy,
    person_vector,
    recommend_for_profile,
    vacancy_vector,
    weights_on,
)
from matcher.runtime import Runtime


@dataclass(frozen=True)
class Explanation:
    """The verdict on one pair: excluded (by which rules) or ranked (with the breakdown)."""

    person_kind: PersonKind
    person_id: int
    vacancy_id: int
    eligible: bool
    excluded_by: tuple[Exclusion, ...]
    score: float
    components: tuple[Component, ...]
    similarity: float
    matched_skills: tuple[str, ...]
    missing_skills: tuple[str, ...]
    distance_km: float | None
    distance_approximate: bool
    key_tier: str
    urgency: str
    agreement: str | None
    rank: int | None  # among the person's recommendations; None if excluded or beyond
    weights_valid_from: date

    @property
    def codes(self) -> list[str]:
        """Codes of the broken hard constraints."""
        return [e.code for e in self.excluded_by]

    def reasons(self) -> list[str]:
        """Human-readable lines: exclusions, or the contributions from largest down."""
        if not self.eligible:
            return [f"excluded ({e.code}): {e.message}" for e in self.excluded_by]
        lines = [f"rank {self.rank}" if self.rank else f"ranked below the top {RANK_LIMIT}"]
        for c in sorted(self.components, key=lambda c: -c.contribution):
            lines.append(f"{c.name}: {c.value:.3f} x {c.weight:g} = {c.contribution:.4f}")
        if self.matched_skills:
            lines.append("has: " + ", ".join(self.matched_skills))
        if self.missing_skills:
            lines.append("lacks (preferred): " + ", ".join(self.missing_skills))
        if self.key_tier != "none":
            lines.append(f"key-enterprise tier: {self.key_tier}")
        if self.agreement:
            lines.append(f"lending agreement between the enterprises: {self.agreement}")
        return lines

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict."""
        out = asdict(self)
        out["weights_valid_from"] = self.weights_valid_from.isoformat()
        out["components"] = {c.name: {"value": c.value, "weight": c.weight,
                                      "contribution": c.contribution} for c in self.components}
        return out


def explain(
    rt: Runtime, person_id: int, vacancy_id: int, *, kind: PersonKind = "seeker",
    as_of: date | None = None,
) -> Explanation:
    """Explain the pair (``kind`` says whether ``person_id`` is a seeker or surplus staff)."""
    today = as_of or date.today()
    w = weights_on(rt, today)
    person = load_person(rt, kind, person_id)
    vacancy = load_vacancy(rt, vacancy_id)
    reg = get_registry(rt)
    excluded = tuple(constraints.check(person, vacancy, today=today, skills=reg.skills))
    similarity = float(np.dot(person_vector(rt, reg, person), vacancy_vector(rt, reg, vacancy)))
    with rt.uow() as uow:
        deals = agreements_between(uow.s, [(person.enterprise_id or 0,
                                            vacancy.enterprise_id or 0)])
    found = deals.get((person.enterprise_id or 0, vacancy.enterprise_id or 0), set())
    b = score_pair(person, vacancy, similarity, weights=w, skills=reg.skills, today=today,
                   agreements=found)
    rank = None
    if not excluded:
        ranked = recommend_for_profile(rt, person, k=RANK_LIMIT, as_of=today)
        rank = next((r.rank for r in ranked if r.vacancy_id == vacancy_id), None)
    return Explanation(
        person_kind=kind, person_id=person_id, vacancy_id=vacancy_id, eligible=not excluded,
        excluded_by=excluded, score=b.score, components=b.components, similarity=similarity,
        matched_skills=b.matched_skills, missing_skills=b.missing_skills,
        distance_km=b.distance_km, distance_approximate=b.distance_approximate,
        key_tier=b.key_tier, urgency=b.urgency, agreement=b.agreement, rank=rank,
        weights_valid_from=b.weights_valid_from,
    )
