"""Bureau API (/api/v1/bureau) on the seeded demo city: every route, empty plans, roles, dates."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from test_bureau_pages import DAY, PASSWORD, TODAY, seed_city

from matcher.config import Settings
from matcher.enums import DispatchStatus
from matcher.models import AuditLog, Cohort, DispatchProposal, OutboxMessage
from matcher.runtime import Runtime
from web import create_app

API = "/api/v1/bureau"


@pytest.fixture
def app(settings: Settings) -> Iterator[Flask]:
    app = create_app(settings)
    app.config["TESTING"] = True
    seed_city(app.extensions["matcher"])
    yield app
    app.extensions["matcher"].dispose()


def _token(client: FlaskClient, role: str) -> dict[str, str]:
    resp = client.post("/api/v1/auth/token", json={
        "email": f"{role}@demo.workbridge.local", "password": PASSWORD})
    assert resp.status_code == 201, resp.json
    return {"Authorization": f"Bearer {resp.get_json()['token']}"}


@pytest.fixture
def admin(app: Flask) -> tuple[FlaskClient, dict[str, str]]:
    client = app.test_client()
    return client, _token(client, "admin")


def _count(rt: Runtime, model: type, *where: Any) -> int:
    with rt.uow() as uow:
        return int(uow.s.scalar(select(func.count()).select_from(model).where(*where)) or 0)


def test_desk_reads(app: Flask, admin: tuple[FlaskClient, dict[str, str]]) -> None:
    client, auth = admin
    resp = client.get(f"{API}/gaps?date={DAY}&per_page=5", headers=auth)
    assert resp.status_code == 200, resp.json
    body = resp.get_json()
    assert body["page"]["total"] >= len(body["items"]) > 0 and body["needed"] > 0
    first = body["items"][0]
    assert set(first["candidates"]) == {"seeker", "surplus", "cohort"}
    assert any(first["candidates"][s] for s in first["candidates"])
    bare = client.get(f"{API}/gaps?date={DAY}&k=0", headers=auth).get_json()
    assert bare["items"][0]["candidates"] == {}
    one = client.get(f"{API}/gaps/{first['id']}/candidates?date={DAY}&k=4", headers=auth)
    assert one.status_code == 200 and one.get_json()["id"] == first["id"]
    ranked = [c for cs in one.get_json()["candidates"].values() for c in cs]
    assert ranked and all(c["score"] > 0 and c["source"] for c in ranked)
    assert client.get(f"{API}/gaps/999999/candidates?date={DAY}",
                      headers=auth).status_code == 404
    cohorts = client.get(f"{API}/cohorts?per_page=2", headers=auth).get_json()
    assert cohorts["page"]["total"] > 0 and len(cohorts["items"]) <= 2
    man = client.get(f"{API}/cohorts/{cohorts['items'][0]['id']}/manifest", headers=auth)
    assert man.status_code == 200 and man.get_json()["cohort"]["manifest"]
    line = man.get_json()["cohort"]["manifest"][0]
    assert line["id_number_masked"] is None or "*" in line["id_number_masked"]
    watch = client.get(f"{API}/watch", headers=auth).get_json()
    assert watch["page"]["total"] == len(watch["items"]) > 0
    assert watch["items"][0]["score"] >= watch["items"][-1]["score"]


def test_dispatch_plan_confirm_and_empty_plan(app: Flask,
                                              admin: tuple[FlaskClient, dict[str, str]]) -> None:
    rt: Runtime = app.extensions["matcher"]
    client, auth = admin
    resp = client.post(f"{API}/dispatch", json={"date": DAY}, headers=auth)
    assert resp.status_code == 201, resp.json
    plan = resp.get_json()
    assert plan["status"] == "proposed" and plan["assignments"], plan  # the demo left work
    before = _count(rt, OutboxMessage)
    done = client.post(f"{API}/dispatch/{plan['proposal_id']}/confirm", headers=auth)
    assert done.status_code == 200, done.json
    assert done.get_json()["messages"] == 2 * len(plan["assignments"])
    assert _count(rt, OutboxMessage) == before + 2 * len(plan["assignments"])
    again = client.post(f"{API}/dispatch/{plan['proposal_id']}/confirm", headers=auth)
    assert again.status_code == 422 and again.get_json()["error"]["code"] == \
        "dispatch_not_proposed"

    late = (TODAY + timedelta(days=400)).isoformat()  # every gap's deadline has passed
    empty = client.post(f"{API}/dispatch", json={"date": late}, headers=auth).get_json()
    assert empty["assignments"] == [] and empty["gap_count"] == 0
    audits, sent = _count(rt, AuditLog), _count(rt, OutboxMessage)
    refused = client.post(f"{API}/dispatch/{empty['proposal_id']}/confirm", headers=auth)
    assert refused.status_code == 422
    assert refused.get_json()["error"]["code"] == "empty_plan"
    assert (_count(rt, AuditLog), _count(rt, OutboxMessage)) == (audits, sent)
    with rt.uow() as uow:
        prop = uow.s.get(DispatchProposal, empty["proposal_id"])
        assert prop is not None and prop.status == DispatchStatus.PROPOSED
    assert client.post(f"{API}/dispatch/999999/confirm", headers=auth).status_code == 404


def test_form_cohorts_and_warning_scan(app: Flask,
                                       admin: tuple[FlaskClient, dict[str, str]]) -> None:
    rt: Runtime = app.extensions["matcher"]
    client, auth = admin
    cohorts = _count(rt, Cohort)
    resp = client.post(f"{API}/cohorts", json={"date": DAY, "capacity": 12}, headers=auth)
    assert resp.status_code == 201, resp.json
    formed = resp.get_json()["formed"]
    assert formed and _count(rt, Cohort) == cohorts + len(formed)  # the late registrations
    assert all(f["cohort"]["travel_date"] == DAY and f["placed"] >= 0 for f in formed)
    scan = client.post(f"{API}/warning/scan", json={"date": DAY}, headers=auth)
    assert scan.status_code == 200, scan.json
    body = scan.get_json()
    assert body["scanned"] >= len(body["top"]) > 0
    assert body["top"][0]["score"] >= body["top"][-1]["score"]


def test_wrong_role_and_bad_input(app: Flask, admin: tuple[FlaskClient, dict[str, str]]) -> None:
    rt: Runtime = app.extensions["matcher"]
    client, auth = admin
    calls = [("GET", f"{API}/gaps", None), ("GET", f"{API}/gaps/1/candidates", None),
             ("POST", f"{API}/dispatch", {"date": DAY}),
             ("POST", f"{API}/dispatch/1/confirm", None),
             ("POST", f"{API}/cohorts", {"date": DAY, "capacity": 5}),
             ("GET", f"{API}/cohorts", None), ("GET", f"{API}/cohorts/1/manifest", None),
             ("POST", f"{API}/warning/scan", {"date": DAY}), ("GET", f"{API}/watch", None)]
    proposals = _count(rt, DispatchProposal)
    for role in ("enterprise", "agency", "seeker"):
        other = _token(client, role)
        for method, url, body in calls:
            resp = client.open(url, method=method, json=body, headers=other)
            assert resp.status_code == 403, (role, method, url)
            assert resp.get_json()["error"]["code"] == "wrong_role"
    for method, url, body in calls:
        assert client.open(url, method=method, json=body).status_code in (400, 401)
    bad = [("GET", f"{API}/gaps?date=2020-13-01", None),
           ("GET", f"{API}/gaps/1/candidates?date=yesterday", None),
           ("POST", f"{API}/dispatch", {"date": "29/04/2020"}),
           ("POST", f"{API}/dispatch", {}),
           ("POST", f"{API}/dispatch", {"date": "0150-09-25"}),
           ("POST", f"{API}/cohorts", {"date": DAY, "capacity": 0}),
           ("POST", f"{API}/warning/scan", {"date": ""})]
    for method, url, body in bad:
        resp = client.open(url, method=method, json=body, headers=auth)
        assert resp.status_code == 422, (url, body, resp.json)
        assert "date" in resp.get_json()["error"].get("fields", {}) or body and \
            "capacity" in resp.get_json()["error"]["fields"]
    before_weights = client.get(f"{API}/gaps?date=2001-01-01", headers=auth)
    assert before_weights.status_code == 422  # no ranking weights in force then
    assert _count(rt, DispatchProposal) == proposals
