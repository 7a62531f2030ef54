"""The ranking score of an allowed (person, vacancy) pair, from named, weighted components.

``score = sum(weight * value)`` over :data:`matcher.matching.weights.COMPONENTS`, computed
by the components of :mod:`matcher.matching.components` on one row; the :class:`Breakdown`
keeps every value, weight and contribution so an explanation adds up to the score exactly.
Ties are broken by id (score descending, then id ascending) by callers.
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

from matcher.matching import components
from matcher.matching.components import agreement_values, skill_share
from matcher.matching.profiles import PersonProfile, VacancyProfile
from matcher.matching.sides import Side, pair_sides
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
    share = skill_share(np.array([len(matched)]), np.array([len(matched) + len(missing)]),
                        min_listed)
    return float(share[0])


def score_pairs(
    people: Sequence[PersonProfile], vacancies: Sequence[VacancyProfile],
    similarities: Sequence[float] | np.ndarray, *, weights: WeightsVersion,
    skills: SkillMatcher, today: date, agreements: Sequence[Iterable[str]] | None = None,
    sides: tuple[Side, Side] | None = None,
) -> list[Breakdown]:
    """Score the allowed pairs ``(people[i], vacancies[i])`` at once (``agreements[i]``:
    the statuses between that pair's lender and borrower; ``sides``: the pairs' sides when
    the caller built them already, e.g. to check the constraints)."""
    if not people:
        return []
    statuses = [list(found) for found in agreements] if agreements else [[] for _ in people]
    person, vacancy = sides or pair_sides(people, vacancies, skills)
    facts = components.pair_facts(person, vacancy, np.asarray(similarities, dtype=np.float64),
                                  today=today, agreements=agreement_values(weights, statuses))
    values = {name: column.tolist() for name, column in components.values(facts, weights).items()}
    dists = facts.distance_km.tolist()
    exact = (~np.isnan(person["lat"]) & ~np.isnan(vacancy["lat"])).tolist()
    return [_breakdown(p, v, {name: column[i] for name, column in values.items()}, dists[i],
                       exact[i], statuses[i], weights, skills)
            for i, (p, v) in enumerate(zip(people, vacancies, strict=True))]


def _breakdown(p: PersonProfile, v: VacancyProfile, values: dict[str, float], dist: float,
               exact: bool, statuses: list[str], weights: WeightsVersion,
               skills: SkillMatcher) -> Breakdown:
    """One pair's breakdown from its row of component values."""
    parts = tuple(Component(name, values[name], weights.weights[name],
                            weights.weights[name] * values[name]) for name in COMPONENTS)
    match = skills.match(list(v.required_skills) + list(v.preferred_skills), p.skills)
    return Breakdown(
        score=math.fsum(c.contribution for c in parts), components=parts,
        matched_skills=match.matched, missing_skills=match.missing,
        distance_km=None if math.isnan(dist) else dist,
        distance_approximate=not (exact or math.isnan(dist)), key_tier=str(v.key_tier),
        urgency=str(v.urgency),
        agreement=best_agreement(statuses, weights) if p.kind == "surplus" else None,
        weights_valid_from=weights.valid_from,
    )


def score_pair(
    p: PersonProfile, v: VacancyProfile, similarity: float, *, weights: WeightsVersion,
    skills: SkillMatcher, today: date, agreements: Iterable[str] = (),
) -> Breakdown:
    """Score one allowed pair; ``agreements`` are statuses between lender and borrower (a
    one-row :func:`score_pairs`: the components the table estimates run)."""
    return score_pairs([p], [v], [similarity], weights=weights, skills=skills, today=today,
                       agreements=[agreements])[0]


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
