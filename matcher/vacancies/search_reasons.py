"""Why a search result matched, in codes the web layer puts into words.

Codes, strongest first: ``title`` (the title contains a word typed, or another name of the
skill typed: 叉车 -> "forklift"), ``spelling`` (the title contains the word a typo was
corrected to), ``skill`` (the posting lists the skill the words name), ``description`` and
``enterprise`` (only when nothing above matched), ``semantic`` (close in meaning; the value is
the posting's title). At most :data:`MAX_REASONS` per result.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from matcher.retrieval import lexical
from matcher.skills import get_skill_matcher

MAX_REASONS = 3


@dataclass(frozen=True)
class MatchReason:
    """Why a result matched: ``code`` (see the module docstring) and the word, skill or
    title it refers to."""

    code: str
    value: str


@dataclass(frozen=True)
class Posting:
    """The searchable fields of one posting."""

    title: str
    skills: Sequence[str]
    description: str
    enterprise: str


@dataclass(frozen=True)
class Query:
    """The words as typed, as corrected, the skills they name and those skills' names."""

    words: str
    corrected: str | None
    skill_ids: Sequence[str]
    synonyms: Sequence[str]


def _whole(name: str, text: str) -> bool:
    """Every piece of ``name`` is in ``text``."""
    found = lexical.contained(name, text)
    return bool(found) and len(found) == len(lexical.pieces(name))


def why(p: Posting, q: Query, *, semantic: bool) -> tuple[MatchReason, ...]:
    """The reasons ``p`` matched ``q`` (``semantic``: it stands out by meaning)."""
    sm = get_skill_matcher()
    out = [MatchReason("title", w) for w in lexical.contained(q.words, p.title)]
    if q.corrected:
        typed = set(lexical.pieces(q.words))
        out += [MatchReason("spelling", w) for w in lexical.contained(q.corrected, p.title)
                if w not in typed]
    if not out:
        named = next((n for n in q.synonyms if _whole(n, p.title)), None)
        if named:
            out.append(MatchReason("title", named))
    wanted = set(q.skill_ids)
    out += [MatchReason("skill", s) for s in p.skills
            if sm.held([s]) & wanted or lexical.contained(q.words, s)]
    if not out:
        for code, text in (("description", p.description), ("enterprise", p.enterprise)):
            out += [MatchReason(code, w) for w in lexical.contained(q.corrected or q.words, text)]
    if semantic or not out:
        out.append(MatchReason("semantic", p.title))
    return tuple(dict.fromkeys(out))[:MAX_REASONS]
