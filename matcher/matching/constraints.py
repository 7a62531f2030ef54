"""Hard constraints: a pair that breaks one is never shown.

The same rules exist twice and must agree (tests compare them on random data):

* :func:`check` tests one (person, vacancy) pair and names every rule it breaks, for
  explanations and to re-verify search hits against fresh database rows;
* :func:`vacancy_mask` / :func:`people_mask` test one side against a whole slot-aligned
  attribute table with numpy, giving the allowed-slot mask the FAISS search runs under.

Rules: the vacancy is open with headcount left; the person is active and consents; the
distance is within the person's travel radius when both locations are known, else (or with
no radius) the vacancy is in the person's city; the person has every required skill; a job
seeker is available on the vacancy's start day (vacancies without one: the availability has
not ended); a surplus employee only for a vacancy that accepts borrowed staff, not of the
employee's own enterprise, not already lent, and lendable on the day the borrowing starts.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import numpy as np

from matcher.geo import EARTH_RADIUS_KM, haversine_km_many, valid_coordinates
from matcher.matching.profiles import PersonProfile, VacancyProfile
from matcher.matching.tables import (
    NO_DAY,
    PeopleTable,
    VacancyTable,
    Vocab,
    day,
    held_ids,
    skill_bits,
)
from matcher.skills import SkillMatcher

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


@dataclass(frozen=True)
class Exclusion:
    """One broken hard constraint: a stable code, a message, and the facts behind it."""

    code: str
    message: str
    detail: dict[str, Any] = field(default_factory=dict)


def seeker_start_day(v: VacancyProfile, today: date) -> int | None:
    """The day a seeker must be available (None: the vacancy has no start date)."""
    return max(day(v.start_date), today.toordinal()) if v.start_date else None


def borrow_start_day(v: VacancyProfile, today: date) -> int:
    """The day borrowing starts: borrow_from, else start_date, else today; never before today."""
    first = day(v.borrow_from) or day(v.start_date) or today.toordinal()
    return max(first, today.toordinal())


def _within(first: int, last: int, point: int) -> bool:
    return (first == NO_DAY or first <= point) and (last == NO_DAY or point <= last)


def distance_km(p: PersonProfile, v: VacancyProfile) -> float | None:
    """Exact distance when both have valid coordinates (same formula as the masks)."""
    if not (valid_coordinates(p.latitude, p.longitude)
            and valid_coordinates(v.latitude, v.longitude)):
        return None
    lat, lon = np.array([v.latitude]), np.array([v.longitude])
    return float(haversine_km_many(p.latitude, p.longitude, lat, lon)[0])  # type: ignore[arg-type]


def _location(p: PersonProfile, v: VacancyProfile) -> Exclusion | None:
    dist = distance_km(p, v)
    if p.travel_km is not None and dist is not None:
        if dist <= p.travel_km:
            return None
        return Exclusion(TOO_FAR, f"{dist:.1f} km away, beyond the {p.travel_km:g} km radius",
                         {"distance_km": round(dist, 3), "travel_km": p.travel_km})
    if v.city == p.city:
        return None
    return Exclusion(OTHER_CITY, f"the vacancy is in {v.city}, not in {p.city}",
                     {"vacancy_city": v.city, "person_city": p.city})


def _surplus_rules(p: PersonProfile, v: VacancyProfile, today: date) -> list[Exclusion]:
    out = []
    if not v.accepts_borrowed:
        out.append(Exclusion(NOT_ACCEPTING_BORROWED, "the vacancy does not take borrowed staff"))
    if v.enterprise_id is not None and p.enterprise_id == v.enterprise_id:
        out.append(Exclusion(OWN_ENTERPRISE, "an employee is not lent to its own enterprise"))
    if p.lent:
        out.append(Exclusion(ALREADY_LENT, "the employee is on an active lending agreement"))
    start = borrow_start_day(v, today)
    if not _within(day(p.available_from), day(p.available_to), start):
        out.append(Exclusion(
            OUTSIDE_LENDING_WINDOW, "the borrowing starts outside the employee's lending window",
            {"borrow_start": date.fromordinal(start).isoformat(),
             "available_from": _iso(p.available_from), "available_to": _iso(p.available_to)}))
    return out


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value else None


def check(
    p: PersonProfile, v: VacancyProfile, *, today: date, skills: SkillMatcher
) -> list[Exclusion]:
    """Every hard constraint the pair breaks (empty: the pair may be shown)."""
    out: list[Exclusion] = []
    if not p.active:
        out.append(Exclusion(PERSON_DELETED, "the person's profile was deleted"))
    if not p.consent:
        out.append(Exclusion(NO_CONSENT, "the person does not consent to be matched"))
    if not v.is_open:
        out.append(Exclusion(VACANCY_NOT_OPEN, "the vacancy is closed or has no headcount left",
                             {"status": str(v.status), "remaining": v.headcount - v.filled}))
    if p.kind == "surplus":
        out.extend(_surplus_rules(p, v, today))
    where = _location(p, v)
    if where:
        out.append(where)
    missing = skills.match(v.required_skills, p.skills).missing
    if missing:
        out.append(Exclusion(MISSING_REQUIRED_SKILLS, "missing required skills: " +
                             ", ".join(missing), {"missing": list(missing)}))
    if p.kind == "seeker":
        start = seeker_start_day(v, today)
        first, last = day(p.available_from), day(p.available_to)
        ok = (_within(first, last, start) if start is not None
              else last == NO_DAY or last >= today.toordinal())
        if not ok:
            out.append(Exclusion(NOT_AVAILABLE, "not available when the vacancy starts", {
                "start": date.fromordinal(start).isoformat() if start else None,
                "available_from": _iso(p.available_from), "available_to": _iso(p.available_to)}))
    return out


def _window(first: Any, last: Any, point: Any) -> np.ndarray:
    return ((first == NO_DAY) | (first <= point)) & ((last == NO_DAY) | (point <= last))


def _box(lat0: float, lon0: float, radius_km: float) -> tuple[float, float] | None:
    """Half-sizes in degrees (lat, lon) of a box holding every point within ``radius_km``
    by :func:`haversine_km_many` (``inf`` where no bound holds), with slack for rounding.

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


def _within_radius(lat0: float, lon0: float, radius_km: float, lat: np.ndarray,
                   lon: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """The ``rows`` whose point is within ``radius_km``: a box test, then the exact distance
    (the formula of :func:`distance_km`) of the rows inside the box."""
    box = _box(lat0, lon0, radius_km)
    lats, lons = lat[rows], lon[rows]
    if box is not None:
        inside = (lats >= lat0 - box[0]) & (lats <= lat0 + box[0])
        if math.isfinite(box[1]):
            inside &= (lons >= lon0 - box[1]) & (lons <= lon0 + box[1])
        rows, lats, lons = rows[inside], lats[inside], lons[inside]
    return rows[haversine_km_many(lat0, lon0, lats, lons) <= radius_km]


def _held(p: PersonProfile, vocab: Vocab, skills: SkillMatcher) -> tuple[np.ndarray, int]:
    """The person's held skill ids as a lookup array (index -1, the padding, is True) and
    as 64 hashed bits."""
    has = np.zeros(len(vocab) + 1, dtype=bool)
    has[-1] = True
    ids = held_ids(p, vocab, skills)
    has[ids] = True
    return has, skill_bits(ids)


def vacancy_mask(
    p: PersonProfile, t: VacancyTable, *, today: date, vocab: Vocab, skills: SkillMatcher
) -> np.ndarray:
    """Allowed vacancy slots for person ``p`` (a boolean array over the table).

    The cheap tests (dates, flags, hashed skill bits) run over whole columns; location and
    the exact skill check only over the rows that passed them.
    """
    mask = np.zeros(len(t), dtype=bool)
    if not (p.active and p.consent) or (p.kind == "surplus" and p.lent):
        return mask
    has, bits = _held(p, vocab, skills)
    ok = t.col("live") & ((t.col("req_bits") & np.uint64(~bits & (2**64 - 1))) == 0)
    today_n = today.toordinal()
    start = t.col("start_day")
    first, last = day(p.available_from), day(p.available_to)
    if p.kind == "seeker":
        if first != NO_DAY or last != NO_DAY:
            at_start = _window(first, last, np.maximum(start, today_n))
            open_ended = last == NO_DAY or last >= today_n
            ok &= np.where(start != NO_DAY, at_start, open_ended)
    else:
        b_from = t.col("borrow_from_day")
        begin = np.where(b_from != NO_DAY, b_from, np.where(start != NO_DAY, start, today_n))
        ok &= _window(first, last, np.maximum(begin, today_n)) & t.col("accepts_borrowed")
        if p.enterprise_id is not None:
            ok &= t.col("enterprise_id") != p.enterprise_id
    rows = np.flatnonzero(ok)
    rows = rows[has[t.skills[rows]].all(axis=1)]  # exact: two skills may share a bit
    city = vocab.get("city:" + p.city)
    same_city = t.col("city")[rows] == (-2 if city is None else city)
    if p.travel_km is not None and valid_coordinates(p.latitude, p.longitude):
        assert p.latitude is not None and p.longitude is not None
        unknown = np.isnan(t.col("lat")[rows])  # no coordinates: same city instead
        near = _within_radius(p.latitude, p.longitude, p.travel_km, t.col("lat"),
                              t.col("lon"), rows[~unknown])
        rows = np.concatenate([near, rows[unknown & same_city]])
    else:
        rows = rows[same_city]
    mask[rows] = True
    return mask


def people_mask(
    v: VacancyProfile, t: PeopleTable, *, today: date, vocab: Vocab, skills: SkillMatcher,
    kinds: tuple[str, ...] = ("seeker", "surplus"),
) -> np.ndarray:
    """Allowed people slots for vacancy ``v`` (a boolean array over the table)."""
    mask = t.col("live").copy()
    if not v.is_open:
        return np.zeros_like(mask)
    surplus = t.col("is_surplus")
    if "seeker" not in kinds:
        mask &= surplus
    if "surplus" not in kinds or not v.accepts_borrowed:
        mask &= ~surplus
    city = vocab.get("city:" + v.city)
    same_city = t.col("city") == (-2 if city is None else city)
    travel = t.col("travel_km")
    if valid_coordinates(v.latitude, v.longitude):
        lat, lon = t.col("lat"), t.col("lon")
        dist = haversine_km_many(v.latitude, v.longitude, lat, lon)  # type: ignore[arg-type]
        known = ~np.isnan(travel) & ~np.isnan(lat)
        mask &= np.where(known, dist <= travel, same_city)
    else:
        mask &= same_city
    for name in skills.required(v.required_skills):
        sid = vocab.get(name)
        if sid is None:
            return np.zeros_like(mask)
        mask &= (t.skills == sid).any(axis=1)
    first, last = t.col("from_day"), t.col("to_day")
    today_n = today.toordinal()
    start = seeker_start_day(v, today)
    seeker_ok = (_window(first, last, start) if start is not None
                 else (last == NO_DAY) | (last >= today_n))
    surplus_ok = _window(first, last, borrow_start_day(v, today)) & ~t.col("lent")
    if v.enterprise_id is not None:
        surplus_ok &= t.col("enterprise_id") != v.enterprise_id
    mask &= np.where(surplus, surplus_ok, seeker_ok)
    return mask
