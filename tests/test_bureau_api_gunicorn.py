"""The bureau desks through the API against gunicorn with 2 workers, on a seeded demo city.

Seeds in-process (fake encoder: requests read stored vectors), serves
``web:create_app()`` with two sync workers and drives every bureau route as an officer.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from builders.serving import demo_env, gunicorn

from matcher import migrate
from matcher.config import load_settings
from matcher.demo.seed import seed_demo
from matcher.index.registry import Registry
from matcher.runtime import Runtime

PASSWORD = "bureau-gunicorn-1"


def _call(base: str, method: str, path: str, token: str | None = None,
          body: dict[str, Any] | None = None) -> tuple[int, Any]:
    req = urllib.request.Request(base + path, method=method,
                                 data=json.dumps(body).encode() if body is not None else None)
    req.add_header("Content-Type", "application/json")
    if token:
        req.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(req, timeout=60) as resp:
            return resp.status, json.loads(resp.read() or b"null")
    except urllib.error.HTTPError as err:
        return err.code, json.loads(err.read() or b"null")


def _prepare(env: dict[str, str]) -> None:
    """Migrate, seed the demo city and build the indexes, as `make run` does (in-process)."""
    migrate.upgrade(env["WORKBRIDGE_DATABASE_URL"])
    rt = Runtime(load_settings(env))
    try:
        assert seed_demo(rt, size=80).seeded
        registry = Registry(rt, sync_interval=None, autosave_interval=None)
        for kind in ("vacancies", "people"):
            registry.rebuild(kind)
    finally:
        rt.dispose()


@pytest.mark.slow
def test_bureau_desks_through_gunicorn(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    env = {"WORKBRIDGE_DATABASE_URL": f"sqlite:///{tmp_path / 'wb.db'}",
           "WORKBRIDGE_INDEX_DIR": str(tmp_path / "indexes"), "WORKBRIDGE_ENCODER": "fake",
           "WORKBRIDGE_SECRET_KEY": "bureau-gunicorn", "WORKBRIDGE_DEMO_PASSWORD": PASSWORD}
    monkeypatch.setenv("WORKBRIDGE_DEMO_PASSWORD", PASSWORD)
    _prepare(env)
    with gunicorn(demo_env(tmp_path, **env), tmp_path / "gunicorn.log") as base:
        _desks(base)


def _desks(base: str) -> None:
    """The officer's desks through the API (both workers answer the gap list)."""
    status, issued = _call(base, "POST", "/api/v1/auth/token", body={
        "email": "admin@demo.workbridge.local", "password": PASSWORD})
    assert status == 201, issued
    token, day = issued["token"], date.today().isoformat()
    for _ in range(2):  # both workers
        status, desk = _call(base, "GET", f"/api/v1/bureau/gaps?date={day}", token)
        assert status == 200 and desk["items"], desk
    gap = desk["items"][0]["id"]
    status, one = _call(base, "GET", f"/api/v1/bureau/gaps/{gap}/candidates?date={day}",
                        token)
    assert status == 200 and set(one["candidates"]) == {"seeker", "surplus", "cohort"}
    status, plan = _call(base, "POST", "/api/v1/bureau/dispatch", token, {"date": day})
    assert status == 201 and plan["assignments"], plan
    status, done_ = _call(base, "POST",
                          f"/api/v1/bureau/dispatch/{plan['proposal_id']}/confirm", token)
    assert status == 200 and done_["messages"] == 2 * len(plan["assignments"])
    late = (date.today() + timedelta(days=400)).isoformat()
    status, empty = _call(base, "POST", "/api/v1/bureau/dispatch", token, {"date": late})
    assert status == 201 and empty["assignments"] == []
    status, err = _call(base, "POST",
                        f"/api/v1/bureau/dispatch/{empty['proposal_id']}/confirm", token)
    assert status == 422 and err["error"]["code"] == "empty_plan"
    status, formed = _call(base, "POST", "/api/v1/bureau/cohorts", token,
                           {"date": day, "capacity": 12})
    assert status == 201 and formed["formed"], formed
    cohort = formed["formed"][0]["cohort"]["id"]
    status, man = _call(base, "GET", f"/api/v1/bureau/cohorts/{cohort}/manifest", token)
    assert status == 200 and man["cohort"]["manifest"]
    status, listed = _call(base, "GET", "/api/v1/bureau/cohorts?per_page=5", token)
    assert status == 200 and listed["page"]["total"] >= len(formed["formed"])
    status, scan = _call(base, "POST", "/api/v1/bureau/warning/scan", token, {"date": day})
    assert status == 200 and scan["scanned"] > 0
    status, watch = _call(base, "GET", "/api/v1/bureau/watch", token)
    assert status == 200 and watch["items"]
