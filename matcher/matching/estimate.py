"""Scores of search hits computed with numpy from the index's attribute table.

:func:`matcher.matching.ranking.score_pair` scores one (person, vacancy) pair from two rows
read from the database. Reading and scoring a few hundred fetched hits that way cost most of
a recommendation request, so the engine first scores every fetched hit here, from the
slot-aligned table the search already holds (same formulas, vectorized), keeps the hits that
can reach the top ``k``, and reads and scores only those with ``score_pair``. An estimate
that differs from the exact score by more than :data:`TOLERANCE` means the table is behind
the database; the service then refreshes that row like any stale hit and searches again.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

import numpy as np

from matcher.geo import approximate_location, haversine_km_many
from matcher.matching.profiles import PersonProfile, VacancyProfile
from matcher.matching.tables import NO_DAY, TIERS, URGENCIES, Table, Vocab, held_ids
from matcher.matching.weights import COMPONENTS, WeightsVersion
from matcher.skills import SkillMatcher

#: Largest difference between an estimate and the exact score that is put down to rounding
#: (the two sum the same terms in different orders: about 1e-16 apart).
TOLERANCE = 1e-7


def _total(w: WeightsVersion, values: dict[str, np.ndarray | float], n: int) -> np.ndarray:
    out = np.zeros(n, dtype=np.float64)
    for name in COMPONENTS:
        out += w.weights[name] * np.asarray(values[name], dtype=np.float64)
    return out


def _distance_values(w: WeightsVersion, here: tuple[float, float, bool] | None,
                     lats: np.ndarray, lons: np.ndarray) -> np.ndarray:
    if here is None:
        return np.full(len(lats), w.unknown_distance)
    dist = haversine_km_many(here[0], here[1], lats, lons)
    with np.errstate(invalid="ignore"):
        return np.where(np.isnan(dist), w.unknown_distance, np.exp(-dist / w.distance_scale_km))


def _skill_values(w: WeightsVersion, matched: np.ndarray, total: np.ndarray) -> np.ndarray:
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(total > 0, matched / np.maximum(total, w.skills_min_listed), 0.0)


def _freshness(w: WeightsVersion, posted: np.ndarray, today: date) -> np.ndarray:
    age = np.where(posted != NO_DAY, np.maximum(today.toordinal() - posted, 0), 0)
    return np.power(0.5, age / w.freshness_half_life_days)


def vacancy_scores(
    p: PersonProfile, rows: Table, sims: np.ndarray, *, weights: WeightsVersion,
    skills: SkillMatcher, vocab: Vocab, today: date, agreements: np.ndarray | None = None,
) -> np.ndarray:
    """Estimated scores of the vacancies in ``rows`` (vacancy table rows) for ``p``
    (``agreements``: the agreement value per row, surplus employees only)."""
    w, n = weights, len(rows)
    held = np.zeros(len(vocab) + 1, dtype=bool)  # index -1 (the padding) stays False
    held[held_ids(p, vocab, skills)] = True
    listed = rows.matrix("listed")
    tiers = np.array([w.key_tier_values[str(t)] for t in TIERS])
    urgencies = np.array([w.urgency_values[str(u)] for u in URGENCIES])
    values: dict[str, np.ndarray | float] = {
        "semantic": np.clip(sims.astype(np.float64), 0.0, 1.0),
        "skills": _skill_values(w, held[listed].sum(axis=1), (listed >= 0).sum(axis=1)),
        "distance": _distance_values(w, approximate_location(p.latitude, p.longitude,
                                                             p.district),
                                     rows.col("alat"), rows.col("alon")),
        "key_tier": tiers[rows.col("tier")],
        "urgency": urgencies[rows.col("urgency")],
        "agreement": 0.0 if agreements is None or p.kind != "surplus" else agreements,
        "freshness": _freshness(w, rows.col("posted_day"), today),
    }
    return _total(w, values, n)


def people_scores(
    v: VacancyProfile, rows: Table, sims: np.ndarray, *, weights: WeightsVersion,
    skills: SkillMatcher, vocab: Vocab, today: date, agreements: np.ndarray | None = None,
) -> np.ndarray:
    """Estimated scores of the people in ``rows`` (people table rows) for vacancy ``v``
    (``agreements``: the agreement value per row, used for surplus employees)."""
    w, n = weights, len(rows)
    listed = skills.required(list(v.required_skills) + list(v.preferred_skills))
    held = rows.skills
    matched = np.zeros(n, dtype=np.int64)
    for name in listed:
        sid = vocab.get(name)
        if sid is not None:
            matched += (held == sid).any(axis=1)
    age = max((today - v.posted_on).days, 0) if v.posted_on else 0
    agreement: np.ndarray | float = 0.0
    if agreements is not None:
        agreement = np.where(rows.col("is_surplus"), agreements, 0.0)
    values: dict[str, np.ndarray | float] = {
        "semantic": np.clip(sims.astype(np.float64), 0.0, 1.0),
        "skills": _skill_values(w, matched, np.full(n, len(listed))),
        "distance": _distance_values(w, approximate_location(v.latitude, v.longitude,
                                                             v.district),
                                     rows.col("alat"), rows.col("alon")),
        "key_tier": w.key_tier_values[str(v.key_tier)],
        "urgency": w.urgency_values[str(v.urgency)],
        "agreement": agreement,
        "freshness": 0.5 ** (age / w.freshness_half_life_days),
    }
    return _total(w, values, n)


def agreement_values(w: WeightsVersion, statuses: Iterable[Iterable[str]]) -> np.ndarray:
    """The weight-free agreement value of each row's statuses (the best one counts)."""
    return np.array([max((w.agreement_values.get(s, 0.0) for s in found), default=0.0)
                     for found in statuses], dtype=np.float64)
