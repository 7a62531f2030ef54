"""Scores estimated with numpy from the attribute tables equal score_pair's, on random data."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from matcher.config import Settings
from matcher.enums import AgreementStatus, KeyTier, Urgency
from matcher.matching import estimate
from matcher.matching.profiles import PersonProfile, VacancyProfile
from matcher.matching.ranking import score_pair
from matcher.matching.tables import PeopleTable, VacancyTable, Vocab
from matcher.matching.weights import load_weights
from matcher.skills import get_skill_matcher

TODAY = date(2020, 6, 1)
SKILLS = ["叉车", "叉车证", "电工证", "护士证", "Excel", "ＥＸＣＥＬ", "焊工", "cold_storage",
          "新技能"]
DISTRICTS = [None, "朝阳区", "海淀", "Dongcheng", "不存在区"]
coords = st.one_of(st.none(), st.tuples(st.floats(39.5, 40.5), st.floats(116.0, 117.0)))
days = st.one_of(st.none(), st.integers(-400, 10).map(lambda d: TODAY + timedelta(days=d)))
STATUSES = [s.value for s in AgreementStatus]


@st.composite
def people(draw: st.DrawFn) -> PersonProfile:
    where = draw(coords)
    return PersonProfile(
        kind=draw(st.sampled_from(["seeker", "surplus"])), id=draw(st.integers(1, 10**6)),
        external_id="p", skills=tuple(draw(st.lists(st.sampled_from(SKILLS), max_size=4))),
        latitude=where[0] if where else None, longitude=where[1] if where else None,
        district=draw(st.sampled_from(DISTRICTS)), enterprise_id=draw(st.integers(1, 3)))


@st.composite
def vacancies(draw: st.DrawFn) -> VacancyProfile:
    where = draw(coords)
    return VacancyProfile(
        id=1, external_id="v", title="t",
        required_skills=tuple(draw(st.lists(st.sampled_from(SKILLS), max_size=3))),
        preferred_skills=tuple(draw(st.lists(st.sampled_from(SKILLS), max_size=3))),
        enterprise_id=draw(st.integers(1, 3)), district=draw(st.sampled_from(DISTRICTS)),
        latitude=where[0] if where else None, longitude=where[1] if where else None,
        key_tier=draw(st.sampled_from(list(KeyTier))), urgency=draw(st.sampled_from(list(Urgency))),
        posted_on=draw(days))


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(people(), min_size=1, max_size=5), st.lists(vacancies(), min_size=1, max_size=5),
       st.lists(st.lists(st.sampled_from(STATUSES), max_size=2), min_size=25, max_size=25),
       st.floats(-0.2, 1.0))
def test_estimates_equal_the_exact_scores(ps: list[PersonProfile], vs: list[VacancyProfile],
                                          deals: list[list[str]], sim: float) -> None:
    skills, vocab = get_skill_matcher(), Vocab()
    w = load_weights(Settings().ranking_weights).on(TODAY)
    vtable, ptable = VacancyTable(), PeopleTable()
    vtable.append([VacancyTable.record(v, vocab, skills) for v in vs])
    ptable.append([PeopleTable.record(p, vocab, skills) for p in ps])
    sim32 = float(np.float32(sim))  # what FAISS hands over: a float32 similarity
    for i, p in enumerate(ps):
        _assert_agree(estimate.vacancy_scores, p, vtable, [(p, v) for v in vs],
                      [deals[i * 5 + j] for j in range(len(vs))], sim32, w, vocab)
    for j, v in enumerate(vs):
        _assert_agree(estimate.people_scores, v, ptable, [(p, v) for p in ps],
                      [deals[i * 5 + j] for i in range(len(ps))], sim32, w, vocab)


def _assert_agree(score: Any, query: Any, table: Any,
                  pairs: list[tuple[PersonProfile, VacancyProfile]], statuses: list[list[str]],
                  sim: float, w: Any, vocab: Vocab) -> None:
    """The table estimate of every pair equals score_pair's exact score."""
    skills = get_skill_matcher()
    got = score(query, table, np.full(len(pairs), sim, dtype=np.float32), weights=w,
                skills=skills, vocab=vocab, today=TODAY,
                agreements=estimate.agreement_values(w, statuses))
    want = [score_pair(p, v, sim, weights=w, skills=skills, today=TODAY, agreements=found).score
            for (p, v), found in zip(pairs, statuses, strict=True)]
    assert np.allclose(got, want, rtol=0, atol=1e-12), (got, want)


def test_a_taken_subset_scores_like_the_whole_table() -> None:
    """Scoring the hits' rows copied out of the table (what the service does) changes nothing."""
    skills, vocab = get_skill_matcher(), Vocab()
    w = load_weights(Settings().ranking_weights).on(TODAY)
    vs = [VacancyProfile(id=i, external_id=str(i), title="t", required_skills=("叉车",) * (i % 2),
                         preferred_skills=("Excel", "焊工")[: i % 3], latitude=39.9 + i / 100,
                         longitude=116.4, urgency=list(Urgency)[i % 3], posted_on=TODAY)
          for i in range(1, 9)]
    table = VacancyTable()
    table.append([VacancyTable.record(v, vocab, skills) for v in vs])
    p = PersonProfile(kind="seeker", id=1, external_id="p", skills=("叉车证", "excel"),
                      latitude=39.9, longitude=116.4)
    sims = np.linspace(0.9, 0.2, len(vs)).astype(np.float32)
    whole = estimate.vacancy_scores(p, table, sims, weights=w, skills=skills, vocab=vocab,
                                    today=TODAY)
    slots = np.array([6, 1, 3])
    part = estimate.vacancy_scores(p, table.take(slots), sims[slots], weights=w, skills=skills,
                                   vocab=vocab, today=TODAY)
    assert part.tolist() == whole[slots].tolist()
    assert len(set(whole.round(9).tolist())) > 4  # the rows really differ
