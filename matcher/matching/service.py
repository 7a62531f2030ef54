"""Matching services: vacancies for a person, candidates for a vacancy.

Flow: the query vector (from the index, else encoded) -> a FAISS search restricted to the
slots the hard constraints allow -> the hits' rows re-read from the database and re-checked
(a hit whose row changed behind the index is refreshed and the search repeated) -> scored by
the weighted components -> sorted by score, then id. The search fetches more than ``k``
hits and widens until no unfetched hit could still enter the top ``k`` (its similarity is at
most the last fetched one's and its other components at most their weights), or until
``RANK_LIMIT`` hits have been scored. Hits are read and scored in chunks, best first; a hit
scored in an earlier round is not read again, and once a hit's bound falls below the
``k``-th score found so far neither it nor any later hit is read (the result is the same as
scoring them all).
"""

from __future__ import annotations

import heapq
import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass
from datetime import date
from typing import Any

import numpy as np

from matcher.errors import NotFound
from matcher.index.registry import Registry, get_registry
from matcher.matching import constraints
from matcher.matching.embedding import embed_people, embed_vacancies
from matcher.matching.profiles import (
    PersonKind,
    PersonProfile,
    VacancyProfile,
    load_people,
    load_vacancies,
    person_key,
    split_person_key,
)
from matcher.matching.ranking import Breakdown, agreements_between, score_pair
from matcher.matching.weights import WeightsVersion, load_weights
from matcher.runtime import Runtime

log = logging.getLogger(__name__)

MIN_FETCH = 50
OVERFETCH = 5
RANK_LIMIT = 400
MAX_ROUNDS = 6

#: Hits read from the database and scored per query; a smaller chunk skips more hits whose
#: bound has fallen below the k-th score, a larger one makes fewer round trips.
SCORE_CHUNK = 50
#: Float slack on the bound test, so rounding never skips a hit that could tie.
BOUND_SLACK = 1e-9

Scored = tuple[int, Breakdown, Any]
ScoreHits = Callable[[list[tuple[int, float]]], tuple[list[Scored], list[int]]]


@dataclass(frozen=True)
class MatchResult:
    """A vacancy recommended to a person, with its score breakdown."""

    vacancy_id: int
    external_id: str
    title: str
    enterprise: str
    enterprise_id: int | None
    score: float
    components: dict[str, dict[str, float]]
    matched_skills: tuple[str, ...]
    missing_skills: tuple[str, ...]
    distance_km: float | None
    distance_approximate: bool
    key_tier: str
    urgency: str
    agreement: str | None
    rank: int
    weights_valid_from: date
    kind: str = "vacancy"

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict."""
        out = asdict(self)
        out["weights_valid_from"] = self.weights_valid_from.isoformat()
        return out


@dataclass(frozen=True)
class Candidate:
    """A person proposed for a vacancy: a job seeker or another enterprise's surplus staff."""

    kind: PersonKind
    person_id: int
    external_id: str
    name: str | None
    district: str | None
    enterprise: str  # surplus: the lending enterprise
    enterprise_id: int | None
    score: float
    components: dict[str, dict[str, float]]
    matched_skills: tuple[str, ...]
    missing_skills: tuple[str, ...]
    distance_km: float | None
    distance_approximate: bool
    agreement: str | None
    rank: int
    weights_valid_from: date

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict."""
        out = asdict(self)
        out["weights_valid_from"] = self.weights_valid_from.isoformat()
        return out


def weights_on(rt: Runtime, day: date) -> WeightsVersion:
    """The ranking weights in force on ``day``."""
    return load_weights(rt.settings.ranking_weights).on(day)


def person_vector(rt: Runtime, reg: Registry, p: PersonProfile) -> np.ndarray:
    """A person's query vector: the indexed one when present, else encoded now."""
    if p.id is not None:
        found = reg.vector("people", p.key)
        if found is not None:
            return found
    return embed_people(rt.encoder, [p])[0]


def vacancy_vector(rt: Runtime, reg: Registry, v: VacancyProfile) -> np.ndarray:
    """A vacancy's document vector: the indexed one when present, else encoded now."""
    if v.id is not None:
        found = reg.vector("vacancies", v.id)
        if found is not None:
            return found
    return embed_vacancies(rt.encoder, [v])[0]


def _rank(reg: Registry, kind: str, query: np.ndarray, mask: Any, k: int, w_sem: float,
          bonus: float, score_hits: ScoreHits) -> list[Scored]:
    """The top ``k`` scored hits, widening the search until no unfetched hit could enter.

    ``bonus`` bounds the non-semantic part of any score, so a hit of similarity ``s`` scores
    at most ``w_sem * max(0, s) + bonus``. Hits already scored in an earlier round are kept
    (not re-read), and hits whose bound is below the current ``k``-th score are never read.
    """
    limit = max(RANK_LIMIT, k)
    n = min(max(MIN_FETCH, OVERFETCH * k), limit)
    scored: list[Scored] = []
    cache: dict[int, tuple[float, Scored]] = {}
    for _ in range(MAX_ROUNDS):
        hits = reg.search(kind, query, mask, n)
        scored, stale, pruned = _score_round(hits, cache, k, w_sem, bonus, score_hits)
        scored.sort(key=lambda t: (-t[1].score, t[0]))
        if stale:  # the index was behind the database for these rows
            log.info("%s: %d hits were stale; refreshing and searching again", kind, len(stale))
            reg.refresh(kind, stale)
            cache.clear()
            continue
        if pruned or len(hits) < n or n >= limit:
            break
        bound = w_sem * max(0.0, hits[-1][1]) + bonus
        if len(scored) >= k and scored[k - 1][1].score >= bound:
            break
        n = min(n * 4, limit)
    return scored[:k]


def _score_round(hits: list[tuple[int, float]], cache: dict[int, tuple[float, Scored]], k: int,
                 w_sem: float, bonus: float, score_hits: ScoreHits,
                 ) -> tuple[list[Scored], list[int], bool]:
    """Score one round's hits (best first): cached ones reused, new ones read in chunks.

    Returns the scored hits, the stale keys and whether hits were skipped because their bound
    fell below the ``k``-th score (then no later hit, nor any unfetched one, can enter).
    """
    kept: list[Scored] = []
    stale: list[int] = []
    top: list[float] = []  # min-heap of the best k scores so far
    pending: list[tuple[int, float]] = []

    def keep(item: Scored) -> None:
        kept.append(item)
        if len(top) < k:
            heapq.heappush(top, item[1].score)
        elif item[1].score > top[0]:
            heapq.heapreplace(top, item[1].score)

    def flush() -> None:
        sims = dict(pending)
        new, bad = score_hits(pending)
        pending.clear()
        stale.extend(bad)
        for item in new:
            cache[item[0]] = (sims[item[0]], item)
            keep(item)

    pruned = False
    for key, sim in hits:
        if len(top) >= k and w_sem * max(0.0, sim) + bonus + BOUND_SLACK < top[0]:
            pruned = True
            break
        found = cache.get(key)
        if found is not None and found[0] == sim:
            keep(found[1])
            continue
        pending.append((key, sim))
        if len(pending) >= SCORE_CHUNK:
            flush()
    if pending:
        flush()
    return kept, stale, pruned


def person_bonus(w: WeightsVersion, person: PersonProfile) -> float:
    """The largest non-semantic part of any score for ``person`` (agreements: surplus only)."""
    if person.kind == "surplus":
        return w.max_bonus
    return w.max_bonus - w.weights.get("agreement", 0.0)


def recommend_for_profile(
    rt: Runtime, person: PersonProfile, *, k: int = 10, as_of: date | None = None,
    query: np.ndarray | None = None,
) -> list[MatchResult]:
    """Open vacancies for ``person`` (stored or not), best first."""
    today = as_of or date.today()
    w = weights_on(rt, today)
    reg = get_registry(rt)
    if k <= 0 or not (person.active and person.consent):
        return []
    q = person_vector(rt, reg, person) if query is None else query
    skills = reg.skills

    def mask(table: Any, vocab: Any) -> np.ndarray:
        return constraints.vacancy_mask(person, table, today=today, vocab=vocab, skills=skills)

    def score_hits(hits: list[tuple[int, float]]) -> tuple[list[Scored], list[int]]:
        with rt.uow() as uow:
            rows = {v.id: v for v in load_vacancies(uow.s, [key for key, _ in hits])}
            pairs = [(person.enterprise_id or 0, v.enterprise_id or 0) for v in rows.values()]
            deals = agreements_between(uow.s, pairs) if person.kind == "surplus" else {}
        return _score_found(hits, rows, lambda v: (person, v), deals, w, skills, today)

    ranked = _rank(reg, "vacancies", q, mask, k, w.weights["semantic"], person_bonus(w, person),
                   score_hits)
    return [_match(v, b, rank) for rank, (_, b, v) in enumerate(ranked, start=1)]


def _score_found(
    hits: list[tuple[int, float]], rows: Mapping[Any, Any],
    pair_of: Callable[[Any], tuple[PersonProfile, VacancyProfile]],
    deals: Mapping[tuple[int, int], set[str]], w: WeightsVersion, skills: Any, today: date,
) -> tuple[list[Scored], list[int]]:
    """Score the hits whose rows were read; missing or no longer allowed ones are stale."""
    out, stale = [], []
    for key, sim in hits:
        row = rows.get(key)
        if row is None:
            stale.append(key)
            continue
        person, vacancy = pair_of(row)
        if constraints.check(person, vacancy, today=today, skills=skills):
            stale.append(key)
            continue
        found = deals.get((person.enterprise_id or 0, vacancy.enterprise_id or 0), set())
        out.append((key, score_pair(person, vacancy, sim, weights=w, skills=skills,
                                    today=today, agreements=found), row))
    return out, stale


def _breakdown_fields(b: Breakdown, rank: int) -> dict[str, Any]:
    """The fields MatchResult and Candidate both take from a score breakdown."""
    return {
        "score": b.score, "components": b.as_dict(), "matched_skills": b.matched_skills,
        "missing_skills": b.missing_skills, "distance_km": b.distance_km,
        "distance_approximate": b.distance_approximate, "agreement": b.agreement,
        "rank": rank, "weights_valid_from": b.weights_valid_from,
    }


def _match(v: VacancyProfile, b: Breakdown, rank: int) -> MatchResult:
    assert v.id is not None
    return MatchResult(
        vacancy_id=v.id, external_id=v.external_id, title=v.title, enterprise=v.enterprise,
        enterprise_id=v.enterprise_id, key_tier=b.key_tier, urgency=b.urgency,
        **_breakdown_fields(b, rank),
    )


def load_person(rt: Runtime, kind: PersonKind, person_id: int) -> PersonProfile:
    """One person's profile or :class:`NotFound`."""
    with rt.uow() as uow:
        found = load_people(uow.s, [person_key(kind, person_id)])
    if not found:
        raise NotFound(f"no {kind} with id {person_id}")
    return found[0]


def load_vacancy(rt: Runtime, vacancy_id: int) -> VacancyProfile:
    """One vacancy's profile or :class:`NotFound`."""
    with rt.uow() as uow:
        found = load_vacancies(uow.s, [vacancy_id])
    if not found:
        raise NotFound(f"no vacancy with id {vacancy_id}")
    return found[0]


def recommend_vacancies(
    rt: Runtime, seeker_id: int, *, k: int = 10, as_of: date | None = None,
    kind: PersonKind = "seeker",
) -> list[MatchResult]:
    """Recommended open vacancies for a stored job seeker (or surplus employee)."""
    return recommend_for_profile(rt, load_person(rt, kind, seeker_id), k=k, as_of=as_of)


def candidates_for_vacancy(
    rt: Runtime, vacancy_id: int, *, k: int = 10, as_of: date | None = None,
    kinds: Sequence[PersonKind] = ("seeker", "surplus"),
) -> list[Candidate]:
    """Job seekers and other enterprises' lendable staff for a vacancy, best first."""
    today = as_of or date.today()
    w = weights_on(rt, today)
    vacancy = load_vacancy(rt, vacancy_id)
    reg = get_registry(rt)
    if k <= 0 or not vacancy.is_open:
        return []
    q = vacancy_vector(rt, reg, vacancy)
    skills = reg.skills

    def mask(table: Any, vocab: Any) -> np.ndarray:
        return constraints.people_mask(vacancy, table, today=today, vocab=vocab, skills=skills,
                                       kinds=tuple(kinds))

    def score_hits(hits: list[tuple[int, float]]) -> tuple[list[Scored], list[int]]:
        with rt.uow() as uow:
            rows = {p.key: p for p in load_people(uow.s, [key for key, _ in hits])}
            pairs = [(p.enterprise_id or 0, vacancy.enterprise_id or 0) for p in rows.values()]
            deals = agreements_between(uow.s, pairs)
        return _score_found(hits, rows, lambda p: (p, vacancy), deals, w, skills, today)

    ranked = _rank(reg, "people", q, mask, k, w.weights["semantic"], w.max_bonus, score_hits)
    out = []
    for rank, (key, b, p) in enumerate(ranked, start=1):
        kind, pid = split_person_key(key)
        out.append(Candidate(
            kind=kind, person_id=pid, external_id=p.external_id, name=p.name,
            district=p.district, enterprise=p.enterprise, enterprise_id=p.enterprise_id,
            **_breakdown_fields(b, rank),
        ))
    return out
