"""Hard constraints: a pair that breaks one is never shown.

Each rule is written once, as a vectorized function over the two sides of a batch of pairs
(:mod:`matcher.matching.sides`) returning the pairs it excludes, registered in
:data:`~matcher.matching.hard_rules.RULES` under its code:

* :func:`check` calls every rule on one (person, vacancy) pair and names the ones it breaks,
  for explanations and to re-verify search hits against fresh database rows;
* :func:`vacancy_mask` / :func:`people_mask` call the same rules on one side against a whole
  slot-aligned attribute table, cheapest first and each only on the rows still allowed,
  giving the allowed-slot mask the FAISS search runs under. Two prefilters only drop rows
  a rule would exclude anyway (hashed skill bits, a box around the travel radius).

Rules: the vacancy is open with headcount left; the person is active and consents; the
distance is within the person's travel radius when both locations are known (coordinates,
else the district centre: an estimate), else (or with no radius) the vacancy is in the
person's city; the person has every required skill; a job
seeker is available on the vacancy's start day (vacancies without one: the availability has
not ended); a surplus employee only for a vacancy that accepts borrowed staff, not of the
employee's own enterprise, not already lent, and lendable on the day the borrowing starts.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import numpy as np

from matcher.geo import EARTH_RADIUS_KM, approximate_location, valid_coordinates
from matcher.matching import components
from matcher.matching.hard_rules import (
    ALREADY_LENT,
    MISSING_REQUIRED_SKILLS,
    NO_CONSENT,
    NOT_ACCEPTING_BORROWED,
    NOT_AVAILABLE,
    OTHER_CITY,
    OUTSIDE_LENDING_WINDOW,
    OWN_ENTERPRISE,
    PERSON_DELETED,
    RULES,
    TOO_FAR,
    VACANCY_NOT_OPEN,
    borrow_start_days,
    excluded,
)
from matcher.matching.profiles import PersonProfile, VacancyProfile
from matcher.matching.sides import Side, pair_sides, person_side, table_side, vacancy_side
from matcher.matching.tables import PeopleTable, VacancyTable, Vocab, skill_bits
from matcher.skills import SkillMatcher
from matcher.words import msg

__all__ = ["ALREADY_LENT", "MISSING_REQUIRED_SKILLS", "NO_CONSENT", "NOT_ACCEPTING_BORROWED",
           "NOT_AVAILABLE", "OTHER_CITY", "OUTSIDE_LENDING_WINDOW", "OWN_ENTERPRISE",
           "PERSON_DELETED", "RULES", "TOO_FAR", "VACANCY_NOT_OPEN", "Exclusion", "allowed",
           "check", "distance_km", "excluded", "people_mask", "vacancy_mask"]

@dataclass(frozen=True)
class Exclusion:
    """One broken hard constraint: a stable code, a message, and the facts behind it."""

    code: str
    message: str
    detail: dict[str, Any] = field(default_factory=dict)


def distance_km(p: PersonProfile, v: VacancyProfile) -> float | None:
    """Exact distance when both have valid coordinates (the rules' formula, one row)."""
    if not (valid_coordinates(p.latitude, p.longitude)
            and valid_coordinates(v.latitude, v.longitude)):
        return None
    lat1, lon1, lat2, lon2 = (np.array([x], dtype=np.float64)
                              for x in (p.latitude, p.longitude, v.latitude, v.longitude))
    return float(components.distances_km(lat1, lon1, lat2, lon2)[0])


def _estimated_km(p: PersonProfile, v: VacancyProfile) -> tuple[float, bool]:
    """The rules' distance: coordinates, else the district centre; and whether it is exact."""
    a = approximate_location(p.latitude, p.longitude, p.district)
    b = approximate_location(v.latitude, v.longitude, v.district)
    assert a is not None and b is not None  # the radius rule applied, so both are known
    lat1, lon1, lat2, lon2 = (np.array([x], dtype=np.float64) for x in (a[0], a[1], b[0], b[1]))
    return float(components.distances_km(lat1, lon1, lat2, lon2)[0]), a[2] and b[2]


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value else None


# -- one pair: the broken rules, with what a person needs to read -------------------------------
def _detail(code: str, p: PersonProfile, v: VacancyProfile, vacancy: Side, today: int,
            skills: SkillMatcher) -> Exclusion:
    """The message and facts of a broken rule."""
    if code == VACANCY_NOT_OPEN:
        return Exclusion(code, _MESSAGES[code],
                         {"status": str(v.status), "remaining": v.headcount - v.filled})
    if code == OUTSIDE_LENDING_WINDOW:
        start = date.fromordinal(int(borrow_start_days(vacancy, today)[0])).isoformat()
        return Exclusion(code, _MESSAGES[code], {
            "borrow_start": start, "available_from": _iso(p.available_from),
            "available_to": _iso(p.available_to)})
    if code == TOO_FAR:
        dist, exact = _estimated_km(p, v)
        assert p.travel_km is not None
        km, radius = f"{dist:.1f}", f"{p.travel_km:g}"
        text = (msg("%(km)s km away, beyond the %(radius)s km radius.", km=km, radius=radius)
                if exact else
                msg("About %(km)s km away (estimated from the district centre), beyond the "
                    "%(radius)s km radius.", km=km, radius=radius))
        return Exclusion(code, text,
                         {"distance_km": round(dist, 3), "travel_km": p.travel_km,
                          "approximate": not exact})
    if code == OTHER_CITY:
        return Exclusion(code, msg("The vacancy is in %(there)s, not in %(here)s.",
                                   there=v.city, here=p.city),
                         {"vacancy_city": v.city, "person_city": p.city})
    if code == MISSING_REQUIRED_SKILLS:
        missing = skills.match(v.required_skills, p.skills).missing
        return Exclusion(code, msg("Missing required skills: %(skills)s.",
                                   skills="、".join(missing)),
                         {"missing": list(missing)})
    if code == NOT_AVAILABLE:
        first = int(vacancy["start_day"][0])
        return Exclusion(code, _MESSAGES[code], {
            "start": date.fromordinal(max(first, today)).isoformat() if first else None,
            "available_from": _iso(p.available_from), "available_to": _iso(p.available_to)})
    return Exclusion(code, _MESSAGES[code])


_MESSAGES = {
    PERSON_DELETED: msg("The person's profile was deleted."),
    NO_CONSENT: msg("The person does not consent to be matched."),
    VACANCY_NOT_OPEN: msg("The vacancy is closed or has no headcount left."),
    NOT_ACCEPTING_BORROWED: msg("The vacancy does not take borrowed staff."),
    OWN_ENTERPRISE: msg("An employee is not lent to its own enterprise."),
    ALREADY_LENT: msg("The employee is on an active lending agreement."),
    OUTSIDE_LENDING_WINDOW: msg("The borrowing starts outside the employee's lending window."),
    NOT_AVAILABLE: msg("Not available when the vacancy starts."),
}


def allowed(people: Sequence[PersonProfile], vacancies: Sequence[VacancyProfile], *,
            today: date, skills: SkillMatcher) -> np.ndarray:
    """Whether each pair ``(people[i], vacancies[i])`` breaks no hard constraint (the
    verdict of :func:`check` for many pairs at once)."""
    if not people:
        return np.zeros(0, dtype=bool)
    return ~excluded(*pair_sides(people, vacancies, skills), today)


def check(
    p: PersonProfile, v: VacancyProfile, *, today: date, skills: SkillMatcher
) -> list[Exclusion]:
    """Every hard constraint the pair breaks (empty: the pair may be shown): each rule
    called on one row."""
    person, vacancy = pair_sides([p], [v], skills)
    today_n = today.toordinal()
    return [_detail(code, p, v, vacancy, today_n, skills) for code, excludes in RULES.items()
            if excludes(person, vacancy, today_n)[0]]


# -- many pairs: the same rules over a table, cheap ones first -----------------------------------
def _box(lat0: float, lon0: float, radius_km: float) -> tuple[float, float] | None:
    """Half-sizes in degrees (lat, lon) of a box holding every point within ``radius_km``
    by :func:`~matcher.matching.components.distances_km` (``inf`` where no bound holds), with
    slack for rounding.

    The haversine term ``a = hav(dlat) + cos(lat1) cos(lat2) hav(dlon)`` is at least each of
    its parts, so a point within the radius has ``|dlat| <= r / R`` and, with both latitudes
    inside the box, ``hav(dlon) <= hav(r / R) / cos(max |lat|)^2``.
    """
    ang = radius_km / EARTH_RADIUS_KM
    if not math.isfinite(ang) or ang >= math.pi / 2:
        return None
    slack = 1 + 1e-9
    dlat = math.degrees(ang) * slack + 1e-9
    edge = math.cos(math.radians(min(90.0, abs(lat0) + dlat)))
    x = math.sin(ang / 2) / edge if edge > 1e-12 else math.inf
    dlon = math.degrees(2 * math.asin(x)) * slack + 1e-9 if x < 1 else math.inf
    if abs(lon0) + dlon >= 180:
        return dlat, math.inf  # near a pole or across the date line: latitude only
    return dlat, dlon




#: The order the masks test the rules in: flags and dates first (cheap; one that the single
#: profile breaks empties the mask at once) ...
COLUMN_RULES = (PERSON_DELETED, NO_CONSENT, ALREADY_LENT, VACANCY_NOT_OPEN,
                NOT_ACCEPTING_BORROWED, OWN_ENTERPRISE, OUTSIDE_LENDING_WINDOW, NOT_AVAILABLE)
#: ... then skills and distances, on the rows still allowed (after a prefilter, if any).
ROW_RULES = (MISSING_REQUIRED_SKILLS, TOO_FAR, OTHER_CITY)
#: Rows of the table side a rule would surely exclude, found cheaply: False drops the row.
Prefilter = Callable[[Side], np.ndarray]


def _allowed_rows(person: Side, vacancy: Side, table: Side, rows: np.ndarray | None,
                  today: date, prefilters: dict[str, Prefilter]) -> np.ndarray:
    """The ``rows`` (None: all) of ``table``, one of the two sides, no rule excludes.

    The prefilters run first (a hashed-bits AND, a coordinate box: one cheap pass each over
    the whole table, and together they drop most rows), then every rule on what is left.
    The rows left are copied out (``take``) only once fewer than half remain: gathering
    every column a rule reads costs about what the rule does. A prefilter only drops rows
    its rule would drop anyway, cheaply; the rule still decides the others.
    """
    today_n = today.toordinal()
    rows = np.arange(len(table)) if rows is None else rows
    part = table if len(rows) == len(table) else table.take(rows)
    dropped = np.zeros(len(rows), dtype=bool)
    for code in COLUMN_RULES + ROW_RULES:  # the prefilters first: one cheap pass each
        if code in prefilters:
            dropped |= ~prefilters[code](part)
    for code in COLUMN_RULES + ROW_RULES:
        if np.count_nonzero(dropped) * 2 > len(rows):
            keep = np.flatnonzero(~dropped)
            rows, part, dropped = rows[keep], part.take(keep), np.zeros(len(keep), dtype=bool)
            if not len(rows):
                break
        p, v = (part, vacancy) if table is person else (person, part)
        got = RULES[code](p, v, today_n)
        if got.shape == (1,) and len(rows) != 1:  # decided by the single profile alone
            if got[0]:
                return np.zeros(0, dtype=np.int64)
            continue
        dropped |= got
    return rows[~dropped]


def _mask(n: int, rows: np.ndarray) -> np.ndarray:
    mask = np.zeros(n, dtype=bool)
    mask[rows] = True
    return mask


def vacancy_mask(
    p: PersonProfile, t: VacancyTable, *, today: date, vocab: Vocab, skills: SkillMatcher
) -> np.ndarray:
    """Allowed vacancy slots for person ``p`` (a boolean array over the table)."""
    person, table = person_side(p, vocab, skills), table_side(t)
    held = person["skills"][0]
    bits = np.uint64(~skill_bits(held[held >= 0].tolist()) & (2**64 - 1))
    prefilters: dict[str, Prefilter] = {
        # a required skill outside the person's hashed bits is missing for sure
        MISSING_REQUIRED_SKILLS: lambda rows: (rows["req_bits"] & bits) == 0}
    box = (None if p.travel_km is None or not valid_coordinates(p.latitude, p.longitude)
           else _box(p.latitude, p.longitude, p.travel_km))  # type: ignore[arg-type]
    if box is not None:
        prefilters[TOO_FAR] = lambda rows: _inside(rows, p, box)
    return _mask(len(t), _allowed_rows(person, table, table, None, today, prefilters))


def _inside(rows: Side, p: PersonProfile, box: tuple[float, float]) -> np.ndarray:
    """Rows without coordinates, or with them inside the box around ``p``."""
    lat, lon = rows["lat"], rows["lon"]
    assert p.latitude is not None and p.longitude is not None
    inside = (lat >= p.latitude - box[0]) & (lat <= p.latitude + box[0])
    if math.isfinite(box[1]):
        inside &= (lon >= p.longitude - box[1]) & (lon <= p.longitude + box[1])
    return inside | np.isnan(lat)


def people_mask(
    v: VacancyProfile, t: PeopleTable, *, today: date, vocab: Vocab, skills: SkillMatcher,
    kinds: tuple[str, ...] = ("seeker", "surplus"),
) -> np.ndarray:
    """Allowed people slots for vacancy ``v`` (a boolean array over the table), of ``kinds``."""
    surplus = t.col("is_surplus")
    rows = None
    if "seeker" not in kinds or "surplus" not in kinds:
        wanted = (surplus if "surplus" in kinds else ~surplus) if kinds else surplus & ~surplus
        rows = np.flatnonzero(wanted)
    table = table_side(t)
    return _mask(len(t), _allowed_rows(table, vacancy_side(v, vocab, skills), table, rows,
                                       today, {}))
