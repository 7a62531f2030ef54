"""Scores estimated with numpy from the attribute tables equal score_pair's, on random data;
the components are one registered function each, a batch scores each pair as alone."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from matcher.config import Settings
from matcher.enums import AgreementStatus, KeyTier, Urgency
from matcher.matching import components, estimate
from matcher.matching.profiles import PersonProfile, VacancyProfile
from matcher.matching.ranking import score_pair, score_pairs
from matcher.matching.sides import pair_sides
from matcher.matching.tables import PeopleTable, VacancyTable, Vocab
from matcher.matching.weights import COMPONENTS, load_weights
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


def test_every_weighted_component_is_one_registered_function() -> None:
    """The weights file's components and the component functions are the same set, and
    the total is their weighted sum."""
    assert list(components.VALUES) == list(COMPONENTS)
    w = load_weights(Settings().ranking_weights).on(TODAY)
    p = PersonProfile(kind="seeker", id=1, external_id="p", skills=("叉车证",), latitude=39.9,
                      longitude=116.4)
    v = VacancyProfile(id=1, external_id="v", title="t", required_skills=("叉车",),
                       latitude=39.95, longitude=116.4, urgency=Urgency.URGENT,
                       key_tier=KeyTier.KEY, posted_on=TODAY - timedelta(days=3))
    person, vacancy = pair_sides([p], [v], get_skill_matcher())
    facts = components.pair_facts(person, vacancy, np.array([0.7]), today=TODAY)
    values = components.values(facts, w)
    assert set(values) == set(COMPONENTS)
    assert all(0.0 <= float(x[0]) <= 1.0 for x in values.values())
    assert components.total(facts, w)[0] == pytest.approx(
        sum(w.weights[name] * float(values[name][0]) for name in COMPONENTS), abs=1e-15)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(people(), vacancies(), st.floats(-0.2, 1.0),
                          st.lists(st.sampled_from(STATUSES), max_size=2)),
                min_size=1, max_size=8))
def test_a_batch_scores_each_pair_as_alone(rows: list[Any]) -> None:
    """score_pairs on rows of different widths (skills, kinds, places) gives each pair the
    breakdown score_pair gives it alone: padding and broadcasting change nothing."""
    skills = get_skill_matcher()
    w = load_weights(Settings().ranking_weights).on(TODAY)
    batch = score_pairs([r[0] for r in rows], [r[1] for r in rows], [r[2] for r in rows],
                        weights=w, skills=skills, today=TODAY, agreements=[r[3] for r in rows])
    alone = [score_pair(p, v, sim, weights=w, skills=skills, today=TODAY, agreements=deals)
             for p, v, sim, deals in rows]
    assert batch == alone


def _matrix(rows: list[list[int]]) -> np.ndarray:
    width = max(len(r) for r in rows)
    return np.array([r + [-1] * (width - len(r)) for r in rows])


@given(st.lists(st.lists(st.integers(-2, 12), min_size=1, max_size=4), min_size=1, max_size=6),
       st.lists(st.lists(st.integers(-1, 12), min_size=1, max_size=5), min_size=1, max_size=6))
def test_holds_answers_alike_for_one_holder_or_many(
        ids: list[list[int]], held: list[list[int]]) -> None:
    """components.holds answers like a plain membership test, row by row or broadcasting
    a one-row side (each case takes its own code path)."""
    a, b = _matrix(ids), _matrix(held)
    n = min(len(a), len(b))
    for x, y in ((a[:n], b[:n]), (a, b[:1]), (a[:1], b)):
        rows = max(len(x), len(y))
        want = [[i >= 0 and i in y[r % len(y)].tolist() for i in x[r % len(x)].tolist()]
                for r in range(rows)]
        assert components.holds(x, y).tolist() == want


def test_skills_the_index_never_saw_still_count_as_listed() -> None:
    """A vacancy (the query of ``people_scores``) may list skills no indexed row has: each
    distinct one is counted out of the listed skills, held by nobody — as ``score_pair``."""
    skills, vocab = get_skill_matcher(), Vocab()
    w = load_weights(Settings().ranking_weights).on(TODAY)
    ps = [PersonProfile(kind="seeker", id=i, external_id=str(i), skills=held, latitude=39.9,
                        longitude=116.4) for i, held in enumerate([("叉车证",), ("焊工", "叉车"),
                                                                   ()], start=1)]
    table = PeopleTable()
    table.append([PeopleTable.record(p, vocab, skills) for p in ps])
    v = VacancyProfile(id=1, external_id="v", title="t", required_skills=(),
                       preferred_skills=("叉车", "焊工", "量子焊接甲", "火星驾驶乙", "深海潜水丙"),
                       latitude=39.9, longitude=116.4, posted_on=TODAY)
    assert vocab.get("量子焊接甲") is None and vocab.get("火星驾驶乙") is None
    _assert_agree(estimate.people_scores, v, table, [(p, v) for p in ps], [[]] * 3, 0.5, w,
                  vocab)
    b = score_pair(ps[1], v, 0.5, weights=w, skills=skills, today=TODAY)
    assert b.component("skills").value == pytest.approx(2 / 5)
