"""Daily dispatch: the batch respects headcounts; confirming writes outbox rows."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from matcher.bureau import dispatch, gaps, outbox
from matcher.enums import KeyTier
from matcher.errors import Conflict, Refused
from matcher.models import AuditLog, DispatchAssignment, Enterprise, JobSeeker, SurplusEmployee
from matcher.runtime import Runtime

TODAY = date(2020, 4, 1)


def _setup(rt: Runtime) -> tuple[int, int]:
    with rt.uow() as uow:
        key = Enterprise(external_id="K", name="重点物流", district="朝阳区", key_tier=KeyTier.KEY)
        plain = Enterprise(external_id="N", name="普通超市", district="朝阳区")
        lender = Enterprise(external_id="L", name="停业酒店", district="朝阳区")
        uow.s.add_all([key, plain, lender])
        uow.s.flush()
        for i in range(3):
            uow.s.add(JobSeeker(external_id=f"S{i}", name=f"求职{i}", skills=["分拣"],
                                district="朝阳区", phone_masked="138****0000"))
        uow.s.add(SurplusEmployee(external_id="P1", enterprise_id=lender.id, name="借调员",
                                  skills=["分拣"], district="朝阳区", consent=True,
                                  daily_cost=20000))
        g_key = gaps.report_gap(uow, key.id, gaps.GapInput(
            "分拣员", 2, TODAY + timedelta(days=7), skills=("分拣",)), actor="t", today=TODAY)
        g_plain = gaps.report_gap(uow, plain.id, gaps.GapInput(
            "理货员", 5, TODAY + timedelta(days=7), skills=("分拣",)), actor="t", today=TODAY)
        uow.commit()
    return g_key, g_plain


def test_plan_respects_headcounts_and_uses_all_supply(rt: Runtime) -> None:
    g_key, g_plain = _setup(rt)
    with rt.uow() as uow:
        plan = dispatch.plan_dispatch(rt, uow.s, TODAY)
    per_gap = {g: sum(1 for a in plan.assignments if a.gap.id == g) for g in (g_key, g_plain)}
    assert per_gap[g_key] == 2  # key enterprise's gap is filled
    assert per_gap[g_plain] == 2  # the other two people
    assert plan.unfilled == {g_plain: 3}
    people = [(a.supply.source, a.supply.person_id) for a in plan.assignments]
    assert len(people) == len(set(people)) == plan.supply_count == 4


def test_confirm_writes_outbox_and_counts_as_recruited(rt: Runtime) -> None:
    g_key, _ = _setup(rt)
    with rt.uow() as uow:
        pid = dispatch.save_plan(uow, dispatch.plan_dispatch(rt, uow.s, TODAY), actor="officer")
        uow.commit()
    with rt.uow() as uow:
        assert outbox.messages(uow.s) == []
        sent = dispatch.confirm(uow, pid, actor="officer")
        uow.commit()
    with rt.uow() as uow:
        msgs = outbox.messages(uow.s, "dispatch_assignment")
        key_row = next(r for r in gaps.load_gaps(uow.s) if r.id == g_key)
        actions = set(uow.s.scalars(select(AuditLog.action).where(
            AuditLog.entity == "dispatch_proposal")))
        n_assign = len(list(uow.s.scalars(select(DispatchAssignment))))
    assert sent == len(msgs) == 2 * n_assign == 8
    recipients = {m.recipient for m in msgs}
    assert any(r.startswith("seeker:") for r in recipients)
    assert any(r.startswith("enterprise:") for r in recipients)
    assert all(m.sent_at is None for m in msgs)
    assert key_row.recruited == 2 and key_row.fill_rate == 1.0
    assert actions == {"dispatch.propose", "dispatch.confirm"}
    with rt.uow() as uow:
        with pytest.raises(Refused):
            dispatch.confirm(uow, pid, actor="officer")
        assert outbox.mark_sent(uow.s, [m.id for m in msgs[:3]]) == 3
        uow.commit()
    with rt.uow() as uow:
        assert len(outbox.pending(uow.s)) == 5
        # everyone is dispatched: the next plan has nobody to offer
        assert dispatch.plan_dispatch(rt, uow.s, TODAY).supply_count == 0


def test_a_person_cannot_be_confirmed_twice(rt: Runtime) -> None:
    _setup(rt)
    with rt.uow() as uow:
        plan = dispatch.plan_dispatch(rt, uow.s, TODAY)
        first = dispatch.save_plan(uow, plan, actor="o")
        second = dispatch.save_plan(uow, plan, actor="o")  # same people, stale plan
        dispatch.confirm(uow, first, actor="o")
        uow.commit()
    with rt.uow() as uow, pytest.raises(Conflict):
        dispatch.confirm(uow, second, actor="o")
