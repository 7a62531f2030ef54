"""The hard constraints as rules: each one vectorized function over the two sides of a
batch of pairs (:mod:`matcher.matching.sides`), returning the pairs it excludes.

:data:`RULES` maps each exclusion code to its rule, in the order explanations list them;
:mod:`matcher.matching.constraints` calls them on one pair (``check``, with messages) and
over whole attribute tables (the search masks). A one-row side broadcasts against the other.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import numpy as np

from matcher.matching import components
from matcher.matching.sides import Side
from matcher.matching.tables import NO_DAY

PERSON_DELETED = "person_deleted"
NO_CONSENT = "no_consent"
VACANCY_NOT_OPEN = "vacancy_not_open"
NOT_ACCEPTING_BORROWED = "not_accepting_borrowed"
OWN_ENTERPRISE = "own_enterprise"
ALREADY_LENT = "already_lent"
OUTSIDE_LENDING_WINDOW = "outside_lending_window"
TOO_FAR = "too_far"
OTHER_CITY = "other_city"
MISSING_REQUIRED_SKILLS = "missing_required_skills"
NOT_AVAILABLE = "not_available"


def _window(first: np.ndarray, last: np.ndarray, point: np.ndarray | int) -> np.ndarray:
    """``point`` within ``[first, last]`` (NO_DAY: open on that end)."""
    return ((first == NO_DAY) | (first <= point)) & ((last == NO_DAY) | (point <= last))


def _radius_applies(p: Side, v: Side) -> np.ndarray:
    """The person has a travel radius and both have a location: coordinates, else the
    district centre (an estimate, which the explanation marks as approximate)."""
    return ~np.isnan(p["travel_km"]) & ~np.isnan(p["alat"]) & ~np.isnan(v["alat"])


# -- the rules: each returns the pairs it excludes -------------------------------------------
Rule = Callable[[Side, Side, int], np.ndarray]
#: Code -> rule, in the order :func:`matcher.matching.constraints.check` reports them.
RULES: dict[str, Rule] = {}


def rule(code: str) -> Callable[[Rule], Rule]:
    """Register the rule excluding pairs with ``code``."""
    def register(fn: Rule) -> Rule:
        RULES[code] = fn
        return fn
    return register


@rule(PERSON_DELETED)
def _deleted(p: Side, v: Side, today: int) -> np.ndarray:
    return ~p["active"]


@rule(NO_CONSENT)
def _no_consent(p: Side, v: Side, today: int) -> np.ndarray:
    return ~p["consent"]


@rule(VACANCY_NOT_OPEN)
def _not_open(p: Side, v: Side, today: int) -> np.ndarray:
    return ~v["open"]


@rule(NOT_ACCEPTING_BORROWED)
def _not_borrowing(p: Side, v: Side, today: int) -> np.ndarray:
    surplus = p["surplus"]
    if not surplus.any():
        return surplus
    return surplus & ~v["accepts_borrowed"]


@rule(OWN_ENTERPRISE)
def _own_enterprise(p: Side, v: Side, today: int) -> np.ndarray:
    surplus = p["surplus"]
    if not surplus.any():
        return surplus
    return surplus & (v["enterprise_id"] != -1) & (p["enterprise_id"] == v["enterprise_id"])


@rule(ALREADY_LENT)
def _already_lent(p: Side, v: Side, today: int) -> np.ndarray:
    return p["surplus"] & p["lent"]


def _dated(p: Side) -> np.ndarray:
    """People with an availability or lending window (the others are never outside one)."""
    return (p["from_day"] != NO_DAY) | (p["to_day"] != NO_DAY)


@rule(OUTSIDE_LENDING_WINDOW)
def _outside_window(p: Side, v: Side, today: int) -> np.ndarray:
    concerned = p["surplus"] & _dated(p)
    if not concerned.any():
        return concerned
    return concerned & ~_window(p["from_day"], p["to_day"], borrow_start_days(v, today))


@rule(TOO_FAR)
def _too_far(p: Side, v: Side, today: int) -> np.ndarray:
    dist = components.distances_km(p["alat"], p["alon"], v["alat"], v["alon"])
    return _radius_applies(p, v) & ~(dist <= p["travel_km"])


@rule(OTHER_CITY)
def _other_city(p: Side, v: Side, today: int) -> np.ndarray:
    return ~_radius_applies(p, v) & (p["city"] != v["city"])


@rule(MISSING_REQUIRED_SKILLS)
def _missing_skills(p: Side, v: Side, today: int) -> np.ndarray:
    return ~components.row_all(components.holds(v["skills"], p["skills"], padding=True))


@rule(NOT_AVAILABLE)
def _not_available(p: Side, v: Side, today: int) -> np.ndarray:
    concerned = ~p["surplus"] & _dated(p)
    if not concerned.any():
        return concerned
    start, last = v["start_day"], p["to_day"]
    at_start = _window(p["from_day"], last, np.maximum(start, today))
    ok = np.where(start != NO_DAY, at_start, (last == NO_DAY) | (last >= today))
    return concerned & ~ok


def borrow_start_days(v: Side, today: int) -> np.ndarray:
    """The day borrowing starts: borrow_from, else start_date, else today; never before today."""
    b_from, start = v["borrow_from_day"], v["start_day"]
    first = np.where(b_from != NO_DAY, b_from, np.where(start != NO_DAY, start, today))
    return np.maximum(first, today)


def excluded(person: Side, vacancy: Side, today: date) -> np.ndarray:
    """Whether some rule excludes each pair ``(person[i], vacancy[i])``."""
    out = np.zeros(max(len(person), len(vacancy)), dtype=bool)
    for excludes in RULES.values():
        out |= excludes(person, vacancy, today.toordinal())
    return out
