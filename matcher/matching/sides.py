"""The two sides of a batch of (person, vacancy) pairs, as named numpy columns.

A :class:`Side` is either one profile (every column one row long, broadcast against the
other side) or rows of a slot-aligned attribute table. The hard constraints
(:mod:`matcher.matching.constraints`) and the score components
(:mod:`matcher.matching.components`) read only sides, so one pair, one person against a
table and one vacancy against a table all go through the same vectorized functions.

Column names are the tables' (:mod:`matcher.matching.tables`), plus ``active``/``consent``
(a people table's ``live``: it holds only active, consenting people), ``open`` (a vacancy
table's ``live``) and ``surplus`` (``is_surplus``). Skill names become vocabulary ids; a
required or listed name the vocabulary does not know is :data:`UNKNOWN` (nobody holds it).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from functools import cache
from typing import Any, Protocol

import numpy as np

from matcher.enums import KeyTier, Urgency
from matcher.geo import approximate_location, valid_coordinates
from matcher.matching.profiles import PersonProfile, VacancyProfile
from matcher.matching.tables import TIERS, URGENCIES, Table, Vocab, day
from matcher.skills import SkillMatcher

#: The id of a name no table row holds (``-1`` pads id matrices).
UNKNOWN = -2
_ALIASES = {"active": "live", "consent": "live", "open": "live", "surplus": "is_surplus"}


class Side:
    """Named columns of one side of the pairs, or some rows of another side (taken)."""

    def __init__(self, fetch: Callable[[str], np.ndarray], size: int,
                 taken: tuple[Side, np.ndarray, np.ndarray] | None = None) -> None:
        self._fetch = fetch  # a whole column (of the first side, when taken)
        self._size = size
        self._taken = taken  # (parent, rows of the parent, rows of the first side)
        self._cache: dict[str, np.ndarray] = {}

    def __len__(self) -> int:
        return self._size

    def __getitem__(self, name: str) -> np.ndarray:
        found = self._cache.get(name)
        if found is None:
            if self._taken is None:
                found = self._fetch(name)
            else:
                parent, rows, first_rows = self._taken
                held = parent._cache.get(name)  # gathered there already: gather less
                found = held[rows] if held is not None else self._fetch(name)[first_rows]
            self._cache[name] = found
        return found

    def take(self, rows: np.ndarray) -> Side:
        """This side's ``rows``; each column is gathered once, from the nearest side that
        holds it."""
        if self._taken is None:
            return Side(self.__getitem__, len(rows), (self, rows, rows))
        return Side(self._fetch, len(rows), (self, rows, self._taken[2][rows]))

    @classmethod
    def of(cls, rows: Sequence[dict[str, Any]],
           derived: dict[str, Callable[[], np.ndarray]] | None = None) -> Side:
        """Rows of plain values (id matrices as lists, padded here); ``derived`` columns
        are computed when first read."""
        def fetch(name: str) -> np.ndarray:
            if derived and name in derived:
                return derived[name]()
            values = [row[name] for row in rows]
            if values and isinstance(values[0], list):
                width = max(len(v) for v in values)
                return np.array([v + [-1] * (width - len(v)) for v in values], dtype=np.int64)
            return np.array(values)

        return cls(fetch, len(rows))


def table_side(t: Table) -> Side:
    """Every row of a table (``live`` also answers to ``active``, ``consent`` and ``open``)."""
    def fetch(name: str) -> np.ndarray:
        name = _ALIASES.get(name, name)
        return t.matrix(name) if name in t.MATRICES else t.col(name)

    return Side(fetch, len(t))


class Names(Protocol):
    """Interned names: a :class:`Vocab` or a plain dict."""

    def get(self, value: str, /) -> int | None: ...


def _padded(ids: Iterable[int]) -> list[int]:
    return sorted(ids) or [-1]


def _lookup(names: Names, values: Iterable[str]) -> list[int]:
    """Ids of ``values``; each distinct unknown name gets its own id ``UNKNOWN - k`` (held by
    nobody, but counted: a vacancy listing two unknown skills lists two skills)."""
    known, unknown = set(), set()
    for n in values:
        sid = names.get(n)
        if sid is None:
            unknown.add(n)
        else:
            known.add(sid)
    return _padded(known | {UNKNOWN - k for k in range(len(unknown))})


def _coords(lat: float | None, lon: float | None) -> tuple[float, float]:
    """The coordinates, NaN when not both valid."""
    if valid_coordinates(lat, lon):
        assert lat is not None and lon is not None
        return float(lat), float(lon)
    return math.nan, math.nan


def _approximate(places: Sequence[tuple[float | None, float | None, str | None]]
                 ) -> dict[str, Callable[[], np.ndarray]]:
    """The ranking's ``alat``/``alon`` columns (coordinates, else the district centroid),
    computed once when first read."""
    @cache
    def both() -> np.ndarray:
        found = [approximate_location(*place) for place in places]
        return np.array([(f[0], f[1]) if f else (math.nan, math.nan) for f in found],
                        dtype=np.float64).reshape(len(places), 2)

    return {"alat": lambda: both()[:, 0], "alon": lambda: both()[:, 1]}


def _person(p: PersonProfile, names: Names, held: Iterable[str]) -> dict[str, Any]:
    city = names.get("city:" + p.city)
    return {
        "active": p.active, "consent": p.consent, "surplus": p.kind == "surplus",
        "lent": p.lent, "enterprise_id": p.enterprise_id or -1,
        "travel_km": math.nan if p.travel_km is None else float(p.travel_km),
        "city": UNKNOWN if city is None else city, "from_day": day(p.available_from),
        "to_day": day(p.available_to),
        "skills": _padded({sid for n in held if (sid := names.get(n)) is not None}),
        **dict(zip(("lat", "lon"), _coords(p.latitude, p.longitude), strict=True)),
    }


def _vacancy(v: VacancyProfile, names: Names, required: Iterable[str], listed: Iterable[str]
             ) -> dict[str, Any]:
    city = names.get("city:" + v.city)
    return {
        "open": v.is_open, "accepts_borrowed": v.accepts_borrowed,
        "enterprise_id": v.enterprise_id or -1, "city": UNKNOWN if city is None else city,
        "start_day": day(v.start_date), "borrow_from_day": day(v.borrow_from),
        "skills": _lookup(names, required), "listed": _lookup(names, listed),
        "tier": TIERS.index(KeyTier(v.key_tier)), "urgency": URGENCIES.index(Urgency(v.urgency)),
        "posted_day": day(v.posted_on),
        **dict(zip(("lat", "lon"), _coords(v.latitude, v.longitude), strict=True)),
    }


def _listed(v: VacancyProfile, skills: SkillMatcher) -> frozenset[str]:
    return skills.required([*v.required_skills, *v.preferred_skills])


def person_side(p: PersonProfile, vocab: Vocab, skills: SkillMatcher) -> Side:
    """One person, looked up in ``vocab`` (never adding to it)."""
    return _people_side([p], [_person(p, vocab, skills.held(p.skills))])


def vacancy_side(v: VacancyProfile, vocab: Vocab, skills: SkillMatcher) -> Side:
    """One vacancy, looked up in ``vocab`` (never adding to it)."""
    return _vacancies_side([v], [_vacancy(v, vocab, skills.required(v.required_skills),
                                          _listed(v, skills))])


def pair_sides(people: Sequence[PersonProfile], vacancies: Sequence[VacancyProfile],
               skills: SkillMatcher) -> tuple[Side, Side]:
    """The pairs ``(people[i], vacancies[i])`` over private names holding both sides'."""
    held = [skills.held(p.skills) for p in people]
    listed = [_listed(v, skills) for v in vacancies]
    names: dict[str, int] = {}
    for group in (*held, *listed, ["city:" + p.city for p in people],
                  ["city:" + v.city for v in vacancies]):
        for name in group:
            names.setdefault(name, len(names))
    return (_people_side(people, [_person(p, names, h)
                                  for p, h in zip(people, held, strict=True)]),
            _vacancies_side(vacancies, [_vacancy(v, names, skills.required(v.required_skills),
                                                 found)
                                        for v, found in zip(vacancies, listed, strict=True)]))


def _people_side(people: Sequence[PersonProfile], rows: list[dict[str, Any]]) -> Side:
    return Side.of(rows, _approximate([(p.latitude, p.longitude, p.district) for p in people]))


def _vacancies_side(vacancies: Sequence[VacancyProfile], rows: list[dict[str, Any]]) -> Side:
    return Side.of(rows, _approximate([(v.latitude, v.longitude, v.district)
                                       for v in vacancies]))
