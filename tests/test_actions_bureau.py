"""Bureau desk actions and queries called directly: an officer, the system principal, every
other role (refused) and unknown objects (not found)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest
from builders.subsidy import committing
from sqlalchemy import select

from matcher.bureau import actions, cohorts, gaps, queries, warning
from matcher.enums import CohortStatus, KeyTier, Role
from matcher.errors import Forbidden, NotFound, Refused, ValidationFailed
from matcher.models import AuditLog, Enterprise, JobSeeker
from matcher.principal import Principal
from matcher.runtime import Runtime
from matcher.validators import make_id_number

TODAY = date(2020, 4, 1)
SYSTEM = Principal.system("test")
OFFICER = Principal(user_id=5, email="officer@bureau.example", role=Role.ADMIN)
OTHERS = (Principal(user_id=6, email="a@example.org", role=Role.AGENCY, agency_id=1),
          Principal(user_id=7, email="e@example.org", role=Role.ENTERPRISE, enterprise_id=1),
          Principal(user_id=8, email="s@example.org", role=Role.SEEKER, seeker_id=1))


def _do(rt: Runtime, fn: Callable[..., Any], actor: Principal, *args: Any) -> Any:
    with committing(rt) as uow:
        return fn(uow, actor, *args)


def _refused_to_others(rt: Runtime, fn: Callable[..., Any], *args: Any) -> None:
    for who in OTHERS:
        with pytest.raises(Forbidden) as err:
            _do(rt, fn, who, *args)
        assert err.value.code == "wrong_role"


def _gaps(rt: Runtime) -> tuple[int, int]:
    with committing(rt) as uow:
        key = Enterprise(external_id="K", name="重点物流", district="朝阳区", key_tier=KeyTier.KEY)
        plain = Enterprise(external_id="N", name="普通超市", district="朝阳区")
        uow.s.add_all([key, plain])
        uow.s.flush()
        for i in range(3):
            uow.s.add(JobSeeker(external_id=f"S{i}", name=f"求职{i}", skills=["分拣"],
                                district="朝阳区", phone_masked="138****0000"))
        deadline = TODAY + timedelta(days=7)
        first = gaps.report_gap(uow, key.id, gaps.GapInput(
            "分拣员", 2, deadline, skills=("分拣",)), actor="t", today=TODAY)
        second = gaps.report_gap(uow, plain.id, gaps.GapInput(
            "理货员", 5, deadline, skills=("分拣",)), actor="t", today=TODAY)
    return first, second


def test_shortage_desk_and_gap_detail(rt: Runtime) -> None:
    first, second = _gaps(rt)
    desk = _do(rt, queries.shortage_desk, OFFICER, TODAY, 1, 1, 2)
    assert [r.id for r in desk.rows] == [first]  # the key enterprise's gap ranks first
    assert (desk.total, desk.pages, desk.needed) == (2, 2, 7)
    assert len(desk.candidates[first]["seeker"]) == 2
    detail = _do(rt, queries.gap_detail, SYSTEM, second, TODAY)
    assert detail.gap.id == second and len(detail.candidates["seeker"]) == 3
    ranked = _do(rt, queries.ranked_gaps, SYSTEM, TODAY)
    assert [g.gap.id for g in ranked] == [first, second] and ranked[0].candidates == {}
    with pytest.raises(NotFound):
        _do(rt, queries.gap_detail, OFFICER, second + 100, TODAY)
    _refused_to_others(rt, queries.shortage_desk, TODAY, 1, 10, 3)


def test_dispatch_is_planned_confirmed_and_discarded_by_officers(rt: Runtime) -> None:
    _gaps(rt)
    _refused_to_others(rt, actions.plan_dispatch, TODAY)
    planned = _do(rt, actions.plan_dispatch, OFFICER, TODAY)
    assert len(planned.plan.assignments) == 3
    board = _do(rt, queries.dispatch_board, OFFICER, TODAY)
    assert [p["id"] for p in board.proposals] == [planned.proposal_id]
    assert len(board.proposals[0]["assignments"]) == 3 and board.outbox_total == 0
    _refused_to_others(rt, actions.confirm_dispatch, planned.proposal_id)
    sent = _do(rt, actions.confirm_dispatch, SYSTEM, planned.proposal_id)
    assert sent == _do(rt, queries.dispatch_board, SYSTEM, TODAY).outbox_total > 0
    with pytest.raises(Refused):
        _do(rt, actions.discard_dispatch, OFFICER, planned.proposal_id)
    with pytest.raises(NotFound):
        _do(rt, actions.discard_dispatch, OFFICER, planned.proposal_id + 100)
    with committing(rt) as uow:
        who = {action: actor for action, actor in uow.s.execute(select(
            AuditLog.action, AuditLog.actor).where(AuditLog.entity == "dispatch_proposal"))}
    assert who == {"dispatch.propose": "user:5", "dispatch.confirm": "system:test"}


def _register(rt: Runtime, n: int, start: int) -> None:
    members = tuple(cohorts.MemberInput(
        f"工人{start + i}", make_id_number("411321", date(1990, 1, 1 + i), start + i),
        f"1380000{start + i:04d}", ("分拣",)) for i in range(n))
    with committing(rt) as uow:
        cohorts.register(rt, uow, cohorts.RegistrationInput(
            "河南省", "大兴区", TODAY, TODAY + timedelta(days=5), members,
            origin_city="南阳市"), actor="officer")


def test_cohorts_are_formed_checked_and_advanced(rt: Runtime) -> None:
    _register(rt, 3, 0)
    _register(rt, 2, 10)
    _refused_to_others(rt, actions.form_cohorts, TODAY, 4, False)
    formed = _do(rt, actions.form_cohorts, SYSTEM, TODAY, 4, False)
    assert sorted(f.cohort.size for f in formed.formed) == [2, 3] and formed.refused == []
    assert all(f.placed == 0 for f in formed.formed)
    listed = _do(rt, queries.cohort_list, OFFICER)
    assert {c["id"] for c in listed} == {f.cohort.id for f in formed.formed}
    cid = formed.formed[0].cohort.id
    page = _do(rt, queries.cohort_manifest, OFFICER, cid)
    assert (page.next_status, page.unchecked) == ("departed", page.cohort.size)
    stranger = formed.formed[1].cohort.manifest[0].member_id
    with pytest.raises(ValidationFailed):
        _do(rt, actions.set_health_check, OFFICER, cid, stranger, True)
    for line in page.cohort.manifest:
        _do(rt, actions.set_health_check, OFFICER, cid, line.member_id, True)
    for step in (CohortStatus.DEPARTED, CohortStatus.ARRIVED, CohortStatus.HANDED_OVER):
        _do(rt, actions.advance_cohort, OFFICER, cid, step)
    after = _do(rt, queries.cohort_manifest, SYSTEM, cid)
    assert (after.cohort.status, after.next_status, after.unchecked) == ("handed_over", None, 0)
    with pytest.raises(NotFound):
        _do(rt, queries.cohort_manifest, OFFICER, cid + 100)
    _refused_to_others(rt, queries.cohort_manifest, cid)


def test_warnings_are_scanned_listed_and_resolved(rt: Runtime) -> None:
    with committing(rt) as uow:
        risky = Enterprise(external_id="R", name="企业R", district="朝阳区")
        uow.s.add(risky)
        uow.s.flush()
        warning.file_report(uow, risky.id, "layoff", reported_on=TODAY, officer="o",
                            affected=30)
        warning.file_report(uow, risky.id, "wage_arrears", reported_on=TODAY, officer="o")
    _refused_to_others(rt, actions.scan_warnings, TODAY)
    scan = _do(rt, actions.scan_warnings, SYSTEM, TODAY)
    assert len(scan.added) == 1 and scan.scores[0].enterprise_id == risky.id
    rows = _do(rt, queries.watch_list, OFFICER)
    assert [r["entry_id"] for r in rows] == scan.added
    entry = _do(rt, queries.watch_entry, OFFICER, scan.added[0], TODAY)
    assert entry.entry["enterprise_id"] == risky.id and set(entry.suggestions) == {
        "lending", "reemployment"}
    with pytest.raises(NotFound):
        _do(rt, queries.watch_entry, OFFICER, scan.added[0] + 100, TODAY)
    _refused_to_others(rt, actions.resolve_warning, scan.added[0], "done")
    _do(rt, actions.resolve_warning, OFFICER, scan.added[0], "已核实 checked")
    assert _do(rt, queries.watch_list, OFFICER) == []
    assert len(_do(rt, queries.watch_list, OFFICER, False)) == 1


def test_series_are_read_by_name(rt: Runtime) -> None:
    _gaps(rt)
    rows = _do(rt, queries.series_rows, OFFICER, "gaps", TODAY)
    assert rows and {"district", "needed", "fill_rate"} <= set(rows[0])
    with pytest.raises(ValidationFailed):
        _do(rt, queries.series_rows, SYSTEM, "nope", TODAY)
    _refused_to_others(rt, queries.series_rows, "gaps", TODAY)
