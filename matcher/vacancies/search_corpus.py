"""The searchable fields of every open vacancy, with their lexical indexes, cached per
database until a vacancy or its enterprise changes (one cheap aggregate query tells)."""

from __future__ import annotations

import threading
from dataclasses import dataclass

import numpy as np
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from matcher.enums import KeyTier, VacancyStatus
from matcher.models import Enterprise, Vacancy
from matcher.retrieval import lexical
from matcher.skills import get_skill_matcher

CACHED_DATABASES = 4


@dataclass
class Corpus:
    """Every open vacancy's searchable fields, as arrays, and their lexical index."""

    ids: np.ndarray
    titles: list[str]
    skills: list[list[str]]
    descriptions: list[str]
    enterprises: list[str]
    districts: np.ndarray  # object
    types: np.ndarray  # object (employment type values)
    key: np.ndarray  # bool: a key enterprise (any tier above none)
    wage: np.ndarray  # float: wage_max, else wage_min, else -1
    text_index: lexical.LexicalIndex
    title_index: lexical.LexicalIndex
    held: list[frozenset[str]]  # canonical skill ids each posting lists


_CACHE: dict[str, tuple[tuple[object, ...], Corpus]] = {}
_CACHE_LOCK = threading.Lock()


def _signature(session: Session) -> tuple[object, ...]:
    row = session.execute(
        select(func.count(Vacancy.id), func.max(Vacancy.id), func.max(Vacancy.updated_at),
               func.max(Enterprise.updated_at), func.sum(Vacancy.filled))
        .join(Enterprise, Vacancy.enterprise_id == Enterprise.id)
        .where(Vacancy.status == VacancyStatus.OPEN, Vacancy.filled < Vacancy.headcount)
    ).one()
    return tuple(str(v) for v in row)


def corpus(session: Session) -> Corpus:
    """The open vacancies (cached per database until one of them or its enterprise changes)."""
    where = str(session.get_bind().engine.url)
    sig = _signature(session)
    with _CACHE_LOCK:
        hit = _CACHE.get(where)
        if hit is not None and hit[0] == sig:
            return hit[1]
    rows = session.execute(
        select(Vacancy.id, Vacancy.title, Vacancy.required_skills, Vacancy.preferred_skills,
               Vacancy.description, Enterprise.name, Vacancy.district, Vacancy.employment_type,
               Enterprise.key_tier, Vacancy.wage_min, Vacancy.wage_max)
        .join(Enterprise, Vacancy.enterprise_id == Enterprise.id)
        .where(Vacancy.status == VacancyStatus.OPEN, Vacancy.filled < Vacancy.headcount)
        .order_by(Vacancy.id)
    ).all()
    sm = get_skill_matcher()
    skills = [list(r[2] or []) + list(r[3] or []) for r in rows]
    docs = [" ".join([r[1]] * 3 + s * 2 + [r[4] or "", r[5]]) for r, s in zip(rows, skills,
                                                                             strict=True)]
    built = Corpus(
        ids=np.array([r[0] for r in rows], dtype=np.int64), titles=[r[1] for r in rows],
        skills=skills, descriptions=[r[4] or "" for r in rows],
        enterprises=[r[5] for r in rows],
        districts=np.array([r[6] for r in rows], dtype=object),
        types=np.array([str(r[7]) for r in rows], dtype=object),
        key=np.array([r[8] != KeyTier.NONE for r in rows], dtype=bool),
        wage=np.array([float(r[10] or r[9] or -1) for r in rows]),
        text_index=lexical.LexicalIndex.build([r[0] for r in rows], docs),
        title_index=lexical.LexicalIndex.build([r[0] for r in rows], [r[1] for r in rows]),
        held=[sm.held(s) for s in skills],
    )
    with _CACHE_LOCK:
        _CACHE.pop(where, None)
        while len(_CACHE) >= CACHED_DATABASES:  # tests open many databases in one process
            _CACHE.pop(next(iter(_CACHE)))
        _CACHE[where] = (sig, built)
    return built
