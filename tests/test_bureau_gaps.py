"""Shortage desk: ranking of gaps, fill-rate arithmetic, three-source candidates."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from matcher.bureau import cohorts, gaps
from matcher.bureau.candidates import candidates_for_gap
from matcher.enums import DispatchStatus, KeyTier, SupplySource
from matcher.errors import ValidationFailed
from matcher.models import (
    DispatchAssignment,
    DispatchProposal,
    Enterprise,
    JobSeeker,
    SurplusEmployee,
)
from matcher.runtime import Runtime

TODAY = date(2020, 4, 1)


def _ent(s, ext: str, tier: KeyTier = KeyTier.NONE, district: str = "朝阳区") -> int:
    e = Enterprise(external_id=ext, name=f"企业{ext}", district=district, latitude=39.95,
                   longitude=116.5, key_tier=tier, industry="物流")
    s.add(e)
    s.flush()
    return e.id


def test_rank_key_orders_tier_then_urgency_then_deadline() -> None:
    d1, d2 = TODAY + timedelta(days=3), TODAY + timedelta(days=9)
    rows = [("none", "critical", d1, 1), ("key", "normal", d2, 2), ("key", "normal", d1, 3),
            ("priority", "normal", d2, 4), ("key", "urgent", d2, 5), ("key", "normal", d1, 0)]
    got = [r[3] for r in sorted(rows, key=lambda r: gaps.rank_key(*r))]
    assert got == [4, 5, 0, 3, 2, 1]


def test_fill_rate_arithmetic() -> None:
    assert gaps.fill_rate(0, 4) == 0.0
    assert gaps.fill_rate(1, 3) == 0.3333
    assert gaps.fill_rate(3, 3) == 1.0
    assert gaps.fill_rate(5, 3) == 1.0  # capped
    assert gaps.fill_rate(2, 0) == 0.0


def test_desk_lists_open_gaps_ranked_with_fill_rate(rt: Runtime) -> None:
    with rt.uow() as uow:
        plain, key, prio = (_ent(uow.s, "E1"), _ent(uow.s, "E2", KeyTier.KEY),
                            _ent(uow.s, "E3", KeyTier.PRIORITY))
        soon, late = TODAY + timedelta(days=5), TODAY + timedelta(days=20)
        g_plain = gaps.report_gap(uow, plain, gaps.GapInput("分拣员", 2, soon, urgency="critical"),
                                  actor="t", today=TODAY)
        g_key_late = gaps.report_gap(uow, key, gaps.GapInput("叉车司机", 4, late), actor="t",
                                     today=TODAY)
        g_key_soon = gaps.report_gap(uow, key, gaps.GapInput("装卸工", 3, soon), actor="t",
                                     today=TODAY)
        g_prio = gaps.report_gap(uow, prio, gaps.GapInput("护工", 1, late), actor="t",
                                 today=TODAY)
        closed = gaps.report_gap(uow, prio, gaps.GapInput("保洁", 1, soon), actor="t",
                                 today=TODAY)
        gaps.close_gap(uow, closed, actor="t", today=TODAY)
        prop = DispatchProposal(day=TODAY, status=DispatchStatus.CONFIRMED)
        uow.s.add(prop)
        uow.s.flush()
        for pid, status in ((1, DispatchStatus.CONFIRMED), (2, DispatchStatus.CONFIRMED),
                            (3, DispatchStatus.PROPOSED)):
            uow.s.add(DispatchAssignment(proposal_id=prop.id, gap_id=g_key_late,
                                         source=SupplySource.SEEKER, person_id=pid, score=1.0,
                                         phase="key", status=status))
        uow.commit()
    with rt.uow() as uow:
        rows = gaps.load_gaps(uow.s)
    assert [r.id for r in rows] == [g_prio, g_key_soon, g_key_late, g_plain]
    assert [r.rank for r in rows] == [1, 2, 3, 4]
    late_row = next(r for r in rows if r.id == g_key_late)
    assert (late_row.recruited, late_row.needed, late_row.remaining) == (2, 4, 2)
    assert late_row.fill_rate == 0.5
    assert gaps.gap_dict(late_row)["fill_rate"] == 0.5


def test_report_gap_rejects_bad_input(rt: Runtime) -> None:
    with rt.uow() as uow:
        ent = _ent(uow.s, "E1")
        with pytest.raises(ValidationFailed) as err:
            gaps.report_gap(uow, ent, gaps.GapInput(" ", 0, TODAY - timedelta(days=1),
                                                    urgency="asap"), actor="t", today=TODAY)
    assert set(err.value.fields) == {"title", "headcount", "deadline", "urgency"}


def test_candidates_come_from_all_three_sources(rt: Runtime) -> None:
    deadline = TODAY + timedelta(days=10)
    with rt.uow() as uow:
        borrower = _ent(uow.s, "B1", KeyTier.KEY)
        lender = _ent(uow.s, "L1")
        uow.s.add(JobSeeker(external_id="S1", name="张三", skills=["叉车", "装卸"],
                            district="朝阳区", latitude=39.95, longitude=116.5))
        uow.s.add(JobSeeker(external_id="S2", name="无技能", skills=["会计"], district="朝阳区"))
        uow.s.add(SurplusEmployee(external_id="P1", enterprise_id=lender, name="李四",
                                  skills=["叉车证"], district="朝阳区", consent=True,
                                  daily_cost=20000, available_from=TODAY,
                                  available_to=TODAY + timedelta(days=60)))
        gap = gaps.report_gap(uow, borrower, gaps.GapInput(
            "叉车司机 forklift driver", 5, deadline, skills=("叉车",), urgency="urgent"),
            actor="t", today=TODAY)
        on_time = cohorts.register(rt, uow, cohorts.RegistrationInput(
            "河南省", "朝阳区", TODAY, TODAY + timedelta(days=3),
            (cohorts.MemberInput("王五", skills=("叉车",)),)), actor="t")
        too_late = cohorts.register(rt, uow, cohorts.RegistrationInput(
            "四川省", "朝阳区", deadline + timedelta(days=2), deadline + timedelta(days=5),
            (cohorts.MemberInput("赵六", skills=("叉车",)),)), actor="t")
        cohorts.form_cohorts(uow, TODAY + timedelta(days=1), 10, actor="t")
        cohorts.form_cohorts(uow, deadline + timedelta(days=2), 10, actor="t")
        uow.commit()
    with rt.uow() as uow:
        found = candidates_for_gap(rt, uow.s, gap, today=TODAY)
    assert [c.supply.name for c in found["seeker"]] == ["张三"]  # 会计 lacks 叉车
    assert [c.supply.name for c in found["surplus"]] == ["李四"]  # 叉车证 implies 叉车
    assert [c.supply.name for c in found["cohort"]] == ["王五"]  # 赵六 arrives too late
    assert on_time != too_late
    for cands in found.values():
        assert all(c.score > 0 and c.matched_skills == ("叉车",) for c in cands)
