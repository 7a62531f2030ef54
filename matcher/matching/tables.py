"""Slot-aligned attribute tables: the columns the hard constraints test, as numpy arrays.

Row ``i`` of a table describes the vector in slot ``i`` of the same kind's FAISS index, so a
constraint evaluated over the whole table (vectorized, no Python loop over rows) gives the
boolean mask of allowed slots for the search. Dates are day ordinals (0 = none), missing
coordinates NaN, strings (cities, skills) interned to small integers by a :class:`Vocab`.
Skills are a ``(rows, width)`` int32 matrix padded with -1. Tables grow by doubling.

Besides the constraint columns, the vacancy table holds what the ranking reads (tier, urgency,
posting day, listed skills, coordinates with the district centroid as fallback), so hits can
be scored with numpy before any row is read (:mod:`matcher.matching.estimate`).
:mod:`matcher.matching.sides` reads a table as one side of a batch of pairs.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any, ClassVar

import numpy as np

from matcher.enums import KeyTier, Urgency
from matcher.geo import approximate_location, valid_coordinates
from matcher.matching.profiles import PersonProfile, VacancyProfile
from matcher.skills import SkillMatcher

NO_DAY = 0
TIERS = tuple(KeyTier)  # the "tier" column holds an index into this
URGENCIES = tuple(Urgency)  # and "urgency" into this


def day(value: date | None) -> int:
    """Day ordinal of a date, 0 for none."""
    return value.toordinal() if value else NO_DAY


class Vocab:
    """Interns strings to consecutive ints; lookups never add (only table writers do)."""

    def __init__(self) -> None:
        self._ids: dict[str, int] = {}
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._ids)

    def add(self, value: str) -> int:
        """The id of ``value``, assigning the next one if new."""
        found = self._ids.get(value)
        if found is not None:
            return found
        with self._lock:
            return self._ids.setdefault(value, len(self._ids))

    def get(self, value: str) -> int | None:
        """The id of ``value`` or None."""
        return self._ids.get(value)


class Table:
    """Growable numpy columns plus int32 id matrices (-1 padded), aligned with index slots."""

    COLUMNS: ClassVar[dict[str, tuple[Any, Any]]] = {}
    MATRICES: ClassVar[tuple[str, ...]] = ("skills",)

    def __init__(self, capacity: int = 64, width: int = 4):
        self.n = 0
        self.generation = 0  # bumped by every write: a mask computed earlier is out of date
        cap = max(capacity, 1)
        self._cols = {name: np.full(cap, empty, dtype=dt) for name, (dt, empty) in
                      self.COLUMNS.items()}
        self._mats = {name: np.full((cap, max(width, 1)), -1, dtype=np.int32)
                      for name in self.MATRICES}

    def __len__(self) -> int:
        return self.n

    def col(self, name: str) -> np.ndarray:
        """The live part of a column (a view)."""
        return self._cols[name][: self.n]

    def matrix(self, name: str) -> np.ndarray:
        """The live ``(n, width)`` part of an id matrix, -1 padded (a view)."""
        return self._mats[name][: self.n]

    @property
    def skills(self) -> np.ndarray:
        """The ``(n, width)`` skill-id matrix, -1 padded (a view)."""
        return self.matrix("skills")

    def _capacity(self) -> int:
        return len(next(iter(self._mats.values())))

    def _reserve(self, rows: int, widths: dict[str, int]) -> None:
        cap = self._capacity()
        if rows > cap:
            new_cap = max(rows, cap * 2)
            for name, (dt, empty) in self.COLUMNS.items():
                grown = np.full(new_cap, empty, dtype=dt)
                grown[: self.n] = self._cols[name][: self.n]
                self._cols[name] = grown
            cap = new_cap
        for name, old in self._mats.items():
            width = widths.get(name, 0)
            if cap > len(old) or width > old.shape[1]:
                matrix = np.full((cap, max(width, old.shape[1])), -1, dtype=np.int32)
                matrix[: self.n, : old.shape[1]] = old[: self.n]
                self._mats[name] = matrix

    def _write(self, slot: int, record: dict[str, Any] | None) -> None:
        self.generation += 1
        if record is None:
            for name, (_, empty) in self.COLUMNS.items():
                self._cols[name][slot] = empty
            for matrix in self._mats.values():
                matrix[slot] = -1
            return
        for name in self.COLUMNS:
            self._cols[name][slot] = record[name]
        for name, matrix in self._mats.items():
            ids = record[name]
            matrix[slot] = -1
            matrix[slot, : len(ids)] = ids

    def _widths(self, records: Sequence[dict[str, Any] | None]) -> dict[str, int]:
        return {name: max((len(r[name]) for r in records if r is not None), default=0)
                for name in self.MATRICES}

    def append(self, records: Sequence[dict[str, Any] | None]) -> range:
        """Add rows (None = a dead slot); returns their slots."""
        self._reserve(self.n + len(records), self._widths(records))
        start = self.n
        for i, record in enumerate(records):
            self._write(start + i, record)
        self.n += len(records)
        return range(start, self.n)

    def set(self, slot: int, record: dict[str, Any] | None) -> None:
        """Overwrite one row (None marks the slot dead)."""
        self._reserve(self.n, self._widths([record]))
        self._write(slot, record)

    def take(self, slots: np.ndarray) -> Table:
        """A new table holding only ``slots``, in that order (compaction, scoring hits)."""
        out = type(self)(capacity=len(slots), width=1)
        for name in self.COLUMNS:
            out._cols[name][: len(slots)] = self._cols[name][slots]
        if len(slots):
            out._mats = {name: matrix[slots] for name, matrix in self._mats.items()}
        out.n = len(slots)
        return out


def _coords(lat: float | None, lon: float | None) -> tuple[float, float]:
    return (lat, lon) if valid_coordinates(lat, lon) else (math.nan, math.nan)  # type: ignore[return-value]


def _approx(lat: float | None, lon: float | None, district: str | None
            ) -> tuple[float, float]:
    """Coordinates, else the district centroid, else NaN (what the distance score uses)."""
    found = approximate_location(lat, lon, district)
    return (found[0], found[1]) if found else (math.nan, math.nan)


def skill_bits(ids: Iterable[int]) -> int:
    """Skill ids hashed onto the 64 bits of an int (bit ``id % 64``): a row whose required
    bits are not all among a person's held bits lacks a required skill for sure; a row
    passing the bit test is checked exactly (two skills may share a bit)."""
    out = 0
    for sid in ids:
        out |= 1 << (sid % 64)
    return out


def _ids(vocab: Vocab, names: Iterable[str]) -> list[int]:
    return sorted(vocab.add(n) for n in names)


class VacancyTable(Table):
    """Constraint columns of the vacancies index."""

    COLUMNS: ClassVar[dict[str, tuple[Any, Any]]] = {
        "live": (np.bool_, False),
        "enterprise_id": (np.int64, -1),
        "lat": (np.float64, np.nan),
        "lon": (np.float64, np.nan),
        "city": (np.int32, -1),
        "accepts_borrowed": (np.bool_, False),
        "start_day": (np.int32, NO_DAY),
        "borrow_from_day": (np.int32, NO_DAY),
        "borrow_to_day": (np.int32, NO_DAY),
        "req_bits": (np.uint64, 0),  # required skills hashed to 64 bits (see skill_bits)
        # ranking inputs
        "tier": (np.int8, 0),
        "urgency": (np.int8, 0),
        "posted_day": (np.int32, NO_DAY),
        "alat": (np.float64, np.nan),
        "alon": (np.float64, np.nan),
    }
    MATRICES: ClassVar[tuple[str, ...]] = ("skills", "listed")

    @staticmethod
    def record(p: VacancyProfile, vocab: Vocab, skills: SkillMatcher) -> dict[str, Any]:
        """The row for one open vacancy."""
        lat, lon = _coords(p.latitude, p.longitude)
        alat, alon = _approx(p.latitude, p.longitude, p.district)
        listed = list(p.required_skills) + list(p.preferred_skills)
        required = _ids(vocab, skills.required(p.required_skills))
        return {
            "req_bits": skill_bits(required),
            "tier": TIERS.index(KeyTier(p.key_tier)),
            "urgency": URGENCIES.index(Urgency(p.urgency)),
            "posted_day": day(p.posted_on), "alat": alat, "alon": alon,
            "listed": _ids(vocab, skills.required(listed)),
            "live": True, "enterprise_id": p.enterprise_id if p.enterprise_id else -1,
            "lat": lat, "lon": lon, "city": vocab.add("city:" + p.city),
            "accepts_borrowed": p.accepts_borrowed, "start_day": day(p.start_date),
            "borrow_from_day": day(p.borrow_from), "borrow_to_day": day(p.borrow_to),
            "skills": required,
        }


class PeopleTable(Table):
    """Constraint columns of the people index (seekers and surplus employees)."""

    COLUMNS: ClassVar[dict[str, tuple[Any, Any]]] = {
        "live": (np.bool_, False),
        "is_surplus": (np.bool_, False),
        "lent": (np.bool_, False),
        "enterprise_id": (np.int64, -1),
        "lat": (np.float64, np.nan),
        "lon": (np.float64, np.nan),
        "travel_km": (np.float64, np.nan),
        "city": (np.int32, -1),
        "from_day": (np.int32, NO_DAY),
        "to_day": (np.int32, NO_DAY),
        "alat": (np.float64, np.nan),
        "alon": (np.float64, np.nan),
    }

    @staticmethod
    def record(p: PersonProfile, vocab: Vocab, skills: SkillMatcher) -> dict[str, Any]:
        """The row for one active, consenting person."""
        lat, lon = _coords(p.latitude, p.longitude)
        alat, alon = _approx(p.latitude, p.longitude, p.district)
        return {
            "alat": alat, "alon": alon,
            "live": True, "is_surplus": p.kind == "surplus", "lent": p.lent,
            "enterprise_id": p.enterprise_id if p.enterprise_id else -1, "lat": lat, "lon": lon,
            "travel_km": math.nan if p.travel_km is None else float(p.travel_km),
            "city": vocab.add("city:" + p.city), "from_day": day(p.available_from),
            "to_day": day(p.available_to), "skills": _ids(vocab, skills.held(p.skills)),
        }
