"""Lending agreements: lifecycle, every compliance refusal, the one-active race, return-due."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from babel.support import Translations
from click.testing import CliRunner
from sqlalchemy import func, select

from matcher.cli.lending_cmds import lending
from matcher.errors import DomainError, Refused, ValidationFailed
from matcher.lending import agreements, compliance, pool
from matcher.lending.agreements import AgreementInput
from matcher.lending.pool import EmployeeInput
from matcher.models import AgreementEmployee, AuditLog, Enterprise
from matcher.runtime import Runtime
from matcher.words import render

ZH = Translations.load(str(Path(__file__).resolve().parents[1] / "web" / "translations"),
                       ["zh_Hans_CN"])


def zh(message: object) -> str:
    """A message as a Chinese reader sees it (the zh catalog)."""
    return render(message, ZH.gettext)

START, END = date(2020, 3, 2), date(2020, 3, 31)


@dataclass
class World:
    lender: int
    other_lender: int
    borrower: int
    e1: int
    e2: int
    other: int


def _enterprise(uow: object, ext: str, name: str) -> int:
    ent = Enterprise(external_id=ext, name=name)
    uow.s.add(ent)  # type: ignore[attr-defined]
    uow.s.flush()  # type: ignore[attr-defined]
    return ent.id


def _world(rt: Runtime) -> World:
    with rt.uow() as uow:
        lender = _enterprise(uow, "L1", "停工酒店 Idle Hotel")
        other_lender = _enterprise(uow, "L2", "停工影院 Idle Cinema")
        borrower = _enterprise(uow, "B1", "口罩厂 Mask Factory")
        ids = []
        for ent, ext, name in [(lender, "S1", "张三"), (lender, "S2", "李四"),
                               (other_lender, "S3", "王五")]:
            ids.append(pool.declare_employee(rt, uow, ent, EmployeeInput(
                external_id=ext, name=name, skills=("包装", "packing"),
                available_from=date(2020, 2, 1), available_to=date(2020, 6, 30),
                daily_cost=20000, consent=True), actor="hr").id)
        uow.commit()
    return World(lender, other_lender, borrower, *ids)


def _terms(w: World, **kw: Any) -> AgreementInput:
    base = AgreementInput(lender_id=w.lender, borrower_id=w.borrower, employee_ids=(w.e1,),
                          start_date=START, end_date=END, site="顺义区口罩车间",
                          daily_hours=8, reimbursement_per_day=20000)
    return replace(base, **kw)


def _propose(rt: Runtime, terms: AgreementInput) -> int:
    with rt.uow() as uow:
        view = agreements.propose(rt, uow, terms, actor="lender-hr")
        uow.commit()
        return view.id


def _step(rt: Runtime, fn: Callable[..., agreements.AgreementView], *args: object,
          **kw: object) -> agreements.AgreementView:
    with rt.uow() as uow:
        view = fn(rt, uow, *args, **kw)
        uow.commit()
        return view


def _signed(rt: Runtime, terms: AgreementInput) -> int:
    aid = _propose(rt, terms)
    _step(rt, agreements.accept, aid, actor="borrower-hr")
    for emp in terms.employee_ids:
        _step(rt, agreements.acknowledge, aid, emp, actor=f"employee:{emp}")
    _step(rt, agreements.sign, aid, "lender", actor="lender-hr")
    assert _step(rt, agreements.sign, aid, "borrower", actor="borrower-hr").status == "signed"
    return aid


def _refused(rt: Runtime, fn: Callable[..., object], *args: object, **kw: object) -> Refused:
    with rt.uow() as uow, pytest.raises(Refused) as exc:
        fn(rt, uow, *args, **kw)
    return exc.value


def _active_rows(rt: Runtime) -> list[tuple[int, int]]:
    with rt.uow() as uow:
        rows = uow.s.execute(
            select(AgreementEmployee.agreement_id, AgreementEmployee.employee_id)
            .where(AgreementEmployee.is_active.is_(True)).order_by(AgreementEmployee.id))
        return [(a, e) for a, e in rows]


def test_lifecycle_to_active_and_returned_with_audit(rt: Runtime) -> None:
    w = _world(rt)
    aid = _propose(rt, _terms(w, employee_ids=(w.e1, w.e2)))
    view = _step(rt, agreements.accept, aid, actor="borrower-hr")
    assert view.status == "accepted" and view.accepted_at is not None
    _step(rt, agreements.sign, aid, "lender", actor="lender-hr")
    _step(rt, agreements.sign, aid, "borrower", actor="borrower-hr")
    view = _step(rt, agreements.acknowledge, aid, w.e1, actor="employee")
    assert view.status == "accepted"  # still waiting for 李四
    view = _step(rt, agreements.acknowledge, aid, w.e2, actor="employee")
    assert view.status == "signed"
    assert view.wages_paid_by == view.social_insurance_paid_by == "lender"
    view = _step(rt, agreements.activate, aid, actor="borrower-hr", today=START)
    assert view.status == "active" and all(e.is_active for e in view.employees)
    assert [e.declared_daily_cost for e in view.employees] == [20000, 20000]
    assert _active_rows(rt) == [(aid, w.e1), (aid, w.e2)]
    view = _step(rt, agreements.return_agreement, aid, actor="borrower-hr", today=END)
    assert view.status == "returned" and view.ended_at is not None
    assert _active_rows(rt) == []
    with rt.uow() as uow:
        actions = list(uow.s.scalars(
            select(AuditLog.action).where(AuditLog.entity == "agreement").order_by(AuditLog.id)))
    assert actions == [
        "agreement.proposed", "agreement.accepted", "agreement.signed_by_lender",
        "agreement.signed_by_borrower", "agreement.acknowledged", "agreement.acknowledged",
        "agreement.signed", "agreement.activated", "agreement.returned",
    ]


@pytest.mark.parametrize(("change", "code", "message", "chinese"), [
    ({"borrower_id": "lender"}, "lender_is_borrower",
     "The lending and the borrowing enterprise must be different.",
     "出借企业与借入企业不能是同一家企业。"),
    ({"end_date": date(2020, 7, 15)}, "outside_window",
     "The period 2020-03-02 to 2020-07-15 is outside 张三's lending window "
     "(2020-02-01 ~ 2020-06-30).",
     "协议期间 2020-03-02 至 2020-07-15 超出员工张三的可借调期（2020-02-01 ~ 2020-06-30）。"),
    ({"reimbursement_per_day": 20001}, "reimbursement_exceeds_cost",
     "The reimbursement of 200.01 yuan per person per day exceeds the lender's declared "
     "daily cost of 200.00 yuan for 张三. Lending must not make a profit.",
     "每人每日补偿 200.01 元超过出借企业申报的员工张三日成本 200.00 元，共享用工不得营利。"),
    ({"employee_ids": "other"}, "not_lenders_employee",
     "王五 is not an employee of the lending enterprise.", "员工王五不属于出借企业。"),
])
def test_proposal_refusals_show_the_user_message(
    rt: Runtime, change: dict[str, object], code: str, message: str, chinese: str
) -> None:
    w = _world(rt)
    if change.get("borrower_id") == "lender":
        change = {"borrower_id": w.lender}
    if change.get("employee_ids") == "other":
        change = {"employee_ids": (w.other,)}
    err = _refused(rt, agreements.propose, _terms(w, **change), actor="hr")
    assert (err.code, err.message, err.status) == (code, message, 422)
    assert zh(err.message) == chinese


def test_consent_and_cost_refusals(rt: Runtime) -> None:
    w = _world(rt)
    with rt.uow() as uow:
        pool.record_consent(rt, uow, w.e1, False, actor="employee")
        uow.commit()
    err = _refused(rt, agreements.propose, _terms(w), actor="hr")
    assert err.code == "no_consent"
    assert err.message == "张三 has not consented to being lent (or withdrew consent)."
    assert zh(err.message) == "员工张三未同意被借调（或已撤回同意）。"
    with rt.uow() as uow:
        emp = pool.declare_employee(rt, uow, w.lender, EmployeeInput(
            external_id="S9", name="赵六", consent=True), actor="hr")
        uow.commit()
    err = _refused(rt, agreements.propose, _terms(w, employee_ids=(emp.id,)), actor="hr")
    assert err.code == "cost_not_declared"
    assert zh(err.message).startswith("出借企业尚未申报员工赵六的日成本")


def test_consent_withdrawn_after_proposal_blocks_acknowledgement_and_activation(
    rt: Runtime,
) -> None:
    w = _world(rt)
    aid = _signed(rt, _terms(w))
    with rt.uow() as uow:
        pool.record_consent(rt, uow, w.e1, False, actor="employee")
        uow.commit()
    err = _refused(rt, agreements.activate, aid, actor="hr", today=START)
    assert err.code == "no_consent" and "张三" in err.message
    assert _active_rows(rt) == []


def test_one_active_agreement_per_employee_is_refused_with_names(rt: Runtime) -> None:
    w = _world(rt)
    first = _signed(rt, _terms(w, employee_ids=(w.e1, w.e2)))
    second = _signed(rt, _terms(w, employee_ids=(w.e2,)))
    _step(rt, agreements.activate, first, actor="hr", today=START)
    expected = ("李四: already in another active lending agreement. An employee can be in "
                "only one at a time.")
    err = _refused(rt, agreements.activate, second, actor="hr", today=START)
    assert (err.code, err.message) == ("employee_busy", expected)
    assert zh(err.message) == "员工李四已在另一份生效中的借调协议中，同一时间只能参加一份协议。"
    err = _refused(rt, agreements.propose, _terms(w, employee_ids=(w.e2,)), actor="hr")
    assert (err.code, err.message) == ("employee_busy", expected)
    # a later period, after the running agreement ends, may be proposed
    later = _terms(w, employee_ids=(w.e2,), start_date=date(2020, 4, 1),
                   end_date=date(2020, 4, 30))
    assert _propose(rt, later) > second


def test_database_index_refusal_gives_the_same_message(
    rt: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    w = _world(rt)
    first = _signed(rt, _terms(w))
    second = _signed(rt, _terms(w))
    _step(rt, agreements.activate, first, actor="hr", today=START)
    check = _refused(rt, agreements.activate, second, actor="hr", today=START)
    monkeypatch.setattr(compliance, "check_not_busy", lambda *a, **k: None)
    from_db = _refused(rt, agreements.activate, second, actor="hr", today=START)
    assert (from_db.code, from_db.message) == (check.code, check.message)
    assert _active_rows(rt) == [(first, w.e1)]
    with rt.uow() as uow:  # the refused activation left nothing behind, audit included
        assert uow.s.scalar(select(func.count(AuditLog.id))
                            .where(AuditLog.action == "agreement.activated")) == 1


def test_concurrent_activations_only_one_wins(rt: Runtime) -> None:
    w = _world(rt)
    ids = [_signed(rt, _terms(w)) for _ in range(4)]
    barrier = threading.Barrier(len(ids))
    outcomes: dict[int, str] = {}

    def run(aid: int) -> None:
        barrier.wait()
        try:
            _step(rt, agreements.activate, aid, actor="hr", today=START)
            outcomes[aid] = "won"
        except DomainError as exc:
            outcomes[aid] = exc.code

    threads = [threading.Thread(target=run, args=(aid,)) for aid in ids]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sorted(outcomes.values()) == ["employee_busy"] * 3 + ["won"]
    winner = next(aid for aid, o in outcomes.items() if o == "won")
    assert _active_rows(rt) == [(winner, w.e1)]


def test_concurrent_changes_of_one_agreement_apply_once(rt: Runtime) -> None:
    w = _world(rt)
    aid = _propose(rt, _terms(w))
    barrier = threading.Barrier(3)
    outcomes: list[str] = []

    def run() -> None:
        barrier.wait()
        try:
            _step(rt, agreements.accept, aid, actor="hr")
            outcomes.append("won")
        except DomainError as exc:  # optimistic lock (PostgreSQL) or state check (SQLite)
            outcomes.append("lost" if exc.code in ("agreement_changed", "invalid_transition")
                            else exc.code)

    threads = [threading.Thread(target=run) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sorted(outcomes) == ["lost", "lost", "won"]
    with rt.uow() as uow:
        assert uow.s.scalar(select(func.count(AuditLog.id))
                            .where(AuditLog.action == "agreement.accepted")) == 1


def test_invalid_transitions_are_refused(rt: Runtime) -> None:
    w = _world(rt)
    aid = _propose(rt, _terms(w))
    err = _refused(rt, agreements.sign, aid, "lender", actor="hr")
    assert err.code == "invalid_transition"
    assert err.message == "The agreement is proposed. It cannot be signed."
    assert zh(err.message) == "协议当前状态为“待接受”，不能签署。"
    assert _refused(rt, agreements.activate, aid, actor="hr", today=START).code == \
        "invalid_transition"
    _step(rt, agreements.accept, aid, actor="hr")
    assert _refused(rt, agreements.accept, aid, actor="hr").code == "invalid_transition"
    _step(rt, agreements.sign, aid, "lender", actor="hr")
    err = _refused(rt, agreements.sign, aid, "lender", actor="hr")
    assert err.message == "The lender has already signed this agreement."
    assert zh(err.message) == "借出方已签署过本协议。"
    err = _refused(rt, agreements.acknowledge, aid, w.e2, actor="hr")
    assert (err.message, zh(err.message)) == ("李四 is not on this agreement.",
                                              "员工李四不在本协议中。")
    _step(rt, agreements.sign, aid, "borrower", actor="hr")
    _step(rt, agreements.acknowledge, aid, w.e1, actor="hr")
    err = _refused(rt, agreements.activate, aid, actor="hr", today=date(2020, 3, 1))
    assert err.code == "not_started" and "2020-03-02" in err.message
    assert _refused(rt, agreements.activate, aid, actor="hr", today=date(2020, 4, 1)).code == \
        "already_ended"
    _step(rt, agreements.activate, aid, actor="hr", today=START)
    err = _refused(rt, agreements.return_agreement, aid, actor="hr", today=date(2020, 3, 10))
    assert err.code == "not_ended"
    with rt.uow() as uow, pytest.raises(ValidationFailed) as no_reason:
        agreements.terminate(rt, uow, aid, "  ", actor="hr")
    assert no_reason.value.fields == {"reason": ["This field is required."]}
    view = _step(rt, agreements.terminate, aid, "订单取消 order cancelled", actor="hr")
    assert (view.status, view.termination_reason) == ("terminated", "订单取消 order cancelled")
    assert _active_rows(rt) == []
    err = _refused(rt, agreements.terminate, aid, "again", actor="hr")
    assert err.message == "The agreement is terminated. It cannot be terminated."
    assert zh(err.message) == "协议当前状态为“已终止”，不能终止。"


def test_bad_terms_are_validation_errors(rt: Runtime) -> None:
    w = _world(rt)
    with rt.uow() as uow, pytest.raises(ValidationFailed) as exc:
        agreements.propose(rt, uow, _terms(w, employee_ids=(w.e1, w.e1), daily_hours=13,
                                           site=" ", reimbursement_per_day=-5), actor="hr")
    assert set(exc.value.fields) == {"employee_ids", "daily_hours", "site",
                                     "reimbursement_per_day"}


def test_return_due_frees_employees_via_service(rt: Runtime) -> None:
    w = _world(rt)
    aid = _signed(rt, _terms(w))
    _step(rt, agreements.activate, aid, actor="hr", today=START)
    with rt.uow() as uow:
        assert [e.id for e in pool.lendable_employees(uow.s, START, START)] == [w.e2, w.other]
        assert agreements.return_due(rt, uow, END) == []  # the last day still runs
        uow.commit()
    with rt.uow() as uow:
        assert agreements.return_due(rt, uow, date(2020, 4, 1)) == [aid]
        uow.commit()
    with rt.uow() as uow:
        assert agreements.get_agreement(uow.s, aid).status == "returned"
        assert w.e1 in [e.id for e in pool.lendable_employees(uow.s, date(2020, 4, 1),
                                                              date(2020, 4, 2))]


def test_return_due_frees_employees_via_cli(rt: Runtime) -> None:
    w = _world(rt)
    aid = _signed(rt, _terms(w))
    _step(rt, agreements.activate, aid, actor="hr", today=START)
    env = {"WORKBRIDGE_DATABASE_URL": rt.settings.database_url, "WORKBRIDGE_ENCODER": "fake",
           "WORKBRIDGE_SECRET_KEY": "test-secret"}
    runner = CliRunner()
    early = runner.invoke(lending, ["return-due", "--today", "2020-03-31"], env=env)
    assert (early.exit_code, early.output.strip()) == (0, "returned 0 agreement(s)")
    assert _active_rows(rt) == [(aid, w.e1)]
    result = runner.invoke(lending, ["return-due", "--today", "2020-04-01"], env=env)
    assert (result.exit_code, result.output.strip()) == (0, f"returned 1 agreement(s): {aid}")
    assert _active_rows(rt) == []
    with rt.uow() as uow:
        assert w.e1 in [e.id for e in pool.lendable_employees(uow.s, date(2020, 4, 1),
                                                              date(2020, 4, 1))]
        audit = uow.s.scalars(select(AuditLog).where(AuditLog.action == "agreement.returned")).one()
        assert (audit.actor, audit.data["automatic"]) == ("scheduler", True)
    refused = runner.invoke(lending, ["activate", str(aid), "--today", "2020-03-05"], env=env)
    assert refused.exit_code == 1
    assert "[invalid_transition] The agreement is returned. It cannot be activated." in \
        refused.output
