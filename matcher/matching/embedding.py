"""What is embedded for each side: one labelled text, one vector per entity.

The texts come from :mod:`matcher.texts` (``职位 Job: ... / 技能 Skills: ... / 描述
Description: ...``), whose author measured on the evaluation set that labelled single texts
beat plain concatenation and separately embedded fields. Measured through the whole engine
(e5-small, flat index, packaged ranking weights, 99 seekers): labelled single text
recall@10 0.766 / nDCG@10 0.824; a weighted sum of a headline vector and a full-text
vector was 0.779 / 0.831 at twice the encoding cost, so one vector it is.

Vacancies are embedded as documents, people as queries (e5's asymmetric prefixes), so a
pair's similarity is the same inner product whichever side searches.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

import numpy as np

from matcher import texts
from matcher.encoders.base import Encoder
from matcher.matching.profiles import PersonProfile, VacancyProfile


def vacancy_text(v: VacancyProfile) -> str:
    """The document text of a vacancy."""
    return texts.vacancy_text(v.title, v.required_skills, v.description, v.preferred_skills)


def person_text(p: PersonProfile) -> str:
    """The query text of a job seeker or surplus employee."""
    if p.kind == "surplus":
        return texts.surplus_employee_text(p.skills, p.experience, p.desired_positions)
    return texts.seeker_text(p.desired_positions, p.skills, p.experience)


def text_hash(text: str) -> str:
    """A short digest telling whether an entity's text changed since it was embedded."""
    return hashlib.blake2b(text.encode("utf-8"), digest_size=8).hexdigest()


def _encode(encode: object, items: list[str], dim: int, show_progress: bool) -> np.ndarray:
    if not items:
        return np.zeros((0, dim), dtype=np.float32)
    vectors = encode(items, show_progress=show_progress)  # type: ignore[operator]
    return np.ascontiguousarray(vectors, dtype=np.float32)


def embed_vacancies(
    encoder: Encoder, profiles: Sequence[VacancyProfile], show_progress: bool = False
) -> np.ndarray:
    """Document vectors of vacancies, ``(n, dim)`` float32, unit rows."""
    return _encode(encoder.encode_documents, [vacancy_text(v) for v in profiles], encoder.dim,
                   show_progress)


def embed_people(
    encoder: Encoder, profiles: Sequence[PersonProfile], show_progress: bool = False
) -> np.ndarray:
    """Query vectors of people, ``(n, dim)`` float32, unit rows."""
    return _encode(encoder.encode_queries, [person_text(p) for p in profiles], encoder.dim,
                   show_progress)
