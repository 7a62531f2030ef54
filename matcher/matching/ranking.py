"""The ranking score of an allowed (person, vacancy) pair, from named, weighted components.

``score = sum(weight * value)`` over :data:`matcher.matching.weights.COMPONENTS`; the
:class:`Breakdown` keeps every value, weight and contribution so an explanation adds up to
the score exactly. Ties are broken by id (score descending, then id ascending) by callers.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from matcher.geo import approximate_location, haversine_km
from matcher.matching.constraints import distance_km
from matcher.matching.estimate import agreement_values
from matcher.matching.profiles import PersonProfile, VacancyProfile
from matcher.matching.weights import COMPONENTS, WeightsVersion
from matcher.models import Agreement
from matcher.skills import SkillMatcher


@dataclass(frozen=True)
class Component:
    """One named part of a score."""

    name: str
    value: float
    weight: float
    contribution: float


@dataclass(frozen=True)
class Breakdown:
    """A score and everything that produced it."""

    score: float
    components: tuple[Component, ...]
    matched_skills: tuple[str, ...]
    missing_skills: tuple[str, ...]
    distance_km: float | None
    distance_approximate: bool
    key_tier: str
    urgency: str
    agreement: str | None
    weights_valid_from: date

    def component(self, name: str) -> Component:
        """The component called ``name``."""
        return next(c for c in self.components if c.name == name)

    def as_dict(self) -> dict[str, dict[str, float]]:
        """``{name: {value, weight, contribution}}``."""
        return {c.name: {"value": c.value, "weight": c.weight, "contribution": c.contribution}
                for c in self.components}


def _distance(p: PersonProfile, v: VacancyProfile) -> tuple[float | None, bool]:
    exact = distance_km(p, v)
    if exact is not None:
        return exact, False
    here = approximate_location(p.latitude, p.longitude, p.district)
    there = approximate_location(v.latitude, v.longitude, v.district)
    if here is None or there is None:
        return None, False
    return haversine_km(here[0], here[1], there[0], there[1]), True


def best_agreement(statuses: Iterable[str], w: WeightsVersion) -> str | None:
    """The status that weighs most (None when none counts)."""
    best, value = None, 0.0
    for status in sorted(set(statuses)):
        if w.agreement_values.get(status, 0.0) > value:
            best, value = status, w.agreement_values[status]
    return best


def skill_evidence(matched: Sequence[str], missing: Sequence[str], min_listed: int) -> float:
    """Share of a vacancy's listed skills the person has, shrunk when few are listed.

    A posting that lists one generic skill (持证 "certified") says little about the job, so
    the denominator is at least ``min_listed``: one matched skill out of one counts 1/3 with
    ``min_listed: 3``, the same as one out of three.
    """
    total = len(matched) + len(missing)
    return len(matched) / max(total, min_listed) if total else 0.0


def score_pair(
    p: PersonProfile, v: VacancyProfile, similarity: float, *, weights: WeightsVersion,
    skills: SkillMatcher, today: date, agreements: Iterable[str] = (),
) -> Breakdown:
    """Score one allowed pair; ``agreements`` are statuses between lender and borrower."""
    listed = list(v.required_skills) + list(v.preferred_skills)
    match = skills.match(listed, p.skills)
    dist, approx = _distance(p, v)
    agreement = best_agreement(agreements, weights) if p.kind == "surplus" else None
    age = max((today - v.posted_on).days, 0) if v.posted_on else 0
    values = {
        "semantic": max(0.0, min(1.0, float(similarity))),
        "skills": skill_evidence(match.matched, match.missing, weights.skills_min_listed),
        "distance": (weights.unknown_distance if dist is None
                     else math.exp(-dist / weights.distance_scale_km)),
        "key_tier": weights.key_tier_values[str(v.key_tier)],
        "urgency": weights.urgency_values[str(v.urgency)],
        "agreement": weights.agreement_values.get(agreement, 0.0) if agreement else 0.0,
        "freshness": 0.5 ** (age / weights.freshness_half_life_days),
    }
    components = tuple(
        Component(name, values[name], weights.weights[name], weights.weights[name] * values[name])
        for name in COMPONENTS
    )
    return Breakdown(
        score=math.fsum(c.contribution for c in components), components=components,
        matched_skills=match.matched, missing_skills=match.missing, distance_km=dist,
        distance_approximate=approx, key_tier=str(v.key_tier), urgency=str(v.urgency),
        agreement=agreement, weights_valid_from=weights.valid_from,
    )


def agreements_between(
    session: Session, pairs: Iterable[tuple[int, int]]
) -> dict[tuple[int, int], set[str]]:
    """Agreement statuses per (lender, borrower) enterprise pair, for the given pairs."""
    wanted = {(lender, borrower) for lender, borrower in pairs if lender and borrower}
    out: dict[tuple[int, int], set[str]] = defaultdict(set)
    if not wanted:
        return out
    lenders = sorted({lender for lender, _ in wanted})
    borrowers = sorted({b for _, b in wanted})
    stmt = select(Agreement.lender_id, Agreement.borrower_id, Agreement.status).where(
        Agreement.lender_id.in_(lenders), Agreement.borrower_id.in_(borrowers)
    )
    for lender, borrower, status in session.execute(stmt):
        if (lender, borrower) in wanted:
            out[(lender, borrower)].add(str(status))
    return out


class AgreementCache:
    """Agreement statuses per (lender, borrower) enterprise pair, each pair read once per
    request: the estimate of a round's hits and the exact scoring of its top share them."""

    def __init__(self) -> None:
        self._found: dict[tuple[int, int], set[str]] = {}

    def read(self, session: Session, pairs: Iterable[tuple[int, int]]
             ) -> dict[tuple[int, int], set[str]]:
        """Statuses of ``pairs`` (and of every pair read before), reading the new ones."""
        missing = {pair for pair in pairs if pair not in self._found}
        if missing:
            got = agreements_between(session, missing)
            self._found.update({pair: got.get(pair, set()) for pair in missing})
        return self._found

    def values(self, session: Session, w: WeightsVersion, pairs: list[tuple[int, int]]
               ) -> np.ndarray:
        """The weight-free agreement value of each pair (the best status; 0 where none)."""
        found = self.read(session, pairs)
        return agreement_values(w, [found[pair] for pair in pairs])
