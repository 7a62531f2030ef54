"""The score components, each written once and vectorized over pairs.

``score = sum(weight[name] * value[name])`` over :data:`~matcher.matching.weights.COMPONENTS`,
every value in [0, 1]. :func:`pair_facts` reads what the components need from the two
:class:`~matcher.matching.sides.Side` of a batch of pairs; each component is one function of
those :class:`Facts` registered under its name in :data:`VALUES`; :func:`total` is the one
weighted sum. A single pair (:func:`~matcher.matching.ranking.score_pair`) is a one-row call,
estimates over an index table (:mod:`matcher.matching.estimate`) are many-row calls.

Adding a component: one function here decorated with ``@component("name")``, its name in
``COMPONENTS`` and its weight in ``ranking_weights.yaml``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date

import numpy as np

from matcher.geo import EARTH_RADIUS_KM
from matcher.matching.sides import UNKNOWN as UNKNOWN_ID
from matcher.matching.sides import Side
from matcher.matching.tables import NO_DAY, TIERS, URGENCIES
from matcher.matching.weights import COMPONENTS, WeightsVersion


@dataclass(frozen=True)
class Facts:
    """What the components read about each pair (arrays of one length, or of one row)."""

    n: int
    similarity: np.ndarray  # cosine similarity of the embedded texts
    matched: np.ndarray  # listed skills (required + preferred, distinct) the person holds
    listed: np.ndarray  # skills the vacancy lists
    distance_km: np.ndarray  # NaN: a location is unknown
    tier: np.ndarray  # index into TIERS
    urgency: np.ndarray  # index into URGENCIES
    surplus: np.ndarray  # the person is lendable staff (agreements count)
    agreement: np.ndarray  # weight-free value of the best agreement between the enterprises
    age_days: np.ndarray  # days since posting (0 when unknown)


ComponentFn = Callable[[Facts, WeightsVersion], np.ndarray]
#: Component name -> the function giving its values.
VALUES: dict[str, ComponentFn] = {}


def component(name: str) -> Callable[[ComponentFn], ComponentFn]:
    """Register a component function under ``name``."""
    def register(fn: ComponentFn) -> ComponentFn:
        VALUES[name] = fn
        return fn
    return register


def distances_km(lat1: np.ndarray, lon1: np.ndarray, lat2: np.ndarray, lon2: np.ndarray
                 ) -> np.ndarray:
    """Haversine distances between paired points in degrees (NaN where one is missing)."""
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dl = np.radians(lon2) - np.radians(lon1)
    a = np.sin((p2 - p1) / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.minimum(1.0, np.sqrt(a)))


def row_any(m: np.ndarray) -> np.ndarray:
    """Row-wise OR of an ``(n, w)`` bool matrix, column by column (numpy's ``axis=1``
    reductions are slow on narrow matrices)."""
    out = np.zeros(m.shape[0], dtype=bool)
    for j in range(m.shape[1]):
        out |= m[:, j]
    return out


def row_all(m: np.ndarray) -> np.ndarray:
    """Row-wise AND of an ``(n, w)`` bool matrix, column by column."""
    out = np.ones(m.shape[0], dtype=bool)
    for j in range(m.shape[1]):
        out &= m[:, j]
    return out


def row_count(m: np.ndarray) -> np.ndarray:
    """Row-wise count of the true cells of an ``(n, w)`` bool matrix, column by column."""
    out = np.zeros(m.shape[0], dtype=np.int64)
    for j in range(m.shape[1]):
        out += m[:, j]
    return out


def holds(ids: np.ndarray, held: np.ndarray, *, padding: bool = False) -> np.ndarray:
    """``(n, w)``: whether each id is among the same row's ``held`` ids (``-1`` padding
    answers ``padding``; unknown names, ``-2`` and below, are never held).
    A one-row side is broadcast."""
    if held.shape[0] == 1 and ids.shape[0] > 1:  # one holder: a lookup table, same answer
        top = max(int(ids.max(initial=0)), int(held.max(initial=0)))
        has = np.zeros(top + 3, dtype=bool)  # ids -1 and -2 read the last two
        has[held[0][held[0] >= 0]] = True
        has[-1] = padding
        return has[np.maximum(ids, UNKNOWN_ID)]  # every unknown id reads the unheld cell
    rows = np.broadcast_shapes((ids.shape[0],), (held.shape[0],))
    found = np.zeros((*rows, ids.shape[1]), dtype=bool)
    for j in range(held.shape[1]):
        found |= ids == held[:, j : j + 1]
    found &= ids >= 0
    return found | (ids == -1) if padding else found


def agreement_values(w: WeightsVersion, statuses: Iterable[Iterable[str]]) -> np.ndarray:
    """The weight-free agreement value of each row's statuses (the best one counts)."""
    return np.array([max((w.agreement_values.get(s, 0.0) for s in found), default=0.0)
                     for found in statuses], dtype=np.float64)


def pair_facts(person: Side, vacancy: Side, similarity: np.ndarray, *, today: date,
               agreements: np.ndarray | None = None) -> Facts:
    """The facts of the pairs ``(person[i], vacancy[i])``, one per similarity (a one-row
    side is broadcast)."""
    listed = vacancy["listed"]
    posted = vacancy["posted_day"]
    age = np.where(posted != NO_DAY, np.maximum(today.toordinal() - posted, 0), 0)
    sims = np.atleast_1d(np.asarray(similarity, dtype=np.float64))
    return Facts(
        n=len(sims), similarity=sims,
        matched=row_count(holds(listed, person["skills"])), listed=row_count(listed != -1),
        distance_km=distances_km(person["alat"], person["alon"], vacancy["alat"],
                                 vacancy["alon"]),
        tier=vacancy["tier"], urgency=vacancy["urgency"], surplus=person["surplus"],
        agreement=np.zeros(1) if agreements is None else agreements, age_days=age,
    )


def skill_share(matched: np.ndarray, listed: np.ndarray, min_listed: int) -> np.ndarray:
    """Share of the listed skills held, out of at least ``min_listed`` (0 when none listed)."""
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(listed > 0, matched / np.maximum(listed, min_listed), 0.0)


@component("semantic")
def semantic(x: Facts, w: WeightsVersion) -> np.ndarray:
    """Cosine similarity, negative counting as 0."""
    return np.clip(x.similarity, 0.0, 1.0)


@component("skills")
def skills(x: Facts, w: WeightsVersion) -> np.ndarray:
    """Listed skills held, shrunk when few are listed (see ``skills_min_listed``)."""
    return skill_share(x.matched, x.listed, w.skills_min_listed)


@component("distance")
def distance(x: Facts, w: WeightsVersion) -> np.ndarray:
    """``exp(-km / distance_scale_km)``; ``unknown_distance`` without both locations."""
    with np.errstate(invalid="ignore"):
        return np.where(np.isnan(x.distance_km), w.unknown_distance,
                        np.exp(-x.distance_km / w.distance_scale_km))


@component("key_tier")
def key_tier(x: Facts, w: WeightsVersion) -> np.ndarray:
    """The value of the vacancy's enterprise's key tier."""
    return w.lookup("key_tier_values", TIERS)[x.tier]


@component("urgency")
def urgency(x: Facts, w: WeightsVersion) -> np.ndarray:
    """The value of the vacancy's urgency."""
    return w.lookup("urgency_values", URGENCIES)[x.urgency]


@component("agreement")
def agreement(x: Facts, w: WeightsVersion) -> np.ndarray:
    """The best agreement between lender and borrower; surplus staff only."""
    return np.where(x.surplus, x.agreement, 0.0)


@component("freshness")
def freshness(x: Facts, w: WeightsVersion) -> np.ndarray:
    """``0.5 ** (days since posting / freshness_half_life_days)``."""
    return np.power(0.5, x.age_days / w.freshness_half_life_days)


def _rows(value: np.ndarray, n: int) -> np.ndarray:
    value = np.asarray(value, dtype=np.float64)
    return value if value.shape == (n,) else np.broadcast_to(value, n)


def values(x: Facts, w: WeightsVersion) -> dict[str, np.ndarray]:
    """Every component's values, ``n`` long, in ``COMPONENTS`` order."""
    return {name: _rows(VALUES[name](x, w), x.n) for name in COMPONENTS}


def total(x: Facts, w: WeightsVersion) -> np.ndarray:
    """The scores: the weighted sum of the component values, in ``COMPONENTS`` order."""
    out = np.zeros(x.n, dtype=np.float64)
    for name in COMPONENTS:
        out += w.weights[name] * VALUES[name](x, w)  # a one-row value broadcasts
    return out
