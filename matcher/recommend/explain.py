"""Why a (person, vacancy) pair is ranked where it is, or which hard constraint excludes it.

Scores people understand: :func:`score_100` maps the engine's absolute score (the weighted
sum of the components, about 0.45-1.05 with the default e5-small-jobs) to 0-100 with one
fixed, monotone, piecewise-linear scale (:data:`SCALE_KNOTS`), the same for every query,
person and vacancy. The knots are the deciles of the engine's score over the RELEVANT pairs
of the hand-labelled set ``matcher/data/eval_matching.json`` (934 relevant of 19,701 pairs;
text and skills components, weights in force, default encoder): 50 means "as good as the
median true match", 90 "better than nine in ten true matches", 0 "below the weakest true
match". On that set the other (irrelevant) pairs have a median of 0 and 0.4% reach 50 (with
e5-small: 13 and 1.2%). Refit after changing the
encoder or the weights: ``scripts/fit_score_scale.py`` prints new knots.

:func:`plain_reasons` gives 2-4 reasons in plain terms (has the required skills 3/3, about
5 km away, key enterprise, can be borrowed) as ``(code, params)`` for the web layer to put
into words; preferred skills the person lacks are a plus (``plus_skills``), never "missing":
a ranked pair already holds every required skill (a hard constraint).
"""

from __future__ import annotations

import bisect
from collections.abc import Mapping
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
from matcher.words import N_, msg, word

#: engine score at 0, 10, ..., 100 (scripts/fit_score_scale.py, e5-small-jobs; with e5-small
#: they were 0.7916 ... 1.0453: its cosines crowd into a narrower, higher band)
SCALE_KNOTS = (0.4678, 0.6188, 0.6527, 0.6777, 0.696, 0.7145, 0.736, 0.7609, 0.7953, 0.8477,
               1.0072)
MAX_REASONS = 4
#: a text similarity above which the work itself is a reason: reached by 80% of the hand
#: set's true matches and 3% of the other pairs (scripts/fit_score_scale.py; 0.85 with
#: e5-small reached 78% and 39%)
SIMILAR_WORK = 0.64
#: the score components by the words a person reads
COMPONENT_WORDS = {
    "semantic": N_("Text similarity"), "skills": N_("Skills"), "distance": N_("Distance"),
    "key_tier": N_("Key enterprise"), "urgency": N_("Urgency"),
    "agreement": N_("Lending agreement"), "freshness": N_("Freshness"),
}


def score_100(score: float | None) -> int | None:
    """The engine's score on the fixed 0-100 scale (see the module docstring)."""
    if score is None:
        return None
    x = float(score)  # np.interp on one scalar: ~4 us, and every result of an answer needs it
    if x <= SCALE_KNOTS[0]:
        return 0
    if x >= SCALE_KNOTS[-1]:
        return 100
    i = bisect.bisect_right(SCALE_KNOTS, x) - 1
    lo, hi = SCALE_KNOTS[i], SCALE_KNOTS[i + 1]
    return round(10 * i + 10 * (x - lo) / (hi - lo))


def _component_value(m: Any, name: str) -> float | None:
    parts = getattr(m, "components", None) or {}
    if isinstance(parts, Mapping):
        found = parts.get(name)
        return None if found is None else float(found["value"])
    return next((float(c.value) for c in parts if c.name == name), None)


def plain_reasons(m: Any) -> list[tuple[str, dict[str, Any]]]:
    """2-4 reasons of a ranked pair (a match, candidate or explanation) as (code, params),
    strongest kinds first: skills, distance, key enterprise, borrowable, agreement."""
    out: list[tuple[str, dict[str, Any]]] = []
    have = len(getattr(m, "matched_skills", ()) or ())
    lacking = list(getattr(m, "missing_skills", ()) or ())
    if have and not lacking:
        out.append(("skills_all", {"have": have, "total": have}))
    elif lacking:
        out.append(("skills_required", {}))
    else:
        out.append(("no_skills_needed", {}))
    km = getattr(m, "distance_km", None)
    if km is not None:
        code = "distance_approx" if getattr(m, "distance_approximate", False) else "distance"
        out.append((code, {"km": f"{km:.0f}" if km >= 10 else f"{km:.1f}"}))
    if getattr(m, "key_tier", "none") not in ("none", None, ""):
        out.append(("key_enterprise", {}))
    if getattr(m, "kind", None) == "surplus":
        out.append(("borrowable", {}))
    if getattr(m, "agreement", None):
        out.append(("agreement", {}))
    if getattr(m, "urgency", "normal") not in ("normal", None, ""):
        out.append(("urgent", {}))
    similarity = _component_value(m, "semantic")
    if len(out) < 2 or (similarity is not None and similarity >= SIMILAR_WORK):
        out.insert(1 if out else 0, ("similar_work", {}))
    out = out[:MAX_REASONS]
    if lacking and len(out) < MAX_REASONS:
        out.append(("plus_skills", {"skills": "、".join(lacking)}))
    return out


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
        """Lines a person reads (:func:`~matcher.words.msg`, translated where shown):
        the exclusions, or the rank and the contributions from largest down."""
        if not self.eligible:
            return [msg("Excluded: %(reason)s", reason=e.message) for e in self.excluded_by]
        lines: list[str] = [msg("Rank %(n)s.", n=self.rank) if self.rank else
                            msg("Ranked below the top %(n)s.", n=RANK_LIMIT)]
        for c in sorted(self.components, key=lambda c: -c.contribution):
            lines.append(msg("%(component)s: %(value)s × weight %(weight)s = %(points)s",
                             component=word(COMPONENT_WORDS.get(c.name, c.name)),
                             value=f"{c.value:.2f}", weight=f"{c.weight:.2f}",
                             points=f"{c.contribution:.3f}"))
        if self.matched_skills:
            lines.append(msg("Has: %(skills)s", skills="、".join(self.matched_skills)))
        if self.missing_skills:
            lines.append(msg("A plus (preferred, not required): %(skills)s",
                             skills="、".join(self.missing_skills)))
        if self.key_tier != "none":
            lines.append(msg("Key-enterprise tier: %(tier)s", tier=word(self.key_tier)))
        if self.agreement:
            lines.append(msg("Lending agreement between the enterprises: %(state)s",
                             state=word(self.agreement)))
        return lines

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict (with ``score_100`` and the plain ``reasons`` as codes)."""
        out = asdict(self)
        out["weights_valid_from"] = self.weights_valid_from.isoformat()
        out["components"] = {c.name: {"value": c.value, "weight": c.weight,
                                      "contribution": c.contribution} for c in self.components}
        out["score_100"] = score_100(self.score) if self.eligible else None
        out["reasons"] = [{"code": code, **params} for code, params in plain_reasons(self)] \
            if self.eligible else []
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
    with rt.reader() as uow:
        deals = agreements_between(uow.s, [(person.enterprise_id or 0,
                                            vacancy.enterprise_id or 0)])
    found = deals.get((person.enterprise_id or 0, vacancy.enterprise_id or 0), set())
    rank = None
    if not excluded:
        ranked = recommend_for_profile(rt, person, k=RANK_LIMIT, as_of=today)
        hit = next((r for r in ranked if r.vacancy_id == vacancy_id), None)
        if hit is not None:  # the text signal it was ranked with (fused with lexical scores)
            rank, similarity = hit.rank, hit.components["semantic"]["value"]
    b = score_pair(person, vacancy, similarity, weights=w, skills=reg.skills, today=today,
                   agreements=found)
    return Explanation(
        person_kind=kind, person_id=person_id, vacancy_id=vacancy_id, eligible=not excluded,
        excluded_by=excluded, score=b.score, components=b.components, similarity=similarity,
        matched_skills=b.matched_skills, missing_skills=b.missing_skills,
        distance_km=b.distance_km, distance_approximate=b.distance_approximate,
        key_tier=b.key_tier, urgency=b.urgency, agreement=b.agreement, rank=rank,
        weights_valid_from=b.weights_valid_from,
    )
