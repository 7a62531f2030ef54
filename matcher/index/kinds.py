"""The two index kinds: how each reads its rows, keys them, embeds them and describes them.

* ``vacancies``: open vacancies with headcount left, keyed by vacancy id, document vectors;
* ``people``: active, consenting job seekers (key = id) and surplus employees (key =
  ``SURPLUS_OFFSET + id``), query vectors.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any, Protocol

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from matcher.encoders.base import Encoder
from matcher.enums import PersonStatus
from matcher.matching import embedding
from matcher.matching.profiles import (
    SURPLUS_OFFSET,
    PersonProfile,
    VacancyProfile,
    load_people,
    load_vacancies,
    vacancy_open_clause,
)
from matcher.matching.tables import PeopleTable, Table, VacancyTable, Vocab
from matcher.models import JobSeeker, SurplusEmployee, Vacancy
from matcher.skills import SkillMatcher

Profile = Any  # VacancyProfile | PersonProfile
BULK_KEYS = 20_000


class IndexKind(Protocol):
    """What the registry needs to know about one kind of indexed entity."""

    name: str
    table_cls: type[Table]

    def load(self, session: Session, keys: Iterable[int] | None = None) -> list[Any]:
        """Profiles of ``keys`` (all members when None)."""

    def key(self, p: Any) -> int:
        """Index key."""

    def is_member(self, p: Any) -> bool:
        """Belongs in the index."""

    def text(self, p: Any) -> str:
        """Embedded text."""

    def embed(self, encoder: Encoder, ps: Sequence[Any], progress: bool) -> np.ndarray:
        """Vectors for ``ps``."""

    def record(self, p: Any, vocab: Vocab, skills: SkillMatcher) -> dict[str, Any]:
        """Table row."""

    def member_keys(self, session: Session) -> np.ndarray:
        """Keys the index should hold."""

    def changed_since(self, session: Session, since: datetime) -> list[int]:
        """Keys of rows updated after ``since``."""


class VacancyKind:
    """The ``vacancies`` index."""

    name = "vacancies"
    table_cls: type[Table] = VacancyTable

    def load(self, session: Session, keys: Iterable[int] | None = None) -> list[VacancyProfile]:
        """Profiles of ``keys`` (all open ones when None)."""
        if keys is None:
            return load_vacancies(session, open_only=True)
        keys = set(keys)
        if len(keys) > BULK_KEYS:  # one scan beats thousands of IN (...) queries
            return [p for p in load_vacancies(session, open_only=True) if p.id in keys]
        return load_vacancies(session, keys)

    def key(self, p: VacancyProfile) -> int:
        """Index key."""
        assert p.id is not None
        return p.id

    def is_member(self, p: VacancyProfile) -> bool:
        """Belongs in the index."""
        return p.is_open

    def text(self, p: VacancyProfile) -> str:
        """Embedded text."""
        return embedding.vacancy_text(p)

    def embed(self, encoder: Encoder, ps: Sequence[VacancyProfile], progress: bool) -> np.ndarray:
        """Vectors for ``ps``."""
        return embedding.embed_vacancies(encoder, ps, show_progress=progress)

    def record(self, p: VacancyProfile, vocab: Vocab, skills: SkillMatcher) -> dict[str, Any]:
        """Table row."""
        return VacancyTable.record(p, vocab, skills)

    def member_keys(self, session: Session) -> np.ndarray:
        """Keys the index should hold, from SQL."""
        ids = session.scalars(select(Vacancy.id).where(vacancy_open_clause())).all()
        return np.array(sorted(ids), dtype=np.int64)

    def changed_since(self, session: Session, since: datetime) -> list[int]:
        """Keys of rows updated after ``since``."""
        return list(session.scalars(select(Vacancy.id).where(Vacancy.updated_at > since)))


class PeopleKind:
    """The ``people`` index (job seekers and surplus employees)."""

    name = "people"
    table_cls: type[Table] = PeopleTable

    def load(self, session: Session, keys: Iterable[int] | None = None) -> list[PersonProfile]:
        """Profiles of ``keys`` (all indexable ones when None)."""
        if keys is None:
            return load_people(session, indexed_only=True)
        keys = set(keys)
        if len(keys) > BULK_KEYS:  # non-members are dropped by the caller either way
            return [p for p in load_people(session, indexed_only=True) if p.key in keys]
        return load_people(session, keys)

    def key(self, p: PersonProfile) -> int:
        """Index key."""
        return p.key

    def is_member(self, p: PersonProfile) -> bool:
        """Belongs in the index."""
        return p.in_index

    def text(self, p: PersonProfile) -> str:
        """Embedded text."""
        return embedding.person_text(p)

    def embed(self, encoder: Encoder, ps: Sequence[PersonProfile], progress: bool) -> np.ndarray:
        """Vectors for ``ps``."""
        return embedding.embed_people(encoder, ps, show_progress=progress)

    def record(self, p: PersonProfile, vocab: Vocab, skills: SkillMatcher) -> dict[str, Any]:
        """Table row."""
        return PeopleTable.record(p, vocab, skills)

    def member_keys(self, session: Session) -> np.ndarray:
        """Keys the index should hold, from SQL."""
        seekers = session.scalars(select(JobSeeker.id).where(
            JobSeeker.status == PersonStatus.ACTIVE, JobSeeker.consent_matching.is_(True)))
        surplus = session.scalars(select(SurplusEmployee.id).where(
            SurplusEmployee.status == PersonStatus.ACTIVE, SurplusEmployee.consent.is_(True)))
        keys = list(seekers) + [i + SURPLUS_OFFSET for i in surplus]
        return np.array(sorted(keys), dtype=np.int64)

    def changed_since(self, session: Session, since: datetime) -> list[int]:
        """Keys of rows updated after ``since``."""
        seekers = session.scalars(select(JobSeeker.id).where(JobSeeker.updated_at > since))
        surplus = session.scalars(
            select(SurplusEmployee.id).where(SurplusEmployee.updated_at > since))
        return list(seekers) + [i + SURPLUS_OFFSET for i in surplus]


KINDS: dict[str, IndexKind] = {"vacancies": VacancyKind(), "people": PeopleKind()}
