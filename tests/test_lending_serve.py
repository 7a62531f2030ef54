"""Shared employment through the API of a real gunicorn (2 workers) over the demo city.

The lender (``lender@``) finds who needs its staff, moves one employee's lending window to
start today, proposes a one-day agreement; ``enterprise@`` accepts; both sign; each employee
confirms through their link (a wrong name first); the agreement activates and is returned.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from builders.serving import demo_env, gunicorn, seed_with_cli

TODAY = date.today()


class Api:
    """A tiny JSON client of one gunicorn."""

    def __init__(self, base: str):
        self.base = base

    def call(self, method: str, path: str, body: Any = None, token: str | None = None,
             form: dict[str, str] | None = None) -> tuple[int, Any]:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        data = None
        if form is not None:
            data = urllib.parse.urlencode(form).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        elif body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        req = urllib.request.Request(self.base + path, data=data, method=method,
                                     headers=headers)
        try:
            with urllib.request.urlopen(req, timeout=60) as resp:
                raw, status = resp.read().decode(), resp.status
        except urllib.error.HTTPError as err:
            raw, status = err.read().decode(), err.code
        try:
            return status, json.loads(raw)
        except ValueError:
            return status, raw

    def token(self, who: str) -> str:
        status, out = self.call("POST", "/api/v1/auth/token", {
            "email": f"{who}@demo.workbridge.local", "password": "demo-pass"})
        assert status == 201, out
        return str(out["token"])


@pytest.mark.slow
def test_lending_journey_through_gunicorn(tmp_path: Path) -> None:
    env = demo_env(tmp_path, WORKBRIDGE_SECRET_KEY="lending-smoke",
                   WORKBRIDGE_DEMO_PASSWORD="demo-pass")
    seed_with_cli(env)
    with gunicorn(env, tmp_path / "gunicorn.log") as base:
        _journey(Api(base))


def _journey(api: Api) -> None:
    lender, borrower = api.token("lender"), api.token("enterprise")
    ent = "/api/v1/enterprise"
    status, found = api.call("GET", f"{ent}/lending/opportunities", token=lender)
    assert status == 200 and found["items"], found
    offer = next(i for i in found["items"] if "客房保洁" in i["title"])
    emp = offer["employee_ids"][0]
    status, moved = api.call("PATCH", f"{ent}/staff/{emp}", {
        "available_from": TODAY.isoformat(),
        "available_to": (TODAY + timedelta(days=30)).isoformat()}, token=lender)
    assert status == 200, moved
    terms = {"counterparty_enterprise_id": offer["borrower_enterprise_id"], "role": "lender",
             "employee_ids": [emp], "request_id": offer["request_id"],
             "start_date": TODAY.isoformat(), "end_date": TODAY.isoformat(),
             "site": "借入企业二车间", "daily_hours": 8, "reimbursement_yuan_per_day": "99999"}
    status, refused = api.call("POST", f"{ent}/agreements", terms, token=lender)
    assert status == 422 and refused["error"]["code"] == "reimbursement_exceeds_cost"
    status, made = api.call("POST", f"{ent}/agreements",
                            {**terms, "reimbursement_yuan_per_day": "1"}, token=lender)
    assert status == 201 and made["status"] == "proposed", made
    aid = made["id"]
    for path, who, body in ((f"/{aid}/accept", borrower, None),
                            (f"/{aid}/sign", borrower, {"signer_name": "陈厂长"}),
                            (f"/{aid}/sign", lender, {"signer_name": "刘经理"})):
        status, out = api.call("POST", f"{ent}/agreements{path}", body, token=who)
        assert status == 200, out
    status, view = api.call("GET", f"{ent}/agreements/{aid}", token=lender)
    assert status == 200 and view["status"] == "accepted"
    for e in view["employees"]:
        status, _ = api.call("POST", e["ack_url"], form={"name": "冒名顶替"})
        assert status == 422
        status, _ = api.call("POST", e["ack_url"], form={"name": e["name"]})
        assert status == 200
        status, _ = api.call("POST", e["ack_url"], form={"name": e["name"]})
        assert status == 422  # a used link
    status, view = api.call("GET", f"{ent}/agreements/{aid}", token=borrower)
    assert view["status"] == "signed" and all(e["ack_url"] is None for e in view["employees"])
    status, out = api.call("POST", f"{ent}/agreements/{aid}/activate", token=borrower)
    assert status == 200 and out["status"] == "active", out
    status, out = api.call("POST", f"{ent}/agreements/{aid}/return", token=lender)
    assert status == 200 and out["status"] == "returned", out
