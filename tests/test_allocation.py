"""Batch allocation: optimal against greedy and brute force, headcounts, key-first with a cap."""

from __future__ import annotations

import itertools
import json
import random
from collections import Counter
from collections.abc import Sequence
from datetime import date
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from matcher.cli.lending_cmds import lending
from matcher.enums import KeyTier
from matcher.lending import allocation, demand, pool
from matcher.lending.allocation import SlotDemand, allocate, greedy_allocate
from matcher.models import Enterprise
from matcher.runtime import Runtime

NEG = -np.inf


def _pairs(result: allocation.Allocation) -> list[tuple[str, int]]:
    return [(a.demand, a.employee) for a in result.assignments]


def test_optimal_beats_greedy_where_greedy_is_short_sighted() -> None:
    demands = [SlotDemand("A", 1), SlotDemand("B", 1)]
    scores = np.array([[0.9, 0.85],   # A: employee 1 best, employee 2 nearly as good
                       [0.8, 0.1]])   # B: only employee 1 is any good
    best = allocate(demands, [1, 2], scores)
    greedy = greedy_allocate(demands, [1, 2], scores)
    assert _pairs(greedy) == [("A", 1), ("B", 2)]
    assert _pairs(best) == [("A", 2), ("B", 1)]
    assert best.total_score == pytest.approx(1.65)
    assert greedy.total_score == pytest.approx(1.0)


def _brute_force(demands: list[SlotDemand], n_emp: int, scores: np.ndarray) -> float:
    best = 0.0
    for choice in itertools.product(range(len(demands) + 1), repeat=n_emp):
        counts = Counter(c for c in choice if c < len(demands))
        if any(counts[d] > demands[d].headcount for d in counts):
            continue
        picked = [scores[c, e] for e, c in enumerate(choice) if c < len(demands)]
        if all(np.isfinite(s) and s > 0 for s in picked):
            best = max(best, float(sum(picked)))
    return best


@st.composite
def problems(draw: st.DrawFn, key: bool = False) -> tuple[list[SlotDemand], list[int], np.ndarray]:
    n_d = draw(st.integers(1, 3))
    n_e = draw(st.integers(1, 5))
    demands = [SlotDemand(f"d{i}", draw(st.integers(1, 3)),
                          draw(st.integers(0, 3)) if key else 0) for i in range(n_d)]
    cell = st.one_of(st.just(NEG), st.sampled_from([0.1, 0.25, 0.5, 0.5, 0.75, 0.9, 1.0]))
    scores = np.array([[draw(cell) for _ in range(n_e)] for _ in range(n_d)])
    return demands, list(range(100, 100 + n_e)), scores


@settings(max_examples=150, deadline=None)
@given(problems())
def test_allocation_is_optimal_and_respects_headcounts(
    problem: tuple[list[SlotDemand], list[int], np.ndarray],
) -> None:
    demands, employees, scores = problem
    result = allocate(demands, employees, scores)
    per_demand = Counter(a.demand for a in result.assignments)
    assert all(per_demand[d.key] <= d.headcount for d in demands)
    assert len({a.employee for a in result.assignments}) == len(result.assignments)
    assert all(np.isfinite(a.score) for a in result.assignments)
    assert result.total_score == pytest.approx(_brute_force(demands, len(employees), scores))
    assert result.total_score >= greedy_allocate(demands, employees, scores).total_score - 1e-9
    for d in demands:
        assert result.unfilled.get(d.key, 0) == d.headcount - per_demand[d.key]


@settings(max_examples=150, deadline=None)
@given(problems(key=True), st.sampled_from([0.0, 0.2, 0.5, 1.0]))
def test_key_phase_never_exceeds_its_cap(
    problem: tuple[list[SlotDemand], list[int], np.ndarray], share: float,
) -> None:
    demands, employees, scores = problem
    result = allocate(demands, employees, scores, key_share=share)
    assert result.key_cap == int(share * len(employees))
    assert sum(a.phase == "key" for a in result.assignments) <= result.key_cap
    per_demand = Counter(a.demand for a in result.assignments)
    assert all(per_demand[d.key] <= d.headcount for d in demands)
    assert len({a.employee for a in result.assignments}) == len(result.assignments)


def test_key_demand_is_served_first_up_to_the_cap() -> None:
    demands = [SlotDemand("ordinary", 2, 0), SlotDemand("key", 4, KeyTier.KEY.rank)]
    # ordinary demand scores higher on every employee: by score alone it would win
    scores = np.array([[0.9, 0.9, 0.9, 0.9],
                       [0.5, 0.6, 0.7, 0.8]])
    # without priority: ordinary demand takes its two, key demand the rest
    assert _pairs(allocate(demands, [1, 2, 3, 4], scores, key_share=0.0)) == [
        ("key", 3), ("key", 4), ("ordinary", 1), ("ordinary", 2)]
    capped = allocate(demands, [1, 2, 3, 4], scores, key_share=0.5)
    assert capped.key_cap == 2
    # key demand first picks its two best (3 and 4) within the cap; the rest compete on score
    assert [(a.demand, a.employee, a.phase) for a in capped.assignments] == [
        ("key", 3, "key"), ("key", 4, "key"), ("ordinary", 1, "open"), ("ordinary", 2, "open")]
    scores[0] = [0.9, 0.9, 0.1, 0.1]  # now key demand's best picks are ordinary's best too
    capped = allocate(demands, [1, 2, 3, 4], scores, key_share=0.5)
    assert [(a.demand, a.employee, a.phase) for a in capped.assignments] == [
        ("key", 3, "key"), ("key", 4, "key"), ("ordinary", 1, "open"), ("ordinary", 2, "open")]
    scores[1] = [0.95, 0.95, 0.5, 0.5]
    capped = allocate(demands, [1, 2, 3, 4], scores, key_share=0.5)
    # beyond the cap ordinary demand goes first, even though key demand scores higher
    assert [(a.demand, a.employee, a.phase) for a in capped.assignments] == [
        ("key", 1, "key"), ("key", 2, "key"), ("ordinary", 3, "open"), ("ordinary", 4, "open")]
    assert capped.total_score == pytest.approx(1.9 + 0.2)
    everything = allocate(demands, [1, 2, 3, 4], scores, key_share=1.0)
    assert Counter(a.demand for a in everything.assignments) == {"key": 4}
    assert everything.unfilled == {"ordinary": 2}
    # staff no ordinary demand can use go to key demand beyond the cap
    scores[0] = [0.9, NEG, NEG, NEG]
    scores[1] = [0.9, 0.95, 0.5, 0.5]
    leftover = allocate(demands, [1, 2, 3, 4], scores, key_share=0.25)
    assert [(a.demand, a.employee, a.phase) for a in leftover.assignments] == [
        ("key", 2, "key"), ("key", 3, "leftover"), ("key", 4, "leftover"), ("ordinary", 1, "open")]


def test_deterministic_whatever_the_input_order() -> None:
    rng = random.Random(7)
    demands = [SlotDemand(f"r{i}", rng.randint(1, 3), rng.choice([0, 0, 2])) for i in range(6)]
    employees = list(range(1, 13))
    # many exact ties: scores on a coarse grid
    scores = np.array([[rng.choice([NEG, 0.5, 0.5, 0.7]) for _ in employees] for _ in demands])
    first = allocate(demands, employees, scores, key_share=0.3)
    for _ in range(5):
        d_perm = rng.sample(range(len(demands)), len(demands))
        e_perm = rng.sample(range(len(employees)), len(employees))
        again = allocate([demands[i] for i in d_perm], [employees[j] for j in e_perm],
                         scores[np.ix_(d_perm, e_perm)], key_share=0.3)
        assert again == first


def test_infeasible_pairs_are_never_assigned() -> None:
    demands = [SlotDemand("A", 3)]
    scores = np.array([[NEG, np.nan, 0.05, 0.6]])
    assert _pairs(allocate(demands, [1, 2, 3, 4], scores, min_score=0.1)) == [("A", 4)]
    with pytest.raises(ValueError, match="unique"):
        allocate([SlotDemand("A", 1), SlotDemand("A", 1)], [1], np.ones((2, 1)))


def _ent(uow: object, ext: str, tier: KeyTier = KeyTier.NONE) -> int:
    e = Enterprise(external_id=ext, name=f"企业{ext}", key_tier=tier)
    uow.s.add(e)  # type: ignore[attr-defined]
    uow.s.flush()  # type: ignore[attr-defined]
    return e.id


class _Scorer:
    """K's request likes S3 best; everything else is equally good."""

    def scores(self, demands: Sequence[demand.Demand], employees: Sequence[pool.EmployeeView]
               ) -> np.ndarray:
        return np.array([[0.9 if (d.enterprise_name, e.external_id) == ("企业K", "S3") else 0.6
                          for e in employees] for d in demands])

    def reasons(self, d: demand.Demand, e: pool.EmployeeView) -> tuple[str, ...]:
        return ()


def test_day_service_respects_constraints_and_proposes(rt: Runtime, tmp_path: Path) -> None:
    day = date(2020, 3, 2)
    with rt.uow() as uow:
        lender, key_borrower, borrower = _ent(uow, "L"), _ent(uow, "K", KeyTier.KEY), _ent(uow, "B")
        for i, (ent, to) in enumerate([(lender, date(2020, 6, 30)), (lender, date(2020, 6, 30)),
                                       (lender, date(2020, 3, 5)), (borrower, date(2020, 6, 30))]):
            pool.declare_employee(rt, uow, ent, pool.EmployeeInput(
                external_id=f"S{i}", name=f"员工{i}", skills=("包装 packing",),
                available_from=date(2020, 1, 1), available_to=to, daily_cost=20000 + i,
                consent=True), actor="hr")
        for ent, title in [(key_borrower, "口罩包装 mask packing"), (borrower, "包装 packing")]:
            demand.post_request(rt, uow, ent, demand.RequestInput(
                title=title, skills=("包装 packing",), headcount=2, start_date=day,
                end_date=date(2020, 3, 31)), actor="hr")
        uow.commit()
    with rt.uow() as uow:
        plan = allocation.allocate_day(rt, uow.s, day, key_share=0.5, scorer=_Scorer())
        default = allocation.allocate_day(rt, uow.s, day, key_share=0.5)
    # S2's window ends before the demand does; S3 works for B, so only K may borrow S3
    assert (plan.demand_count, plan.employee_count, plan.key_cap) == (2, 4, 2)
    got = [(p.demand.enterprise_id, p.employee.external_id, p.phase) for p in plan.pairs]
    assert (key_borrower, "S3", "key") in got
    assert [e for d, e, _ in got if d == key_borrower] in (["S0", "S3"], ["S1", "S3"])
    assert [(e, ph) for d, e, ph in got if d == borrower] in ([("S0", "open")], [("S1", "open")])
    assert plan.unfilled == {f"request:{2}": 1}
    assert "S2" not in {p.employee.external_id for p in default.pairs}
    assert all(p.employee.enterprise_id != p.demand.enterprise_id for p in default.pairs)
    out = tmp_path / "plan.json"
    env = {"WORKBRIDGE_DATABASE_URL": rt.settings.database_url, "WORKBRIDGE_ENCODER": "fake",
           "WORKBRIDGE_SECRET_KEY": "test-secret"}
    result = CliRunner().invoke(lending, ["allocate", "--date", "2020-03-02", "--key-share",
                                          "0.5", "--out", str(out), "--propose"], env=env)
    assert result.exit_code == 0, result.output
    written = json.loads(out.read_text(encoding="utf-8"))
    assert sorted((a["demand"], a["employee"]) for a in written["assignments"]) == sorted(
        (p.demand.key, p.employee.external_id) for p in default.pairs)
    groups = {(p.demand.key, p.employee.enterprise_id) for p in default.pairs}
    assert f"proposed agreements: {', '.join(str(i + 1) for i in range(len(groups)))}" \
        in result.output
    with rt.uow() as uow:  # proposed staff now count against the headcounts
        still_open = sum(d.headcount for d in demand.open_demands(uow.s, day))
    assert still_open == 4 - len(default.pairs)
