"""Vacancy-like profiles x people, scored from stored vectors with the ranking core.

Used by the bureau's gap candidates and dispatch, the cohort allocation and the lending
desk's matches. One matrix product gives every similarity (stored vectors, see
:mod:`matcher.index.text_vectors`); for each vacancy row, the ranking core's vectorized
hard constraints (:func:`matcher.matching.constraints.people_mask`, over a table of just
these people) give the allowed pairs and its vectorized components
(:func:`matcher.matching.estimate.people_scores`) the score of every pair, equal to
:func:`~matcher.matching.ranking.score_pair`'s within ``estimate.TOLERANCE``. A pair that is
shown is scored by ``score_pair`` itself (:meth:`PeopleGrid.exact`, :meth:`PeopleGrid.top`),
so its score and explanation are the engine's to the last bit.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np
from sqlalchemy.orm import Session

from matcher.index.registry import Registry
from matcher.index.text_vectors import entity_vectors
from matcher.matching import constraints, estimate
from matcher.matching.embedding import person_text, vacancy_text
from matcher.matching.estimate import TOLERANCE
from matcher.matching.profiles import PersonProfile, VacancyProfile
from matcher.matching.ranking import Breakdown, agreements_between, score_pair
from matcher.matching.tables import PeopleTable, Vocab
from matcher.matching.weights import WeightsVersion
from matcher.skills import SkillMatcher

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PeopleGrid:
    """Scores of ``(len(vacancies), len(people))`` pairs; ``estimates`` is ``-inf`` where a
    pair is not allowed."""

    vacancies: Sequence[VacancyProfile]
    people: Sequence[PersonProfile]
    sims: np.ndarray
    allowed: np.ndarray
    estimates: np.ndarray
    weights: WeightsVersion
    skills: SkillMatcher
    today: date
    deals: dict[tuple[int, int], set[str]]

    def exact(self, i: int, j: int) -> Breakdown | None:
        """``score_pair``'s breakdown of an allowed pair (None if ``check`` excludes it)."""
        p, v = self.people[j], self.vacancies[i]
        broken = constraints.check(p, v, today=self.today, skills=self.skills)
        if broken:
            log.warning("mask allowed %s for %s but check says %s", p.external_id,
                        v.external_id, [e.code for e in broken])
            return None
        return score_pair(p, v, float(self.sims[i, j]), weights=self.weights,
                          skills=self.skills, today=self.today,
                          agreements=self.deals.get(_pair(p, v), set()))

    def top(self, i: int, cols: np.ndarray, k: int) -> list[tuple[int, Breakdown]]:
        """The allowed columns among ``cols`` whose estimate can reach the ``k``-th best,
        scored exactly (unsorted: callers order by score and their own tie-break)."""
        cols = np.asarray(cols, dtype=np.int64)
        allowed = cols[self.allowed[i, cols]]
        if k <= 0 or not len(allowed):
            return []
        picks = allowed
        if len(allowed) > k:
            est = self.estimates[i, allowed]
            kth = np.partition(est, len(est) - k)[len(est) - k]
            picks = allowed[est >= kth - 3 * TOLERANCE]
        out = self._exact_all(i, picks)
        if len(picks) < len(allowed) and any(
                abs(b.score - self.estimates[i, j]) > TOLERANCE for j, b in out):
            log.warning("%s: estimates off the exact score; scoring every allowed pair",
                        self.vacancies[i].external_id)
            out = self._exact_all(i, allowed)
        return out

    def _exact_all(self, i: int, cols: np.ndarray) -> list[tuple[int, Breakdown]]:
        found = ((j, self.exact(i, j)) for j in cols.tolist())
        return [(j, b) for j, b in found if b is not None]


def _pair(p: PersonProfile, v: VacancyProfile) -> tuple[int, int]:
    return p.enterprise_id or 0, v.enterprise_id or 0


def can_load_index(session: Session) -> bool:
    """Whether an index may be loaded now: not while ``session`` holds a transaction. On
    SQLite every transaction takes the write lock (see matcher.db), so loading, which reads
    on its own connection, would wait for the caller; elsewhere it would index without
    the caller's uncommitted rows and record them as synced."""
    return not session.in_transaction()


def people_table(people: Sequence[PersonProfile], vocab: Vocab, skills: SkillMatcher
                 ) -> PeopleTable:
    """A constraint table of ``people`` in order (``live`` only when active and consenting)."""
    records = []
    for p in people:
        record = PeopleTable.record(p, vocab, skills)
        record["live"] = p.active and p.consent
        records.append(record)
    table = PeopleTable(capacity=len(records))
    table.append(records)
    return table


def score_people(
    reg: Registry, session: Session, vacancies: Sequence[VacancyProfile],
    vacancy_keys: Sequence[int | None], people: Sequence[PersonProfile], *,
    weights: WeightsVersion, today: date, allowed: np.ndarray | None = None,
) -> PeopleGrid:
    """Score every (vacancy, person) pair; ``vacancy_keys`` name each row's index entry
    (None: none), ``allowed`` is the callers' own rules on top of the engine's."""
    shape = (len(vacancies), len(people))
    skills = reg.skills
    sims = np.zeros(shape, dtype=np.float32)
    ok = np.zeros(shape, dtype=bool)
    est = np.full(shape, -np.inf)
    deals: dict[tuple[int, int], set[str]] = {}
    if not vacancies or not people:
        return PeopleGrid(vacancies, people, sims, ok, est, weights, skills, today, deals)
    # Every listed skill is interned, held by one of these people or not: the skill share
    # counts them all, as score_pair does (a name missing from the vocabulary would not).
    vocab = Vocab()
    for v in vacancies:
        for name in skills.required([*v.required_skills, *v.preferred_skills]):
            vocab.add(name)
    table = people_table(people, vocab, skills)
    for i, v in enumerate(vacancies):
        ok[i] = constraints.people_mask(v, table, today=today, vocab=vocab, skills=skills)
    if allowed is not None:
        ok &= allowed
    rows = np.flatnonzero(ok.any(axis=1)).tolist()
    cols = np.flatnonzero(ok.any(axis=0)).tolist()
    if not rows:
        return PeopleGrid(vacancies, people, sims, ok, est, weights, skills, today, deals)
    can_load = can_load_index(session)  # only what some allowed pair needs is fetched
    v_vectors = entity_vectors(reg, "vacancies", [vacancy_keys[i] for i in rows],
                               [vacancy_text(vacancies[i]) for i in rows], can_load=can_load)
    p_vectors = entity_vectors(reg, "people", [people[j].key if people[j].id is not None
                                               else None for j in cols],
                               [person_text(people[j]) for j in cols], can_load=can_load)
    # Exact products summed in float64, then rounded to float32: equal texts get equal
    # similarities (a float32 BLAS call may sum two equal rows in different orders), and a
    # row's numbers do not depend on which other rows share the call.
    p64 = p_vectors.astype(np.float64)
    for row, i in enumerate(rows):
        sims[i, cols] = (p64 @ v_vectors[row].astype(np.float64)).astype(np.float32)
    deals = dict(agreements_between(session, {
        _pair(people[j], vacancies[i]) for i, j in zip(*np.nonzero(ok), strict=True)
        if people[int(j)].kind == "surplus"}))
    for i in rows:
        v, mine = vacancies[i], np.flatnonzero(ok[i])
        values = np.array([estimate.agreement_values(weights, [deals.get(
            _pair(people[j], v), set())])[0] if people[j].kind == "surplus" else 0.0
            for j in mine.tolist()])
        est[i, mine] = estimate.people_scores(v, table.take(mine), sims[i, mine],
                                              weights=weights, skills=skills, vocab=vocab,
                                              today=today, agreements=values)
    return PeopleGrid(vacancies, people, sims, ok, est, weights, skills, today, deals)
