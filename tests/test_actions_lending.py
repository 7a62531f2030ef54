"""Lending actions and queries called directly: the owner (or the right party), another
enterprise, a wrong role, and the system principal; and the CLI calling the same actions."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from matcher.cli.lending_cmds import lending
from matcher.enums import Role
from matcher.errors import Forbidden, NotFound, ValidationFailed
from matcher.lending import actions, queries
from matcher.lending.demand import RequestInput
from matcher.lending.pool import EmployeeInput
from matcher.lending.terms import AgreementInput
from matcher.models import AuditLog, Enterprise
from matcher.principal import Principal
from matcher.runtime import Runtime

SYSTEM = Principal.system("test")
SEEKER = Principal(user_id=9, email="s@example.org", role=Role.SEEKER, seeker_id=1)
START, END = date(2020, 3, 2), date(2020, 3, 31)


def _staff(enterprise_id: int) -> Principal:
    return Principal(user_id=enterprise_id, email=f"hr{enterprise_id}@example.org",
                     role=Role.ENTERPRISE, enterprise_id=enterprise_id)


@dataclass(frozen=True)
class World:
    lender: Principal
    borrower: Principal
    other: Principal


def _do(rt: Runtime, fn: Callable[..., Any], actor: Principal, *args: Any) -> Any:
    with rt.uow() as uow:
        out = fn(uow, actor, *args)
        uow.commit()
        return out


def _read(rt: Runtime, fn: Callable[..., Any], actor: Principal, *args: Any) -> Any:
    with rt.uow() as uow:
        return fn(uow, actor, *args)


@pytest.fixture
def w(rt: Runtime) -> World:
    with rt.uow() as uow:
        ents = [Enterprise(external_id=ext, name=name) for ext, name in
                [("L1", "停工酒店"), ("B1", "口罩厂"), ("O1", "别家")]]
        uow.s.add_all(ents)
        uow.commit()
        return World(*(_staff(e.id) for e in ents))


def _employee(ext: str) -> EmployeeInput:
    return EmployeeInput(external_id=ext, name=ext, skills=("包装",), daily_cost=20000,
                         available_from=date(2020, 2, 1), available_to=date(2020, 6, 30),
                         consent=True)


def _request() -> RequestInput:
    return RequestInput(title="包装工", skills=("包装",), headcount=2, start_date=START,
                        end_date=END)


def test_declare_and_consent(rt: Runtime, w: World) -> None:
    view = _do(rt, actions.declare_employee, w.lender, _employee("S1"))
    assert view.enterprise_id == w.lender.enterprise_id
    with pytest.raises(NotFound):  # an enterprise declares only its own staff
        _do(rt, actions.declare_employee, w.lender, _employee("S2"), w.other.enterprise_id)
    with pytest.raises(ValidationFailed):  # the system names the enterprise
        _do(rt, actions.declare_employee, SYSTEM, _employee("S2"))
    by_system = _do(rt, actions.declare_employee, SYSTEM, _employee("S2"),
                    w.other.enterprise_id)
    assert by_system.enterprise_id == w.other.enterprise_id
    with pytest.raises(NotFound):
        _do(rt, actions.record_consent, w.other, view.id, False)
    with pytest.raises(Forbidden):
        _do(rt, actions.record_consent, SEEKER, view.id, False)
    assert _do(rt, actions.record_consent, w.lender, view.id, False).consent is False
    assert _do(rt, actions.record_consent, SYSTEM, view.id, True).consent is True
    with rt.uow() as uow:
        actors = uow.s.scalars(select(AuditLog.actor).where(
            AuditLog.entity == "surplus_employee").order_by(AuditLog.id)).all()
    assert actors == [f"user:{w.lender.user_id}", "system:test", f"user:{w.lender.user_id}",
                      "system:test"]
    page = _read(rt, queries.own_staff, w.lender, 1, 20)
    assert [e["external_id"] for e in page.items] == ["S1"]


def test_post_and_close_requests(rt: Runtime, w: World) -> None:
    mine = _do(rt, actions.post_request, w.borrower, _request())
    assert (mine["status"], mine["headcount"]) == ("open", 2)
    with pytest.raises(Forbidden):
        _do(rt, actions.post_request, SEEKER, _request())
    by_system = _do(rt, actions.post_request, SYSTEM, _request(), w.borrower.enterprise_id)
    with pytest.raises(NotFound):
        _do(rt, actions.close_request, w.other, mine["id"])
    with pytest.raises(Forbidden):
        _do(rt, actions.close_request, SEEKER, mine["id"])
    assert _do(rt, actions.close_request, w.borrower, mine["id"])["status"] == "closed"
    assert _do(rt, actions.close_request, SYSTEM, by_system["id"])["status"] == "closed"
    page = _read(rt, queries.own_requests, w.borrower, 1, 20)
    assert sorted(r["id"] for r in page.items) == sorted([mine["id"], by_system["id"]])
    assert _read(rt, queries.own_requests, w.other, 1, 20).total == 0


def _propose(rt: Runtime, w: World, actor: Principal, ext: str) -> int:
    emp = _do(rt, actions.declare_employee, SYSTEM, _employee(ext), w.lender.enterprise_id)
    terms = AgreementInput(lender_id=w.lender.enterprise_id or 0,
                           borrower_id=w.borrower.enterprise_id or 0, employee_ids=(emp.id,),
                           start_date=START, end_date=END, site="车间", daily_hours=8,
                           reimbursement_per_day=20000)
    return int(_do(rt, actions.propose_agreement, actor, terms).id)


def test_agreement_steps_by_the_parties(rt: Runtime, w: World) -> None:
    with pytest.raises(NotFound):  # a third enterprise proposes for others
        _propose(rt, w, w.other, "S0")
    aid = _propose(rt, w, w.lender, "S1")
    view = _read(rt, queries.agreement, w.borrower, aid)
    assert (view.side, view.agreement.status) == ("borrower", "proposed")
    with pytest.raises(NotFound):
        _read(rt, queries.agreement, w.other, aid)
    with pytest.raises(NotFound):
        _do(rt, actions.accept_agreement, w.other, aid)
    with pytest.raises(Forbidden) as err:
        _do(rt, actions.accept_agreement, w.lender, aid)
    assert err.value.code == "wrong_party"
    with pytest.raises(Forbidden):
        _do(rt, actions.accept_agreement, SEEKER, aid)
    assert _do(rt, actions.accept_agreement, w.borrower, aid).status == "accepted"
    with pytest.raises(NotFound):
        _do(rt, actions.sign_agreement, w.other, aid)
    with pytest.raises(Forbidden):  # the borrower cannot sign as the lender
        _do(rt, actions.sign_agreement, w.borrower, aid, "lender")
    signed = _do(rt, actions.sign_agreement, w.lender, aid)
    assert signed.lender_signed_at is not None and signed.borrower_signed_at is None
    employee = signed.employees[0].employee_id
    for party in (w.borrower, w.lender):  # employees acknowledge through their own link
        with pytest.raises(Forbidden):
            _do(rt, actions.acknowledge_agreement, party, aid, employee)
    _do(rt, actions.acknowledge_agreement, SYSTEM, aid, employee)
    assert _do(rt, actions.sign_agreement, w.borrower, aid).status == "signed"
    with pytest.raises(NotFound):
        _do(rt, actions.activate_agreement, w.other, aid, START)
    assert _do(rt, actions.activate_agreement, w.borrower, aid, START).status == "active"
    with pytest.raises(NotFound):
        _do(rt, actions.return_agreement, w.other, aid, END)
    assert _do(rt, actions.return_agreement, w.lender, aid, END).status == "returned"
    html = _read(rt, queries.agreement_document, w.borrower, aid)
    assert "停工酒店" in html and "口罩厂" in html
    with pytest.raises(NotFound):
        _read(rt, queries.agreement_document, w.other, aid)
    assert [a["id"] for a in _read(rt, queries.own_agreements, w.lender, 1, 20).items] == [aid]
    assert _read(rt, queries.own_agreements, w.other, 1, 20).total == 0


def test_the_system_takes_any_step_naming_the_side(rt: Runtime, w: World) -> None:
    aid = _propose(rt, w, SYSTEM, "S1")
    assert _do(rt, actions.accept_agreement, SYSTEM, aid).status == "accepted"
    with pytest.raises(ValidationFailed):
        _do(rt, actions.sign_agreement, SYSTEM, aid)
    _do(rt, actions.sign_agreement, SYSTEM, aid, "lender")
    view = _do(rt, actions.sign_agreement, SYSTEM, aid, "borrower")
    assert view.lender_signed_at and view.borrower_signed_at
    assert _read(rt, queries.agreement, SYSTEM, aid).agreement.id == aid
    with pytest.raises(NotFound):
        _do(rt, actions.terminate_agreement, w.other, aid, "停产")
    with pytest.raises(Forbidden):
        _do(rt, actions.terminate_agreement, SEEKER, aid, "停产")
    assert _do(rt, actions.terminate_agreement, SYSTEM, aid, "停产").status == "terminated"
    with pytest.raises(NotFound):
        _do(rt, actions.accept_agreement, SYSTEM, aid + 100)


def test_cli_calls_the_actions_as_the_named_system_actor(rt: Runtime, w: World) -> None:
    env = {"WORKBRIDGE_DATABASE_URL": rt.settings.database_url}
    runner = CliRunner()

    def run(*args: str) -> str:
        result = runner.invoke(lending, [*args, "--actor", "ops"], env=env)
        assert result.exit_code == 0, result.output
        return result.output

    run("declare", "L1", "S1", "--skills", "包装", "--daily-cost", "200", "--consent")
    run("request", "B1", "--title", "包装工", "--headcount", "1", "--from", "2020-03-02",
        "--to", "2020-03-31")
    out = run("propose", "--lender", "L1", "--borrower", "B1", "--employees", "S1", "--from",
              "2020-03-02", "--to", "2020-03-31", "--site", "车间", "--reimbursement", "200")
    aid = out.split()[1]
    run("accept", aid)
    run("sign", aid, "--as", "lender")
    run("ack", aid, "--employee", "S1")
    assert "[signed]" in run("sign", aid, "--as", "borrower")
    assert "[active]" in run("activate", aid, "--today", "2020-03-02")
    assert "[returned]" in run("return", aid, "--today", "2020-03-31")
    missing = runner.invoke(lending, ["show", "999"], env=env)
    assert missing.exit_code == 1 and "[not_found]" in missing.output
    with rt.uow() as uow:
        actors = set(uow.s.scalars(select(AuditLog.actor)))
    assert actors == {"system:ops"}
