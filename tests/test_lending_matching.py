"""Both-ways matching: lender groups for a demand, demand for a lender, and who is offered."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import date
from typing import Any

import numpy as np
import pytest

from matcher.enums import EmploymentType, KeyTier
from matcher.index.registry import get_registry
from matcher.lending import agreements, demand, matching, pool
from matcher.lending.demand import Demand
from matcher.lending.engine_scoring import person_profile, vacancy_profiles
from matcher.lending.pool import EmployeeInput, EmployeeView
from matcher.matching.embedding import embed_people, embed_vacancies
from matcher.matching.ranking import score_pair
from matcher.models import Enterprise, Vacancy
from matcher.recommend.service import candidates_for_vacancy, weights_on
from matcher.runtime import Runtime
from matcher.skills import get_skill_matcher

DAY, END = date(2020, 3, 2), date(2020, 3, 31)


class FixedScorer:
    """Scores by employee external id; the same for every demand."""

    def __init__(self, by_employee: dict[str, float]):
        self.by_employee = by_employee

    def scores(self, demands: Sequence[Demand], employees: Sequence[EmployeeView]) -> np.ndarray:
        return np.array([[self.by_employee[e.external_id] for e in employees] for _ in demands])

    def reasons(self, d: Demand, e: EmployeeView) -> tuple[str, ...]:
        return (f"fixed {self.by_employee[e.external_id]}",)


def _ent(rt: Runtime, ext: str, tier: KeyTier = KeyTier.NONE) -> int:
    with rt.uow() as uow:
        e = Enterprise(external_id=ext, name=f"企业{ext}", key_tier=tier, district="朝阳区")
        uow.s.add(e)
        uow.commit()
        return e.id


def _emp(rt: Runtime, ent: int, ext: str, **kw: Any) -> int:
    data = replace(EmployeeInput(
        external_id=ext, name=ext, skills=("叉车", "仓储"),
        experience="仓库叉车司机 forklift driver",
        district="朝阳区", available_from=date(2020, 2, 1), available_to=date(2020, 6, 30),
        daily_cost=25000, consent=True), **kw)
    with rt.uow() as uow:
        view = pool.declare_employee(rt, uow, ent, data, actor="hr")
        uow.commit()
        return view.id


def _request(rt: Runtime, ent: int, headcount: int, title: str = "仓库叉车司机") -> int:
    with rt.uow() as uow:
        d = demand.post_request(rt, uow, ent, demand.RequestInput(
            title=title, skills=("叉车",), headcount=headcount, start_date=DAY, end_date=END,
            site="顺义仓库", district="顺义区"), actor="hr")
        uow.commit()
        return d.id


def test_groups_rank_by_coverage_then_score_and_plan_uses_fewest_lenders(rt: Runtime) -> None:
    borrower, a, b, c = (_ent(rt, x) for x in "XABC")
    for ext in ("A1", "A2"):
        _emp(rt, a, ext)
    for ext in ("B1", "B2", "B3"):
        _emp(rt, b, ext)
    _emp(rt, c, "C1")
    _emp(rt, borrower, "X1")  # the borrower's own idle staff are never offered to it
    scores = {"A1": 0.9, "A2": 0.9, "B1": 0.5, "B2": 0.5, "B3": 0.4, "C1": 0.99, "X1": 1.0}
    rid = _request(rt, borrower, 3)
    with rt.uow() as uow:
        m = matching.match_demand(rt, uow.s, "request", rid, today=DAY,
                                  scorer=FixedScorer(scores))
    assert [(g.lender_name, g.covers, g.score) for g in m.groups] == [
        ("企业B", 3, pytest.approx(1.4 / 3, abs=1e-4)), ("企业A", 2, 0.9), ("企业C", 1, 0.99)]
    assert m.plan == ((b, tuple(_ids(m, "B"))),)
    assert [c.employee.external_id for c in m.groups[1].candidates] == ["A1", "A2"]
    assert m.groups[0].candidates[0].reasons[0] == "fixed 0.5"
    reasons = m.groups[0].candidates[0].reasons
    assert any("covers 2020-03-02 ~ 2020-03-31." in r for r in reasons)
    with rt.uow() as uow:  # headcount 4: B's three and the best other group's one
        rid4 = _request(rt, borrower, 4)
        m4 = matching.match_demand(rt, uow.s, "request", rid4, today=DAY,
                                   scorer=FixedScorer(scores))
    assert [(lender, len(ids)) for lender, ids in m4.plan] == [(b, 3), (a, 1)]


def _ids(m: matching.DemandMatches, prefix: str) -> list[int]:
    return [c.employee.id for g in m.groups for c in g.candidates
            if c.employee.external_id.startswith(prefix)]


def test_unlendable_employees_are_never_offered(rt: Runtime) -> None:
    borrower, lender = _ent(rt, "X"), _ent(rt, "L")
    ok = _emp(rt, lender, "ok")
    _emp(rt, lender, "no-consent", consent=False)
    _emp(rt, lender, "short-window", available_to=date(2020, 3, 20))
    _emp(rt, lender, "no-cost", daily_cost=None)
    removed = _emp(rt, lender, "removed")
    with rt.uow() as uow:
        pool.remove_employee(rt, uow, removed, actor="hr")
        uow.commit()
    rid = _request(rt, borrower, 5)
    with rt.uow() as uow:
        m = matching.match_demand(rt, uow.s, "request", rid, today=DAY)
    assert [c.employee.id for g in m.groups for c in g.candidates] == [ok]


def _borrowing_vacancy(rt: Runtime, ent: int) -> int:
    with rt.uow() as uow:
        v = Vacancy(external_id="V1", enterprise_id=ent, title="仓库叉车司机 forklift driver",
                    description="口罩仓库装卸", required_skills=["叉车"], district="朝阳区",
                    headcount=2, employment_type=EmploymentType.SHARED)
        uow.s.add(v)
        uow.s.flush()
        demand.accept_borrowed(rt, uow, v.id, DAY, END, actor="hr")
        uow.commit()
        return v.id


def test_engine_scores_match_the_engine_and_explain(rt: Runtime) -> None:
    borrower, lender = _ent(rt, "X", KeyTier.KEY), _ent(rt, "L")
    good = _emp(rt, lender, "good")
    _emp(rt, lender, "cook", skills=("厨师",), experience="餐厅厨师 cook")
    vid = _borrowing_vacancy(rt, borrower)
    with rt.uow() as uow:
        m = matching.match_demand(rt, uow.s, "vacancy", vid, today=DAY)
    # the vacancy requires 叉车: the engine's hard constraint excludes the cook
    assert [c.employee.id for g in m.groups for c in g.candidates] == [good]
    cand = m.groups[0].candidates[0]
    engine = candidates_for_vacancy(rt, vid, k=5, as_of=DAY, kinds=("surplus",))
    assert [(c.person_id, c.score) for c in engine] == [(good, pytest.approx(cand.score, abs=1e-4))]
    assert cand.reasons[0] == "Has the skills: 叉车."
    assert cand.reasons[0].msgid == "Has the skills: %(skills)s."  # type: ignore[attr-defined]
    assert "Key enterprise: key." in cand.reasons
    assert any(r.startswith("About 0.0 km away") for r in cand.reasons)


def test_lent_employee_is_offered_nowhere_until_returned(rt: Runtime) -> None:
    borrower, other, lender = _ent(rt, "X"), _ent(rt, "Y"), _ent(rt, "L")
    emp = _emp(rt, lender, "S1")
    vid = _borrowing_vacancy(rt, other)
    with rt.uow() as uow:
        view = agreements.propose(rt, uow, agreements.AgreementInput(
            lender_id=lender, borrower_id=borrower, employee_ids=(emp,), start_date=DAY,
            end_date=date(2020, 3, 10), site="顺义", reimbursement_per_day=25000), actor="hr")
        for step in (lambda: agreements.accept(rt, uow, view.id, actor="b"),
                     lambda: agreements.sign(rt, uow, view.id, "lender", actor="l"),
                     lambda: agreements.sign(rt, uow, view.id, "borrower", actor="b"),
                     lambda: agreements.acknowledge(rt, uow, view.id, emp, actor="e")):
            step()
        uow.commit()
    rid = _request(rt, other, 1)

    def offered() -> tuple[list[int], list[int], list[int]]:
        with rt.uow() as uow:
            mine = matching.match_demand(rt, uow.s, "request", rid, today=DAY)
            for_vacancy = matching.match_demand(rt, uow.s, "vacancy", vid, today=DAY)
        engine = candidates_for_vacancy(rt, vid, k=5, as_of=DAY, kinds=("surplus",))
        return ([c.employee.id for g in mine.groups for c in g.candidates],
                [c.employee.id for g in for_vacancy.groups for c in g.candidates],
                [c.person_id for c in engine])

    assert offered() == ([emp], [emp], [emp])
    with rt.uow() as uow:
        agreements.activate(rt, uow, view.id, actor="b", today=DAY)
        uow.commit()
    assert offered() == ([], [], [])
    with rt.uow() as uow:
        assert agreements.return_due(rt, uow, date(2020, 3, 11)) == [view.id]
        uow.commit()
    assert offered() == ([emp], [emp], [emp])


def test_lender_sees_demand_ranked_by_fit(rt: Runtime) -> None:
    lender, big, small = _ent(rt, "L"), _ent(rt, "B"), _ent(rt, "S")
    for ext in ("L1", "L2", "L3"):
        _emp(rt, lender, ext)
    _request(rt, big, 3, "仓库叉车司机 three")
    _request(rt, small, 1, "仓库叉车司机 one")
    _request(rt, lender, 2, "own demand")  # a lender never sees its own demand
    scores = {"L1": 0.8, "L2": 0.7, "L3": 0.6}
    with rt.uow() as uow:
        needs = matching.match_lender(rt, uow.s, lender, today=DAY, scorer=FixedScorer(scores))
    assert [(n.demand.enterprise_name, n.fits, n.score) for n in needs] == [
        ("企业B", 3, 0.7), ("企业S", 1, 0.8)]
    assert [c.employee.external_id for c in needs[1].candidates] == ["L1"]
    with rt.uow() as uow:
        real = matching.match_lender(rt, uow.s, lender, today=DAY)
    assert [n.demand.enterprise_id for n in real] == [big, small]


def test_matches_come_from_stored_vectors_and_score_as_score_pair(
        rt: Runtime, monkeypatch: pytest.MonkeyPatch) -> None:
    borrower, lender = _ent(rt, "X", KeyTier.KEY), _ent(rt, "L")
    staff = [_emp(rt, lender, f"e{i}", experience=f"仓库叉车司机 {i} 年") for i in range(4)]
    rid = _request(rt, borrower, 2)
    reg = get_registry(rt)
    reg.live("people")
    encoded: list[str] = []
    for name in ("encode_queries", "encode_documents"):
        real = getattr(rt.encoder, name)

        def counting(texts: list[str], *args: Any, _real: Any = real, **kw: Any) -> np.ndarray:
            encoded.extend(texts)
            return _real(texts, *args, **kw)

        monkeypatch.setattr(rt.encoder, name, counting)
    with rt.uow() as uow:
        first = matching.match_demand(rt, uow.s, "request", rid, today=DAY)
        again = matching.match_demand(rt, uow.s, "request", rid, today=DAY)
        v = vacancy_profiles(uow.s, [demand.get_demand(uow.s, "request", rid)])[0]
        people = {e.id: person_profile(e) for e in pool.lendable_employees(uow.s, DAY, END)}
    assert first == again and len(encoded) == 1  # the request's text, once; staff never
    cands = [c for g in first.groups for c in g.candidates]
    assert sorted(c.employee.id for c in cands) == sorted(staff)
    for c in cands:
        p = people[c.employee.id]
        sim = float(embed_vacancies(rt.encoder, [v])[0] @ embed_people(rt.encoder, [p])[0])
        want = score_pair(p, v, sim, weights=weights_on(rt, DAY), skills=get_skill_matcher(),
                          today=DAY)
        assert c.score == pytest.approx(want.score, abs=6e-5)  # shown rounded to 4 places
