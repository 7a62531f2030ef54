"""Slot-aligned attribute tables: the columns the hard constraints test, as numpy arrays.

Row ``i`` of a table describes the vector in slot ``i`` of the same kind's FAISS index, so a
constraint evaluated over the whole table (vectorized, no Python loop over rows) gives the
boolean mask of allowed slots for the search. Dates are day ordinals (0 = none), missing
coordinates NaN, strings (cities, skills) interned to small integers by a :class:`Vocab`.
Skills are a ``(rows, width)`` int32 matrix padded with -1. Tables grow by doubling.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any, ClassVar

import numpy as np

from matcher.geo import valid_coordinates
from matcher.matching.profiles import PersonProfile, VacancyProfile
from matcher.skills import SkillMatcher

NO_DAY = 0


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
    """Growable numpy columns plus one skills matrix, aligned with index slots."""

    COLUMNS: ClassVar[dict[str, tuple[Any, Any]]] = {}

    def __init__(self, capacity: int = 64, width: int = 4):
        self.n = 0
        cap = max(capacity, 1)
        self._cols = {name: np.full(cap, empty, dtype=dt) for name, (dt, empty) in
                      self.COLUMNS.items()}
        self._skills = np.full((cap, max(width, 1)), -1, dtype=np.int32)

    def __len__(self) -> int:
        return self.n

    def col(self, name: str) -> np.ndarray:
        """The live part of a column (a view)."""
        return self._cols[name][: self.n]

    @property
    def skills(self) -> np.ndarray:
        """The ``(n, width)`` skill-id matrix, -1 padded (a view)."""
        return self._skills[: self.n]

    def _reserve(self, rows: int, width: int) -> None:
        cap = len(self._skills)
        if rows > cap:
            new_cap = max(rows, cap * 2)
            for name, (dt, empty) in self.COLUMNS.items():
                grown = np.full(new_cap, empty, dtype=dt)
                grown[: self.n] = self._cols[name][: self.n]
                self._cols[name] = grown
            cap = new_cap
        if rows > len(self._skills) or width > self._skills.shape[1]:
            matrix = np.full((cap, max(width, self._skills.shape[1])), -1, dtype=np.int32)
            matrix[: self.n, : self._skills.shape[1]] = self._skills[: self.n]
            self._skills = matrix

    def _write(self, slot: int, record: dict[str, Any] | None) -> None:
        if record is None:
            for name, (_, empty) in self.COLUMNS.items():
                self._cols[name][slot] = empty
            self._skills[slot] = -1
            return
        for name in self.COLUMNS:
            self._cols[name][slot] = record[name]
        ids = record["skills"]
        self._skills[slot] = -1
        self._skills[slot, : len(ids)] = ids

    def append(self, records: Sequence[dict[str, Any] | None]) -> range:
        """Add rows (None = a dead slot); returns their slots."""
        width = max((len(r["skills"]) for r in records if r is not None), default=0)
        self._reserve(self.n + len(records), width)
        start = self.n
        for i, record in enumerate(records):
            self._write(start + i, record)
        self.n += len(records)
        return range(start, self.n)

    def set(self, slot: int, record: dict[str, Any] | None) -> None:
        """Overwrite one row (None marks the slot dead)."""
        self._reserve(self.n, len(record["skills"]) if record else 0)
        self._write(slot, record)

    def take(self, slots: np.ndarray) -> Table:
        """A new table holding only ``slots``, in that order (for compaction)."""
        out = type(self)(capacity=len(slots), width=self._skills.shape[1])
        for name in self.COLUMNS:
            out._cols[name][: len(slots)] = self._cols[name][slots]
        out._skills[: len(slots)] = self._skills[slots]
        out.n = len(slots)
        return out


def _coords(lat: float | None, lon: float | None) -> tuple[float, float]:
    return (lat, lon) if valid_coordinates(lat, lon) else (math.nan, math.nan)  # type: ignore[return-value]


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
    }

    @staticmethod
    def record(p: VacancyProfile, vocab: Vocab, skills: SkillMatcher) -> dict[str, Any]:
        """The row for one open vacancy."""
        lat, lon = _coords(p.latitude, p.longitude)
        return {
            "live": True, "enterprise_id": p.enterprise_id if p.enterprise_id else -1,
            "lat": lat, "lon": lon, "city": vocab.add("city:" + p.city),
            "accepts_borrowed": p.accepts_borrowed, "start_day": day(p.start_date),
            "borrow_from_day": day(p.borrow_from), "borrow_to_day": day(p.borrow_to),
            "skills": _ids(vocab, skills.required(p.required_skills)),
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
    }

    @staticmethod
    def record(p: PersonProfile, vocab: Vocab, skills: SkillMatcher) -> dict[str, Any]:
        """The row for one active, consenting person."""
        lat, lon = _coords(p.latitude, p.longitude)
        return {
            "live": True, "is_surplus": p.kind == "surplus", "lent": p.lent,
            "enterprise_id": p.enterprise_id if p.enterprise_id else -1, "lat": lat, "lon": lon,
            "travel_km": math.nan if p.travel_km is None else float(p.travel_km),
            "city": vocab.add("city:" + p.city), "from_day": day(p.available_from),
            "to_day": day(p.available_to), "skills": _ids(vocab, skills.held(p.skills)),
        }
