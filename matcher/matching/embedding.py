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
from collections import Counter
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from matcher import texts
from matcher.matching.profiles import PersonProfile, VacancyProfile

if TYPE_CHECKING:  # the encoders sit above the ranking core; only their interface is named
    from matcher.encoders.base import Encoder

Embed = Callable[[Sequence[Any]], np.ndarray]


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


def embed_texts(encoder: Encoder, items: Sequence[str], *, documents: bool) -> np.ndarray:
    """Vectors of ready-made texts: document (vacancy) vectors or query (person) vectors."""
    encode = encoder.encode_documents if documents else encoder.encode_queries
    return _encode(encode, list(items), encoder.dim, False)


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


class ReuseCache:
    """Embeds each distinct text of one build once (chains post the same job many times).

    Built from the text hashes of every entity of the build, in order; :meth:`embed` is then
    called batch after batch in that order. A batch encodes only its texts not seen before
    (once each, even if repeated within the batch) and copies the others' vectors, so the
    result is row for row what encoding every text would give. A vector is kept only while
    a later entity still has its text, so memory stays at the repeated texts.
    """

    def __init__(self, hashes: Sequence[str]):
        self._left = Counter(hashes)
        self._vectors: dict[str, np.ndarray] = {}
        self.encoded = 0
        self.reused = 0

    def embed(self, items: Sequence[Any], hashes: Sequence[str], embed: Embed) -> np.ndarray:
        """Vectors of ``items`` (whose text hashes are ``hashes``), encoding only new texts."""
        if len(items) != len(hashes):
            raise ValueError(f"{len(items)} items but {len(hashes)} hashes")
        first: dict[str, int] = {}
        for i, h in enumerate(hashes):
            if h not in self._vectors and h not in first:
                first[h] = i
        fresh = embed([items[i] for i in first.values()]) if first else None
        if fresh is not None:
            for row, h in enumerate(first):
                self._vectors[h] = fresh[row]
        self.encoded += len(first)
        self.reused += len(hashes) - len(first)
        out = np.stack([self._vectors[h] for h in hashes]) if len(hashes) else \
            np.zeros((0, fresh.shape[1] if fresh is not None else 0), dtype=np.float32)
        for h in hashes:
            self._left[h] -= 1
            if self._left[h] <= 0:
                self._vectors.pop(h, None)
        return np.ascontiguousarray(out, dtype=np.float32)
