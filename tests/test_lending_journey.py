"""Shared employment through the API, as the people who do it: the lender finds who needs its
staff and proposes, the borrower accepts, both sign, each employee acknowledges through an
own link (wrong name, lock, reuse, expiry), the agreement activates and is returned."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pytest
from builders.subsidy import add_enterprise, committing
from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select, update

from matcher.accounts.users import create_user, issue_token
from matcher.bureau import outbox
from matcher.cli.lending_cmds import lending
from matcher.config import Settings
from matcher.enums import Role
from matcher.lending import ack
from matcher.models import AckLink, Agreement
from matcher.models.base import utcnow
from matcher.runtime import Runtime
from web import create_app

TODAY = date.today()
PW = "correct horse"


@dataclass
class Side:
    enterprise_id: int
    token: str
    name: str


@dataclass
class World:
    app: Flask
    rt: Runtime
    lender: Side
    borrower: Side
    other: Side


@pytest.fixture
def w(settings: Settings) -> Iterator[World]:
    app = create_app(settings)
    app.config.update(TESTING=True)
    rt: Runtime = app.extensions["matcher"]
    sides = []
    for i, name in enumerate(["停业酒店 Closed Hotel", "口罩厂 Mask Factory", "别家 Other"]):
        with committing(rt) as uow:
            eid = add_enterprise(uow.s, name=name)
            user = create_user(uow, email=f"ent{i}@journey.test", password=PW,
                               role=Role.ENTERPRISE, enterprise_id=eid)
            sides.append(Side(eid, issue_token(uow, user.id, actor="test"), name))
    yield World(app, rt, *sides)
    rt.dispose()


def _api(w: World, side: Side, method: str, url: str, body: Any = None) -> Any:
    return w.app.test_client().open(f"/api/v1/enterprise{url}", method=method, json=body,
                                    headers={"Authorization": f"Bearer {side.token}"})


def _staff(w: World, ext: str, name: str) -> int:
    resp = _api(w, w.lender, "POST", "/staff", {
        "external_id": ext, "name": name, "skills": ["客房清洁", "包装"], "consent": True,
        "daily_cost": 20000, "available_from": (TODAY - timedelta(days=1)).isoformat(),
        "available_to": (TODAY + timedelta(days=60)).isoformat()})
    assert resp.status_code == 201, resp.json
    return int(resp.json["id"])


def _proposal(w: World, request_id: int | None, ids: list[int], yuan: str) -> dict[str, Any]:
    return {"counterparty_enterprise_id": w.borrower.enterprise_id, "role": "lender",
            "employee_ids": ids, "request_id": request_id, "start_date": TODAY.isoformat(),
            "end_date": TODAY.isoformat(), "site": "口罩厂二车间", "daily_hours": 8,
            "reimbursement_yuan_per_day": yuan}


def _links(w: World, agreement_id: int) -> dict[str, str]:
    resp = _api(w, w.lender, "GET", f"/agreements/{agreement_id}")
    assert resp.status_code == 200
    return {e["name"]: e["ack_url"] for e in resp.json["employees"]}


def _ack(client: FlaskClient, url: str, name: str) -> Any:
    return client.post(url, data={"name": name})  # no login, no CSRF token


def test_propose_from_opportunities_to_return(w: World) -> None:
    e1, e2 = _staff(w, "H-1", "张三"), _staff(w, "H-2", "李四")
    req = _api(w, w.borrower, "POST", "/requests", {
        "title": "包装工 Packers", "skills": ["包装"], "headcount": 2,
        "start_date": TODAY.isoformat(), "end_date": TODAY.isoformat(), "site": "二车间"})
    assert req.status_code == 201
    rid = req.json["id"]

    found = _api(w, w.lender, "GET", f"/lending/opportunities?date={TODAY}")
    assert found.status_code == 200, found.json
    item = next(i for i in found.json["items"] if i["request_id"] == rid)
    assert item["borrower_enterprise_id"] == w.borrower.enterprise_id
    assert sorted(item["employee_ids"]) == sorted([e1, e2]) and item["headcount"] == 2
    assert item["explanation"] and item["vacancy_id"] is None

    matches = _api(w, w.borrower, "GET", f"/requests/{rid}/matches?date={TODAY}")
    assert matches.status_code == 200
    assert matches.json["groups"][0]["lender_id"] == w.lender.enterprise_id
    assert _api(w, w.other, "GET", f"/requests/{rid}/matches").status_code == 404

    # a reimbursement above the declared cost is refused and changes nothing
    refused = _api(w, w.lender, "POST", "/agreements", _proposal(w, rid, [e1, e2], "250"))
    assert refused.status_code == 422
    assert refused.json["error"]["code"] == "reimbursement_exceeds_cost"
    assert "reimbursement_yuan_per_day" in refused.json["error"]["fields"]
    assert _api(w, w.lender, "GET", "/agreements").json["page"]["total"] == 0

    made = _api(w, w.lender, "POST", "/agreements", _proposal(w, rid, [e1, e2], "180.50"))
    assert made.status_code == 201, made.json
    assert made.json["status"] == "proposed" and made.json["reimbursement_per_day"] == 18050
    aid = made.json["id"]
    links = _links(w, aid)
    assert set(links) == {"张三", "李四"} and all(u.startswith("/ack/") for u in links.values())
    as_borrower = _api(w, w.borrower, "GET", f"/agreements/{aid}").json
    assert all(e["ack_url"] is None for e in as_borrower["employees"])
    assert _api(w, w.other, "GET", f"/agreements/{aid}").status_code == 404
    with committing(w.rt) as uow:
        sms = [m.body for m in outbox.messages(uow.s, "agreement")]
    assert all(any(u in body for body in sms) for u in links.values())

    assert _api(w, w.borrower, "POST", f"/agreements/{aid}/accept").json["status"] == "accepted"
    signed = _api(w, w.lender, "POST", f"/agreements/{aid}/sign", {"signer_name": "王经理"})
    assert signed.json["lender_signed_by"] == "王经理" and signed.json["lender_signed_at"]
    after = _api(w, w.borrower, "POST", f"/agreements/{aid}/sign", {"signer_name": "赵厂长"})
    assert after.json["status"] == "accepted"  # the employees have not acknowledged yet

    client = w.app.test_client()
    page = client.get(links["张三"]).get_data(as_text=True)
    assert "口罩厂二车间" in page and "停业酒店" in page and "社会保险" in page
    wrong = _ack(client, links["张三"], "王五")
    assert wrong.status_code == 422 and "4" in wrong.get_data(as_text=True)
    assert _ack(client, links["张三"], " 张三 ").status_code == 200
    reused = _ack(client, links["张三"], "张三")
    assert reused.status_code == 422 and "已使用" in reused.get_data(as_text=True)
    assert _api(w, w.lender, "GET", f"/agreements/{aid}").json["status"] == "accepted"
    assert _ack(client, links["李四"], "李四").status_code == 200
    assert _api(w, w.lender, "GET", f"/agreements/{aid}").json["status"] == "signed"

    assert _api(w, w.other, "POST", f"/agreements/{aid}/activate").status_code == 404
    assert _api(w, w.borrower, "POST", f"/agreements/{aid}/activate").json["status"] == "active"
    busy = _api(w, w.lender, "POST", "/agreements", _proposal(w, None, [e1], "100"))
    assert busy.status_code == 422 and busy.json["error"]["code"] == "employee_busy"
    assert _api(w, w.lender, "POST", f"/agreements/{aid}/return").json["status"] == "returned"


def test_links_lock_expire_and_refuse_strangers(w: World) -> None:
    e1, e2 = _staff(w, "H-1", "张三"), _staff(w, "H-2", "李四")
    made = _api(w, w.lender, "POST", "/agreements", _proposal(w, None, [e1, e2], "100"))
    aid = made.json["id"]
    links = _links(w, aid)
    client = w.app.test_client()
    for _ in range(ack.MAX_ATTEMPTS):
        assert _ack(client, links["张三"], "冒名").status_code == 422
    locked = _ack(client, links["张三"], "张三")
    assert locked.status_code == 422 and "锁定" in locked.get_data(as_text=True)
    with committing(w.rt) as uow:
        uow.s.execute(update(AckLink).where(AckLink.employee_id == e2)
                      .values(expires_at=utcnow() - timedelta(minutes=1)))
    expired = _ack(client, links["李四"], "李四")
    assert expired.status_code == 422 and "过期" in expired.get_data(as_text=True)
    assert client.get("/ack/" + "0" * 64).status_code == 404
    with committing(w.rt) as uow:
        rows = list(uow.s.scalars(select(AckLink).where(AckLink.agreement_id == aid)))
        assert all(len(r.token_hash) == 64 and r.token_hash not in links.values() for r in rows)
        agreement = uow.s.get(Agreement, aid)
        assert agreement is not None
        assert all(a.acknowledged_at is None for a in agreement.employees)
    # no enterprise endpoint acknowledges for an employee
    assert not [r for r in w.app.url_map.iter_rules()
                if "ack" in r.rule and r.rule.startswith("/api/")]

    bad = _api(w, w.lender, "POST", f"/agreements/{aid}/terminate", {"reason": " "})
    assert bad.status_code == 422
    done = _api(w, w.borrower, "POST", f"/agreements/{aid}/terminate", {"reason": "停产 halt"})
    assert done.json["status"] == "terminated" and done.json["termination_reason"] == "停产 halt"
    assert _ack(client, links["张三"], "张三").status_code == 422


def test_staff_edit_remove_and_activate_due(w: World) -> None:
    e1 = _staff(w, "H-1", "张三")
    assert _api(w, w.other, "PATCH", f"/staff/{e1}", {"daily_cost": 1}).status_code == 404
    edited = _api(w, w.lender, "PATCH", f"/staff/{e1}", {
        "daily_cost": 30000, "available_from": TODAY.isoformat(),
        "available_to": (TODAY + timedelta(days=9)).isoformat()})
    assert edited.status_code == 200 and edited.json["daily_cost"] == 30000
    aid = _api(w, w.lender, "POST", "/agreements", _proposal(w, None, [e1], "300")).json["id"]
    _api(w, w.borrower, "POST", f"/agreements/{aid}/accept")
    _api(w, w.lender, "POST", f"/agreements/{aid}/sign")
    _api(w, w.borrower, "POST", f"/agreements/{aid}/sign")
    assert _ack(w.app.test_client(), _links(w, aid)["张三"], "张三").status_code == 200
    result = CliRunner().invoke(lending, ["activate-due", "--today", TODAY.isoformat()],
                                env={"WORKBRIDGE_DATABASE_URL": w.rt.settings.database_url})
    assert result.exit_code == 0 and f"activated 1 agreement(s): {aid}" in result.output
    assert _api(w, w.lender, "DELETE", f"/staff/{e1}").status_code == 422  # lent out now
    _api(w, w.lender, "POST", f"/agreements/{aid}/terminate", {"reason": "提前结束 early"})
    removed = _api(w, w.lender, "DELETE", f"/staff/{e1}")
    assert removed.status_code == 200 and removed.json["status"] == "deleted"


def _login(w: World, i: int) -> tuple[FlaskClient, str]:
    client = w.app.test_client()
    token = re.search(r'name="csrf_token" value="([^"]+)"',
                      client.get("/auth/login").get_data(as_text=True))
    assert token is not None
    resp = client.post("/auth/login", data={"email": f"ent{i}@journey.test", "password": PW,
                                            "csrf_token": token.group(1)})
    assert resp.status_code == 302
    return client, token.group(1)


def test_pages_propose_sign_and_edit_staff(w: World) -> None:
    e1 = _staff(w, "H-1", "张三")
    rid = _api(w, w.borrower, "POST", "/requests", {
        "title": "包装工 Packers", "skills": ["包装"], "headcount": 1,
        "start_date": TODAY.isoformat(), "end_date": TODAY.isoformat()}).json["id"]
    lender, csrf = _login(w, 0)
    assert "包装工 Packers" in lender.get("/enterprise/lending/opportunities").get_data(
        as_text=True)
    form = {"csrf_token": csrf, "key": f"request:{rid}", "from": "opportunities",
            "role": "lender", "counterparty_enterprise_id": w.borrower.enterprise_id,
            "request_id": rid, "employee_ids": [e1], "start_date": TODAY.isoformat(),
            "end_date": TODAY.isoformat(), "site": "二车间", "daily_hours": "8",
            "reimbursement_yuan_per_day": "999"}
    refused = lender.post("/enterprise/lending/propose", data=form)
    assert refused.status_code == 422 and "field-error" in refused.get_data(as_text=True)
    made = lender.post("/enterprise/lending/propose",
                       data={**form, "reimbursement_yuan_per_day": "150"})
    assert made.status_code == 302
    aid = int(made.headers["Location"].rsplit("/", 1)[1])
    assert "/ack/" in lender.get(f"/enterprise/agreements/{aid}").get_data(as_text=True)

    borrower, bcsrf = _login(w, 1)
    html = borrower.get(f"/enterprise/requests/{rid}/matches").get_data(as_text=True)
    assert w.lender.name in html
    other, ocsrf = _login(w, 2)
    assert other.get(f"/enterprise/requests/{rid}/matches").status_code == 404
    assert "/ack/" not in borrower.get(f"/enterprise/agreements/{aid}").get_data(as_text=True)
    borrower.post(f"/enterprise/agreements/{aid}/accept", data={"csrf_token": bcsrf})
    borrower.post(f"/enterprise/agreements/{aid}/sign", data={"csrf_token": bcsrf})
    view = _api(w, w.borrower, "GET", f"/agreements/{aid}").json
    assert view["borrower_signed_at"] is None  # no name, no confirmation: not signed
    sign = {"csrf_token": bcsrf, "signer_name": "赵厂长", "confirm": "1"}
    asked = borrower.post(f"/enterprise/agreements/{aid}/sign", data=sign)
    page = asked.get_data(as_text=True)
    assert asked.status_code == 200 and 'data-testid="confirm"' in page
    assert "确定签署向" in page and w.borrower.name in page and "¥150" in page
    view = _api(w, w.borrower, "GET", f"/agreements/{aid}").json
    assert view["borrower_signed_at"] is None  # not confirmed yet: nothing changed
    borrower.post(f"/enterprise/agreements/{aid}/sign", data={**sign, "confirmed": "1"})
    view = _api(w, w.borrower, "GET", f"/agreements/{aid}").json
    assert view["borrower_signed_by"] == "赵厂长"
    assert "赵厂长" in lender.get(f"/enterprise/agreements/{aid}/document").get_data(as_text=True)

    end = {"csrf_token": csrf, "reason": "改期 rescheduled"}
    assert "confirmed" in lender.post(f"/enterprise/agreements/{aid}/terminate",
                                      data=end).get_data(as_text=True)
    assert _api(w, w.lender, "GET", f"/agreements/{aid}").json["status"] == "accepted"
    lender.post(f"/enterprise/agreements/{aid}/terminate", data={**end, "confirmed": "1"})
    assert _api(w, w.lender, "GET", f"/agreements/{aid}").json["status"] == "terminated"
    lender.post(f"/enterprise/staff/{e1}/edit", data={
        "csrf_token": csrf, "available_from": TODAY.isoformat(),
        "available_to": (TODAY + timedelta(days=5)).isoformat(), "daily_cost": "210.5"})
    staff = _api(w, w.lender, "GET", "/staff").json["items"][0]
    assert staff["daily_cost"] == 21050
    assert other.post(f"/enterprise/staff/{e1}/remove",
                      data={"csrf_token": ocsrf}).status_code == 404
    lender.post(f"/enterprise/staff/{e1}/remove", data={"csrf_token": csrf})
    assert _api(w, w.lender, "GET", "/staff").json["items"][0]["status"] == "active"
    lender.post(f"/enterprise/staff/{e1}/remove", data={"csrf_token": csrf, "confirmed": "1"})
    assert _api(w, w.lender, "GET", "/staff").json["items"][0]["status"] == "deleted"


def test_borrower_proposes_from_its_request_matches(w: World) -> None:
    e1 = _staff(w, "H-1", "张三")
    rid = _api(w, w.borrower, "POST", "/requests", {
        "title": "包装工 Packers", "skills": ["包装"], "headcount": 1,
        "start_date": TODAY.isoformat(), "end_date": TODAY.isoformat()}).json["id"]
    group = _api(w, w.borrower, "GET", f"/requests/{rid}/matches").json["groups"][0]
    terms = {"counterparty_enterprise_id": group["lender_id"], "role": "borrower",
             "employee_ids": [group["candidates"][0]["employee_id"]], "request_id": rid,
             "start_date": TODAY.isoformat(),
             "end_date": (TODAY + timedelta(days=90)).isoformat(), "site": "二车间",
             "reimbursement_yuan_per_day": "200"}
    outside = _api(w, w.borrower, "POST", "/agreements", terms)
    assert outside.status_code == 422 and outside.json["error"]["code"] == "outside_window"
    assert "start_date" in outside.json["error"]["fields"]
    made = _api(w, w.borrower, "POST", "/agreements", {**terms, "end_date": TODAY.isoformat()})
    assert made.status_code == 201 and made.json["lender_id"] == w.lender.enterprise_id
    assert [e["employee_id"] for e in made.json["employees"]] == [e1]
    stranger = _api(w, w.other, "POST", "/agreements", {  # lends another's employee
        **terms, "role": "lender", "request_id": None, "end_date": TODAY.isoformat()})
    assert stranger.status_code == 422 and stranger.json["error"]["code"] == \
        "not_lenders_employee"
    assert _api(w, w.lender, "GET", "/agreements").json["page"]["total"] == 1
