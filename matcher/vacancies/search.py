"""The public search's ranking: keyword and meaning, fused, with the reason each result matched.

Signals per open vacancy, computed over every open vacancy of the city:

* lexical: :mod:`matcher.retrieval.lexical` (character n-gram BM25; one index over the whole
  posting: title, skills, description, enterprise; one over titles alone), after correcting
  each Latin query word that no posting contains to the nearest indexed word within a typo
  ("forklfit" -> "forklift"). ``coverage`` is the share of the query's terms a posting has.
  A query that names a skill of the skills vocabulary (``matcher/data/skills.yaml``) is also
  read as each name of that skill, in both languages (叉车 -> forklift, forklift driver, ...),
  at :data:`SYNONYM_WEIGHT`;
* skills: the posting lists that skill (or one implying it: 叉车证 -> 叉车);
* meaning: the cosine of the query's vector (the engine's encoder, query side) with each
  posting's stored vector in the vacancies index, standardised over all open postings for
  this query (a z-score: "stands out for this query" whatever the model's cosine range),
  after one round of pseudo-relevance feedback (:func:`semantic_z`).

A posting is a result if its coverage reaches :data:`MIN_COVERAGE`, or it lists the skill, or
its z-score reaches :data:`MIN_Z`. Relevance (0..1) is ``W_TEXT * coverage + W_TITLE *
title coverage + W_SKILL * skill + W_MEANING * clip((z - Z_FLOOR) / Z_SPAN, 0, 1)``. The
thresholds and weights were set on the demo city (seed 42, 400 postings, e5-small): 叉车,
forklift and forklfit return the same forklift postings first (then the loaders that list
forklift driving), and unrelated postings stay out (see tests/test_public_search.py).
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import yaml
from sqlalchemy.orm import Session

from matcher.enums import EmploymentType
from matcher.retrieval import lexical
from matcher.runtime import Runtime
from matcher.skills import DEFAULT_SKILLS_FILE, get_skill_matcher
from matcher.vacancies.search_corpus import Corpus, corpus
from matcher.vacancies.search_meaning import prepare, semantic_z, warm
from matcher.vacancies.search_reasons import MatchReason, Posting, Query, why

__all__ = ["SORTS", "MatchReason", "Ranking", "corpus", "prepare", "rank", "warm"]

SORTS = ("relevance", "newest", "wage")
MIN_COVERAGE = 0.5
MIN_Z = 3.3  # after feedback
MIN_POSTINGS_FOR_MEANING = 20  # a z-score over fewer postings says nothing
Z_FLOOR, Z_SPAN = 1.0, 3.0
W_TEXT, W_TITLE, W_SKILL, W_MEANING = 0.3, 0.25, 0.15, 0.3
SYNONYM_WEIGHT = 0.9  # a skill's other names count a little less than the words typed
MAX_SYNONYMS = 16
SYNONYM_MIN_COVERAGE = 0.8  # "叉车司机" must not reach 货车司机 through 司机


@dataclass(frozen=True)
class Ranking:
    """The ordered result ids with their relevance; :meth:`reasons` for the ones shown."""

    ids: list[int]
    relevance: dict[int, float]
    corrected: str | None  # the query as the typo correction read it, if it changed
    query: str = ""
    corpus: Corpus | None = None
    skill_ids: tuple[str, ...] = ()
    synonyms: tuple[str, ...] = ()
    z: dict[int, float] | None = None

    def reasons(self, ids: Sequence[int]) -> dict[int, tuple[MatchReason, ...]]:
        """Why each of ``ids`` matched (empty without search words)."""
        c = self.corpus
        if c is None or not self.query:
            return {}
        pos = {int(k): i for i, k in enumerate(c.ids)}
        query = Query(self.query, self.corrected, self.skill_ids, self.synonyms)
        return {k: why(Posting(c.titles[pos[k]], c.skills[pos[k]], c.descriptions[pos[k]],
                               c.enterprises[pos[k]]), query,
                       semantic=(self.z or {}).get(k, 0.0) >= MIN_Z)
                for k in ids if k in pos}


def correct(c: Corpus, query: str) -> str:
    """The query with each Latin word no posting contains replaced by the nearest one."""
    out = []
    for piece in lexical.pieces(query):
        if piece.isascii() and lexical.WORD_PREFIX + piece not in c.text_index.vocab:
            near = c.text_index.similar_words(piece, 1)
            out.append(near[0] if near else piece)
        else:
            out.append(piece)
    return " ".join(out)


@functools.cache
def _skill_names() -> dict[str, tuple[str, ...]]:
    """Every name of each skill of the vocabulary, as written (both languages)."""
    data = yaml.safe_load(DEFAULT_SKILLS_FILE.read_text(encoding="utf-8"))
    return {str(sid): tuple(str(n) for n in (entry or {}).get("names", []))
            for sid, entry in data["skills"].items()}


def skill_terms(query: str) -> tuple[list[str], list[str]]:
    """Canonical skills the query (whole, or one of its words) names, and their names."""
    sm = get_skill_matcher()
    names = _skill_names()
    wanted = sorted({sm.canonical(w) for w in [query, *lexical.pieces(query)] if w.strip()})
    synonyms = [n for sid in wanted for n in names.get(sid, ())]
    return wanted, list(dict.fromkeys(synonyms))[:MAX_SYNONYMS]


def _coverage(ix: lexical.LexicalIndex, query: str, synonyms: Sequence[str]) -> np.ndarray:
    out = ix.coverage(query)
    for name in synonyms:  # another name counts only when (nearly) all of it is there
        found = ix.coverage(name)
        out = np.maximum(out, np.where(found >= SYNONYM_MIN_COVERAGE, SYNONYM_WEIGHT * found, 0))
    return out


def _order(c: Corpus, rows: np.ndarray, sort: str, relevance: np.ndarray | None) -> np.ndarray:
    """Row positions sorted: relevance (else key enterprises first), newest, or wage."""
    ids = c.ids[rows]
    if sort == "newest":
        keys: tuple[np.ndarray, ...] = (-ids,)
    elif sort == "wage":
        keys = (-ids, -c.wage[rows])
    elif relevance is not None:
        keys = (-ids, ~c.key[rows], -np.round(relevance[rows], 6))
    else:
        keys = (-ids, ~c.key[rows])
    return rows[np.lexsort(keys)]


def rank(session: Session, rt: Runtime | None, *, words: str = "", district: str | None = None,
         employment_type: EmploymentType | None = None, key_only: bool = False,
         sort: str = "relevance") -> Ranking:
    """Every open vacancy passing the filters and matching ``words``, in ``sort`` order.

    Without ``rt`` (no encoder at hand) only the lexical and skill signals are used. Call
    :func:`prepare` before ``session`` first reads (the index reads on its own connection;
    SQLite transactions here take the write lock)."""
    c = corpus(session)
    allowed = np.ones(len(c.ids), dtype=bool)
    if district:
        allowed &= c.districts == district
    if employment_type:
        allowed &= c.types == str(employment_type)
    if key_only:
        allowed &= c.key
    query = " ".join(words.split())
    if not query:
        rows = _order(c, np.flatnonzero(allowed), sort, None)
        return Ranking([int(k) for k in c.ids[rows]], {}, None)
    fixed = correct(c, query)
    skill_ids, synonyms = skill_terms(fixed)
    coverage = _coverage(c.text_index, fixed, synonyms)
    title = _coverage(c.title_index, fixed, synonyms)
    wanted = set(skill_ids)
    skill = np.array([bool(wanted & h) for h in c.held], dtype=bool)
    z = np.zeros(len(c.ids), dtype=np.float32)
    if rt is not None and len(c.ids) >= MIN_POSTINGS_FOR_MEANING:
        z = semantic_z(rt, c, fixed, (coverage >= MIN_COVERAGE) | skill)
    meaning = np.clip((z - Z_FLOOR) / Z_SPAN, 0.0, 1.0)
    relevance = W_TEXT * coverage + W_TITLE * title + W_SKILL * skill + W_MEANING * meaning
    matched = allowed & ((coverage >= MIN_COVERAGE) | skill | (z >= MIN_Z))
    rows = _order(c, np.flatnonzero(matched), sort, relevance)
    corrected = fixed if fixed != query.casefold() else None
    return Ranking(
        ids=[int(k) for k in c.ids[rows]],
        relevance={int(c.ids[i]): round(float(relevance[i]), 4) for i in rows},
        corrected=corrected, query=query, corpus=c, skill_ids=tuple(skill_ids),
        synonyms=tuple(synonyms), z={int(c.ids[i]): float(z[i]) for i in rows},
    )


def titles_of(c: Corpus, ids: Sequence[int]) -> list[str]:
    """Titles of ``ids`` (for logs and tests)."""
    pos = {int(k): i for i, k in enumerate(c.ids)}
    return [c.titles[pos[k]] for k in ids]
