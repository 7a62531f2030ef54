"""Hard constraints: each one excludes (search and explain agree), masks equal the scalar
rules, and a very selective filter still returns k results from every index type."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from matcher.enums import AgreementStatus, KeyTier, VacancyStatus
from matcher.index import live as live_module
from matcher.index.registry import get_registry
from matcher.matching import constraints
from matcher.matching.profiles import PersonProfile, VacancyProfile
from matcher.matching.tables import PeopleTable, VacancyTable, Vocab
from matcher.models import (
    Agreement,
    AgreementEmployee,
    Enterprise,
    JobSeeker,
    SurplusEmployee,
    Vacancy,
)
from matcher.recommend.explain import explain
from matcher.recommend.service import candidates_for_vacancy, recommend_vacancies
from matcher.runtime import Runtime
from matcher.seekers.services import delete_seeker, withdraw_consent
from matcher.skills import get_skill_matcher

TODAY = date(2020, 6, 1)
HERE = (39.90, 116.40)


def add(rt: Runtime, obj: Any) -> int:
    with rt.uow() as uow:
        uow.s.add(obj)
        uow.commit()
        return int(obj.id)


def vacancy(ent: int, ext: str, **kw: Any) -> Vacancy:
    values: dict[str, Any] = dict(
        external_id=ext, enterprise_id=ent, title="仓库叉车司机", description="装卸搬运",
        required_skills=["叉车"], latitude=39.91, longitude=116.41,
        start_date=TODAY + timedelta(days=5))
    values.update(kw)
    return Vacancy(**values)


@pytest.fixture
def world(rt: Runtime) -> dict[str, int]:
    """A seeker in Beijing and one vacancy per seeker-side constraint (plus a control)."""
    ids = {"w": add(rt, Enterprise(external_id="W", name="物流仓储")),
           "sh": add(rt, Enterprise(external_id="SH", name="上海仓储", city="上海市"))}
    w = ids["w"]
    ids["seeker"] = add(rt, JobSeeker(
        external_id="S", desired_positions=["叉车司机"], skills=["Forklift License"],
        experience="开叉车五年", latitude=HERE[0], longitude=HERE[1], travel_km=10,
        available_from=TODAY - timedelta(days=10), available_to=TODAY + timedelta(days=100)))
    ids["ok"] = add(rt, vacancy(w, "ok"))
    ids["closed"] = add(rt, vacancy(w, "closed", status=VacancyStatus.CLOSED))
    ids["full"] = add(rt, vacancy(w, "full", headcount=2, filled=2))
    ids["far"] = add(rt, vacancy(w, "far", latitude=40.40, longitude=116.40))
    ids["other_city"] = add(rt, vacancy(ids["sh"], "sh", latitude=None, longitude=None))
    ids["skills"] = add(rt, vacancy(w, "skills", required_skills=["电工证"]))
    ids["late"] = add(rt, vacancy(w, "late", start_date=TODAY + timedelta(days=200)))
    return ids


@pytest.mark.parametrize(("variant", "code"), [
    ("closed", constraints.VACANCY_NOT_OPEN),
    ("full", constraints.VACANCY_NOT_OPEN),
    ("far", constraints.TOO_FAR),
    ("other_city", constraints.OTHER_CITY),
    ("skills", constraints.MISSING_REQUIRED_SKILLS),
    ("late", constraints.NOT_AVAILABLE),
])
def test_each_seeker_constraint_excludes_and_explain_names_it(
    rt: Runtime, world: dict[str, int], variant: str, code: str
) -> None:
    shown = {r.vacancy_id for r in recommend_vacancies(rt, world["seeker"], k=50, as_of=TODAY)}
    assert world["ok"] in shown  # the control passes every rule
    assert world[variant] not in shown
    why = explain(rt, world["seeker"], world[variant], as_of=TODAY)
    assert not why.eligible and why.rank is None
    assert why.codes == [code]
    assert explain(rt, world["seeker"], world["ok"], as_of=TODAY).eligible


def test_no_radius_means_anywhere_in_the_city(rt: Runtime, world: dict[str, int]) -> None:
    with rt.uow() as uow:
        uow.s.get(JobSeeker, world["seeker"]).travel_km = None  # type: ignore[union-attr]
        uow.commit()
    shown = {r.vacancy_id for r in recommend_vacancies(rt, world["seeker"], k=50, as_of=TODAY)}
    assert {world["ok"], world["far"]} <= shown
    assert world["other_city"] not in shown
    assert explain(rt, world["seeker"], world["other_city"], as_of=TODAY).codes == ["other_city"]


def test_vacancy_start_in_the_past_counts_from_today(rt: Runtime, world: dict[str, int]) -> None:
    old = add(rt, vacancy(world["w"], "old", start_date=TODAY - timedelta(days=60)))
    shown = {r.vacancy_id for r in recommend_vacancies(rt, world["seeker"], k=50, as_of=TODAY)}
    assert old in shown


@pytest.fixture
def lending(rt: Runtime) -> dict[str, int]:
    """A borrower's vacancy taking borrowed staff, a lender's idle employee, a seeker."""
    ids = {"lender": add(rt, Enterprise(external_id="L", name="酒店")),
           "borrower": add(rt, Enterprise(external_id="B", name="物流", key_tier=KeyTier.KEY))}
    window = dict(available_from=TODAY, available_to=TODAY + timedelta(days=90))
    ids["vacancy"] = add(rt, vacancy(
        ids["borrower"], "VB", accepts_borrowed=True, borrow_from=TODAY + timedelta(days=3),
        borrow_to=TODAY + timedelta(days=60)))
    ids["plain"] = add(rt, vacancy(ids["borrower"], "VP", accepts_borrowed=False))

    def employee(ext: str, ent: int, **kw: Any) -> int:
        values: dict[str, Any] = dict(external_id=ext, enterprise_id=ent, skills=["叉车证"],
                                      experience="酒店行李员，会开叉车", consent=True, **window)
        values.update(kw)
        return add(rt, SurplusEmployee(**values))

    ids["employee"] = employee("E", ids["lender"])
    ids["no_consent"] = employee("E-nc", ids["lender"], consent=False)
    ids["short_window"] = employee("E-sw", ids["lender"], available_to=TODAY + timedelta(days=1))
    ids["own"] = employee("E-own", ids["borrower"])
    ids["lent"] = employee("E-lent", ids["lender"])
    with rt.uow() as uow:
        deal = Agreement(lender_id=ids["lender"], borrower_id=ids["borrower"], start_date=TODAY,
                         end_date=TODAY + timedelta(days=30), status=AgreementStatus.ACTIVE,
                         lender_signed_at=datetime(2020, 6, 1, tzinfo=UTC),
                         borrower_signed_at=datetime(2020, 6, 1, tzinfo=UTC))
        deal.employees.append(AgreementEmployee(employee_id=ids["lent"], is_active=True))
        uow.s.add(deal)
        uow.commit()
    ids["seeker"] = add(rt, JobSeeker(external_id="S2", desired_positions=["叉车司机"],
                                      skills=["叉车证"], experience="叉车"))
    return ids


@pytest.mark.parametrize(("variant", "code"), [
    ("no_consent", constraints.NO_CONSENT),
    ("short_window", constraints.OUTSIDE_LENDING_WINDOW),
    ("own", constraints.OWN_ENTERPRISE),
    ("lent", constraints.ALREADY_LENT),
])
def test_each_surplus_constraint_excludes_and_explain_names_it(
    rt: Runtime, lending: dict[str, int], variant: str, code: str
) -> None:
    found = candidates_for_vacancy(rt, lending["vacancy"], k=50, as_of=TODAY)
    shown = {(c.kind, c.person_id) for c in found}
    assert ("surplus", lending["employee"]) in shown and ("seeker", lending["seeker"]) in shown
    assert ("surplus", lending[variant]) not in shown
    why = explain(rt, lending[variant], lending["vacancy"], kind="surplus", as_of=TODAY)
    assert why.codes == [code]


def test_surplus_staff_only_for_vacancies_taking_borrowed_staff(
    rt: Runtime, lending: dict[str, int]
) -> None:
    kinds = {c.kind for c in candidates_for_vacancy(rt, lending["plain"], k=50, as_of=TODAY)}
    assert kinds == {"seeker"}
    mine = {r.vacancy_id for r in recommend_vacancies(rt, lending["employee"], kind="surplus",
                                                      k=50, as_of=TODAY)}
    assert mine == {lending["vacancy"]}
    why = explain(rt, lending["employee"], lending["plain"], kind="surplus", as_of=TODAY)
    assert why.codes == [constraints.NOT_ACCEPTING_BORROWED]
    eligible = explain(rt, lending["employee"], lending["vacancy"], kind="surplus", as_of=TODAY)
    assert eligible.eligible and eligible.agreement == "active"  # the lender and borrower's deal


@pytest.mark.parametrize("action", ["withdraw", "delete"])
def test_withdrawn_or_deleted_seekers_are_never_shown(
    rt: Runtime, lending: dict[str, int], action: str
) -> None:
    before = candidates_for_vacancy(rt, lending["vacancy"], k=50, as_of=TODAY)
    assert ("seeker", lending["seeker"]) in {(c.kind, c.person_id) for c in before}
    with rt.uow() as uow:
        service = withdraw_consent if action == "withdraw" else delete_seeker
        service(rt, uow, lending["seeker"], actor="test")
        uow.commit()
    after = candidates_for_vacancy(rt, lending["vacancy"], k=50, as_of=TODAY)
    assert ("seeker", lending["seeker"]) not in {(c.kind, c.person_id) for c in after}
    assert lending["seeker"] not in get_registry(rt).keys("people")
    why = explain(rt, lending["seeker"], lending["vacancy"], as_of=TODAY)
    expected = ["no_consent"] if action == "withdraw" else ["person_deleted", "no_consent"]
    assert why.codes[: len(expected)] == expected


def test_a_one_percent_filter_still_returns_k(rt: Runtime) -> None:
    """1,000 open vacancies, 10 within the seeker's radius: all 10 come back, in order."""
    ent = add(rt, Enterprise(external_id="E", name="e"))
    rng = np.random.default_rng(7)
    with rt.uow() as uow:
        for i in range(1000):
            near = i % 100 == 0
            lat = HERE[0] + (0.01 if near else 0.5 + rng.random())
            uow.s.add(vacancy(ent, f"v{i}", title=f"岗位 {i} 仓库", required_skills=[],
                              latitude=lat, longitude=HERE[1]))
        uow.commit()
    seeker = add(rt, JobSeeker(external_id="S", desired_positions=["仓库"], skills=[],
                               latitude=HERE[0], longitude=HERE[1], travel_km=5))
    found = recommend_vacancies(rt, seeker, k=10, as_of=TODAY)
    assert len(found) == 10
    assert {r.external_id for r in found} == {f"v{i}" for i in range(0, 1000, 100)}
    assert [r.score for r in found] == sorted((r.score for r in found), reverse=True)


@pytest.mark.parametrize("index_type", ["flat", "hnsw", "ivf-sq8"])
@pytest.mark.parametrize("exact_limit", [0, live_module.EXACT_LIMIT])
def test_filtered_search_returns_the_true_top_k_for_every_index_type(
    monkeypatch: pytest.MonkeyPatch, index_type: str, exact_limit: int
) -> None:
    """3,000 vectors, 30 allowed (1%): every index type returns the exact top 10 allowed."""
    from matcher.index.live import LiveIndex
    from matcher.index.store import IndexMeta, make_index

    monkeypatch.setattr(live_module, "EXACT_LIMIT", exact_limit)
    rng = np.random.default_rng(3)
    vectors = rng.standard_normal((3000, 32)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    table = VacancyTable(capacity=3000)
    index = LiveIndex(make_index(index_type, 32, vectors), table,
                      IndexMeta("vacancies", "test", "1", 32, index_type))
    keys = list(range(10, 3010))
    index.add(keys, vectors, [{**_blank_vacancy_row()} for _ in keys], ["h"] * 3000)
    mask = np.zeros(3000, dtype=bool)
    mask[rng.choice(3000, 30, replace=False)] = True
    query = vectors[0] * 0.5 + vectors[1] * 0.5
    found, sims = index.search(query, mask, 10)
    allowed = np.flatnonzero(mask)
    exact = allowed[np.argsort(-(vectors[allowed] @ query), kind="stable")[:10]] + 10
    assert len(found) == 10
    assert set(found.tolist()) <= set((allowed + 10).tolist())
    assert sims.tolist() == sorted(sims.tolist(), reverse=True)
    if index_type == "flat" or (exact_limit and index_type == "hnsw"):
        assert found.tolist() == exact.tolist()
    else:  # approximate (graph walk, 8-bit codes): nearly the exact top 10
        assert len(set(found.tolist()) & set(exact.tolist())) >= 9


def _blank_vacancy_row() -> dict[str, Any]:
    return {"live": True, "enterprise_id": 1, "lat": np.nan, "lon": np.nan, "city": 0,
            "accepts_borrowed": False, "start_day": 0, "borrow_from_day": 0,
            "borrow_to_day": 0, "req_bits": 0, "tier": 0, "urgency": 0, "posted_day": 0,
            "alat": np.nan, "alon": np.nan, "skills": [], "listed": []}


# -- masks (vectorized) agree with the scalar rules ------------------------------------------
SKILLS = ["叉车", "叉车证", "电工证", "护士证", "Excel", "焊工"]
CITIES = ["北京市", "上海市"]
days = st.one_of(st.none(), st.integers(-40, 40).map(lambda d: TODAY + timedelta(days=d)))
coords = st.one_of(st.none(), st.tuples(st.floats(39.5, 40.5), st.floats(116.0, 117.0)))


@st.composite
def people(draw: st.DrawFn) -> PersonProfile:
    where = draw(coords)
    first, last = sorted([draw(days) or date.min, draw(days) or date.max])
    return PersonProfile(
        kind=draw(st.sampled_from(["seeker", "surplus"])), id=draw(st.integers(1, 10**6)),
        external_id="p", skills=tuple(draw(st.lists(st.sampled_from(SKILLS), max_size=3))),
        latitude=where[0] if where else None, longitude=where[1] if where else None,
        travel_km=draw(st.one_of(st.none(), st.floats(0, 80))),
        city=draw(st.sampled_from(CITIES)),
        available_from=None if first == date.min else first,
        available_to=None if last == date.max else last,
        enterprise_id=draw(st.integers(1, 3)), lent=draw(st.booleans()))


@st.composite
def vacancies(draw: st.DrawFn) -> VacancyProfile:
    where = draw(coords)
    b_first, b_last = sorted([draw(days) or date.min, draw(days) or date.max])
    return VacancyProfile(
        id=1, external_id="v", title="t",
        required_skills=tuple(draw(st.lists(st.sampled_from(SKILLS), max_size=2))),
        enterprise_id=draw(st.integers(1, 3)), city=draw(st.sampled_from(CITIES)),
        latitude=where[0] if where else None, longitude=where[1] if where else None,
        accepts_borrowed=draw(st.booleans()), start_date=draw(days),
        borrow_from=None if b_first == date.min else b_first,
        borrow_to=None if b_last == date.max else b_last)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(people(), min_size=1, max_size=6), st.lists(vacancies(), min_size=1, max_size=6))
def test_masks_agree_with_the_scalar_check(ps: list[PersonProfile],
                                           vs: list[VacancyProfile]) -> None:
    skills, vocab = get_skill_matcher(), Vocab()
    vtable, ptable = VacancyTable(), PeopleTable()
    vtable.append([VacancyTable.record(v, vocab, skills) for v in vs])
    ptable.append([PeopleTable.record(p, vocab, skills) for p in ps])
    for p in ps:
        mask = constraints.vacancy_mask(p, vtable, today=TODAY, vocab=vocab, skills=skills)
        expected = [not constraints.check(p, v, today=TODAY, skills=skills) for v in vs]
        assert mask.tolist() == expected
    for v in vs:
        mask = constraints.people_mask(v, ptable, today=TODAY, vocab=vocab, skills=skills)
        expected = [not constraints.check(p, v, today=TODAY, skills=skills) for p in ps]
        assert mask.tolist() == expected


def test_skills_sharing_a_hashed_bit_are_still_told_apart() -> None:
    """The 64-bit skill prefilter lets a collision through; the exact check then excludes."""
    skills, vocab = get_skill_matcher(), Vocab()
    [held] = sorted(skills.required(["焊工"]))
    held_id = vocab.add(held)
    for i in range(63):
        vocab.add(f"filler-{i}")
    v = VacancyProfile(id=1, external_id="v", title="t", required_skills=("护士证",))
    p = PersonProfile(kind="seeker", id=1, external_id="p", skills=("焊工",))
    table = VacancyTable()
    table.append([VacancyTable.record(v, vocab, skills)])
    [required_id] = [vocab.get(n) for n in skills.required(v.required_skills)]
    assert required_id is not None and required_id % 64 == held_id % 64  # the same bit
    assert constraints.check(p, v, today=TODAY, skills=skills)
    assert constraints.vacancy_mask(p, table, today=TODAY, vocab=vocab,
                                    skills=skills).tolist() == [False]
    ok = PersonProfile(kind="seeker", id=2, external_id="q", skills=("护士证",))
    assert constraints.vacancy_mask(ok, table, today=TODAY, vocab=vocab,
                                    skills=skills).tolist() == [True]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(people(), vacancies()), min_size=1, max_size=10),
       st.sampled_from([("seeker",), ("surplus",), ("seeker", "surplus")]))
def test_a_batch_of_pairs_and_kind_filters_agree_with_the_scalar_check(
        pairs: list[tuple[PersonProfile, VacancyProfile]], kinds: tuple[str, ...]) -> None:
    """allowed() on mixed rows (kinds, skill widths, places) is check() pair by pair; a
    people mask restricted to some kinds is the full verdict for those kinds only."""
    skills, vocab = get_skill_matcher(), Vocab()
    want = [not constraints.check(p, v, today=TODAY, skills=skills) for p, v in pairs]
    got = constraints.allowed([p for p, _ in pairs], [v for _, v in pairs], today=TODAY,
                              skills=skills)
    assert got.tolist() == want
    ps = [p for p, _ in pairs]
    table = PeopleTable()
    table.append([PeopleTable.record(p, vocab, skills) for p in ps])
    v = pairs[0][1]
    mask = constraints.people_mask(v, table, today=TODAY, vocab=vocab, skills=skills,
                                   kinds=kinds)
    assert mask.tolist() == [p.kind in kinds and not constraints.check(p, v, today=TODAY,
                                                                       skills=skills)
                             for p in ps]


def test_each_rule_is_registered_once_under_its_code() -> None:
    """check reports the rules in RULES' order; the masks test every rule exactly once."""
    codes = [constraints.PERSON_DELETED, constraints.NO_CONSENT, constraints.VACANCY_NOT_OPEN,
             constraints.NOT_ACCEPTING_BORROWED, constraints.OWN_ENTERPRISE,
             constraints.ALREADY_LENT, constraints.OUTSIDE_LENDING_WINDOW, constraints.TOO_FAR,
             constraints.OTHER_CITY, constraints.MISSING_REQUIRED_SKILLS,
             constraints.NOT_AVAILABLE]
    assert list(constraints.RULES) == codes
    assert sorted(constraints.COLUMN_RULES + constraints.ROW_RULES) == sorted(codes)
