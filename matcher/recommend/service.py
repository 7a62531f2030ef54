"""Matching services: vacancies for a person, candidates for a vacancy.

Flow: the query vector (from the index, else encoded) -> a FAISS search restricted to the
slots the hard constraints allow (the mask is computed once per request) -> every fetched
hit scored with numpy from the index's attribute table (:mod:`matcher.matching.estimate`) ->
the hits that can reach the top ``k`` re-read from the database, re-checked and scored
exactly, all in one batch (:func:`~matcher.matching.constraints.excluded` and
:func:`~matcher.matching.ranking.score_pairs`: the same rules and components as the masks
and estimates, on the fresh rows; a hit whose row changed behind the index is refreshed and
the search repeated) -> sorted by score, then id. The search fetches
more than ``k`` hits and widens until no unfetched hit could still enter the top ``k`` (its
similarity is at most the last fetched one's and its other components at most their
weights), or until ``RANK_LIMIT`` hits have been scored. The result is the one scoring every
such hit exactly would give; about ``k`` rows are read per request.

The similarity the components read is the text signal of
:func:`~matcher.matching.text_score.fused_similarity`: the FAISS cosine of each fetched hit
fused with the lexical BM25 of the query's text against the hit's text (kept by slot beside
the FAISS index), over the fetched hits; with no lexical index it is the cosine. Retrieval
stays dense: lexical scores re-rank what FAISS fetched, and an unfetched hit is bounded by
its cosine as before.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass
from datetime import date
from typing import Any

import numpy as np

from matcher.errors import NotFound
from matcher.index.hits import Hits, MaskMemo
from matcher.index.lexical_index import vacancy_words
from matcher.index.registry import Registry, get_registry
from matcher.matching import constraints, estimate
from matcher.matching.embedding import embed_people, embed_vacancies, person_text
from matcher.matching.estimate import TOLERANCE
from matcher.matching.profiles import (
    PersonKind,
    PersonProfile,
    VacancyProfile,
    load_people,
    load_vacancies,
    person_key,
    split_person_key,
)
from matcher.matching.ranking import AgreementCache, Breakdown, score_pairs
from matcher.matching.sides import pair_sides
from matcher.matching.text_score import LEXICAL, engine_fusion, engine_query, fused_similarity
from matcher.matching.weights import WeightsVersion, load_weights
from matcher.runtime import Runtime
from matcher.words import msg

log = logging.getLogger(__name__)

MIN_FETCH = 400  # hits are scored from the table: one round of RANK_LIMIT costs about
# what one of 50 does (the exact scan dominates), and a second round costs a second scan
OVERFETCH = 5
RANK_LIMIT = 400
MAX_ROUNDS = 6

Scored = tuple[int, Breakdown, Any]
ScoreHits = Callable[[list[tuple[int, float]]], tuple[list[Scored], list[int]]]
Estimate = Callable[[Hits], np.ndarray]


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


def _fused(hits: Hits, lexical: np.ndarray | None, text: str | None) -> Hits:
    """The hits with their cosines fused with their lexical scores (unchanged without)."""
    if lexical is None or not text or not len(hits):
        return hits
    sims = fused_similarity(hits.sims, {LEXICAL: lexical}, engine_fusion(text))
    return Hits(hits.keys, sims.astype(np.float32), hits.rows)


def _rank(reg: Registry, kind: str, query: np.ndarray, mask: Any, k: int, w_sem: float,
          bonus: float, estimate: Estimate, score_hits: ScoreHits,
          text: str | None = None) -> list[Scored]:
    """The top ``k`` scored hits, widening the search until no unfetched hit could enter.

    ``bonus`` bounds the non-semantic part of any score, so a hit of similarity ``s`` scores
    at most ``w_sem * max(0, s) + bonus``. Every fetched hit is scored from the table
    (``estimate``); only the hits whose estimate can reach the ``k``-th are read and scored
    exactly (``score_hits``). A hit whose row is gone, no longer allowed, or scores other
    than its estimate is stale: it is refreshed and the search repeated. ``text``: the
    query's text, for the lexical part of the text signal.
    """
    limit = max(RANK_LIMIT, k)
    n = min(max(MIN_FETCH, OVERFETCH * k), limit)
    memo = MaskMemo()
    scored: list[Scored] = []
    for _ in range(MAX_ROUNDS):
        dense, lexical = reg.search_texts(kind, query, mask, n, memo, text)
        hits = _fused(dense, lexical, text)
        est = estimate(hits)
        order = np.lexsort((hits.keys, -est))
        kth = float(est[order[k - 1]]) if len(hits) >= k else None
        if not (len(hits) < n or n >= limit) and (
                kth is None or kth - TOLERANCE < w_sem * max(0.0, float(dense.sims[-1])) + bonus):
            n = min(n * 4, limit)
            continue
        picks = order if kth is None else order[est[order] >= kth - 3 * TOLERANCE]
        guess = {int(hits.keys[i]): float(est[i]) for i in picks}
        scored, stale = score_hits([(key, float(hits.sims[i]))
                                    for key, i in zip(guess, picks, strict=True)])
        off = [key for key, b, _ in scored if abs(b.score - guess[key]) > TOLERANCE]
        scored.sort(key=lambda t: (-t[1].score, t[0]))
        if not (stale or off):
            return scored[:k]
        log.info("%s: %d hits stale, %d scored off the table; refreshing and searching again",
                 kind, len(stale), len(off))
        reg.refresh(kind, stale + off)
        wrong = set(off)
        scored = [item for item in scored if item[0] not in wrong]
    return scored[:k]


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

    deals = AgreementCache()

    def score_hits(hits: list[tuple[int, float]]) -> tuple[list[Scored], list[int]]:
        with rt.reader() as uow:
            rows = {v.id: v for v in load_vacancies(uow.s, [key for key, _ in hits])}
            pairs = [(person.enterprise_id or 0, v.enterprise_id or 0) for v in rows.values()]
            found = deals.read(uow.s, pairs) if person.kind == "surplus" else {}
        return _score_found(hits, rows, lambda v: (person, v), found, w, skills, today)

    def scores(hits: Hits) -> np.ndarray:
        values = None
        if person.kind == "surplus" and person.enterprise_id:
            with rt.reader() as uow:
                values = deals.values(uow.s, w, [(person.enterprise_id, int(e))
                                                 for e in hits.rows.col("enterprise_id")])
        return estimate.vacancy_scores(person, hits.rows, hits.sims, weights=w, skills=skills,
                                       vocab=reg.vocab, today=today, agreements=values)

    text = engine_query(person_text(person)) if reg.lexical else None  # no lexicon: no text
    ranked = _rank(reg, "vacancies", q, mask, k, w.weights["semantic"], person_bonus(w, person),
                   scores, score_hits, text)
    return [_match(v, b, rank) for rank, (_, b, v) in enumerate(ranked, start=1)]


def _score_found(
    hits: list[tuple[int, float]], rows: Mapping[Any, Any],
    pair_of: Callable[[Any], tuple[PersonProfile, VacancyProfile]],
    deals: Mapping[tuple[int, int], set[str]], w: WeightsVersion, skills: Any, today: date,
) -> tuple[list[Scored], list[int]]:
    """Score the hits whose rows were read, all at once; missing or no longer allowed ones
    are stale."""
    found = [(key, sim, rows[key]) for key, sim in hits if key in rows]
    stale = [key for key, _ in hits if key not in rows]
    if not found:
        return [], stale
    people, vacancies = zip(*(pair_of(row) for _, _, row in found), strict=True)
    person, vacancy = pair_sides(people, vacancies, skills)
    ok = ~constraints.excluded(person, vacancy, today)
    stale += [key for (key, _, _), allowed in zip(found, ok.tolist(), strict=True)
              if not allowed]
    keep = np.flatnonzero(ok)
    sides = (person, vacancy) if len(keep) == len(ok) else (person.take(keep),
                                                              vacancy.take(keep))
    scored = score_pairs(
        [people[i] for i in keep], [vacancies[i] for i in keep], [found[i][1] for i in keep],
        weights=w, skills=skills, today=today, sides=sides,
        agreements=[deals.get((people[i].enterprise_id or 0, vacancies[i].enterprise_id or 0),
                              set()) for i in keep])
    return [(found[i][0], b, found[i][2]) for i, b in zip(keep, scored, strict=True)], stale


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
    with rt.reader() as uow:
        found = load_people(uow.s, [person_key(kind, person_id)])
    if not found:
        raise NotFound(msg("No job seeker %(id)s.", id=person_id) if kind == "seeker"
                       else msg("No lendable employee %(id)s.", id=person_id))
    return found[0]


def load_vacancy(rt: Runtime, vacancy_id: int) -> VacancyProfile:
    """One vacancy's profile or :class:`NotFound`."""
    with rt.reader() as uow:
        found = load_vacancies(uow.s, [vacancy_id])
    if not found:
        raise NotFound(msg("No vacancy %(id)s.", id=vacancy_id))
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

    deals = AgreementCache()

    def score_hits(hits: list[tuple[int, float]]) -> tuple[list[Scored], list[int]]:
        with rt.reader() as uow:
            rows = {p.key: p for p in load_people(uow.s, [key for key, _ in hits])}
            pairs = [(p.enterprise_id or 0, vacancy.enterprise_id or 0) for p in rows.values()]
            found = deals.read(uow.s, pairs)
        return _score_found(hits, rows, lambda p: (p, vacancy), found, w, skills, today)

    def scores(hits: Hits) -> np.ndarray:
        values = None
        if vacancy.enterprise_id:
            with rt.reader() as uow:
                values = deals.values(uow.s, w, [(int(e), vacancy.enterprise_id)
                                                 for e in hits.rows.col("enterprise_id")])
        return estimate.people_scores(vacancy, hits.rows, hits.sims, weights=w, skills=skills,
                                      vocab=reg.vocab, today=today, agreements=values)

    ranked = _rank(reg, "people", q, mask, k, w.weights["semantic"], w.max_bonus, scores,
                   score_hits, vacancy_words(vacancy) if reg.lexical else None)
    out = []
    for rank, (key, b, p) in enumerate(ranked, start=1):
        kind, pid = split_person_key(key)
        out.append(Candidate(
            kind=kind, person_id=pid, external_id=p.external_id, name=p.name,
            district=p.district, enterprise=p.enterprise, enterprise_id=p.enterprise_id,
            **_breakdown_fields(b, rank),
        ))
    return out
