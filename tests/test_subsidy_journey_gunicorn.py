"""The graduate-subsidy journey through the JSON API of a real gunicorn (2 workers) on a fresh
demo city: the small enterprise hires this year's graduate; after one month of social
insurance both see their eligibility with the trace (and an inbox message); each claims
2,111 yuan; the bureau approves and pays; a second claim is refused; the unclaimed list
shrinks with each claim. Ids come from the API's answers, never typed."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from builders.serving import ApiClient, demo_env, gunicorn, seed_with_cli

PASSWORD = "demo"
HIRING, EMPLOYMENT = "small_micro_graduate_hiring", "small_micro_graduate_employment"



Api = ApiClient


@pytest.fixture
def served(tmp_path: Path) -> Iterator[str]:
    env = demo_env(tmp_path, WORKBRIDGE_ENV="development", WORKBRIDGE_SECRET_KEY="subsidies")
    seed_with_cli(env)
    with gunicorn(env, tmp_path / "gunicorn.log") as base:
        yield base + "/api/v1"


def _mine(api: Api, path: str, placement_id: int) -> dict[str, dict[str, Any]]:
    status, body = api("GET", path)
    assert status == 200, body
    return {i["rule_code"]: i for i in body["items"] if i["placement_id"] == placement_id}


def _unclaimed(admin: Api, rule: str) -> set[int]:
    status, body = admin("GET", f"/admin/eligibility/unclaimed?rule_code={rule}&per_page=100")
    assert status == 200, body
    return {i["placement_id"] for i in body["items"]}


@pytest.mark.slow
def test_graduate_subsidies_found_claimed_and_paid(served: str) -> None:
    small, grad, admin = (Api(served, f"{r}@demo.workbridge.local")
                          for r in ("small", "graduate", "admin"))
    _, vacancies = small("GET", "/enterprise/vacancies?per_page=100")
    vacancy = next(v["id"] for v in vacancies["items"]
                   if v["status"] == "open" and v["remaining"] > 0)
    status, app = grad("POST", "/me/applications", {"vacancy_id": vacancy})
    assert status == 201, app
    assert small("POST", f"/enterprise/applications/{app['id']}/status",
                 {"status": "offered"})[0] == 200
    hired_on = (datetime.now(UTC) + timedelta(hours=8) - timedelta(days=35)).date()
    status, placed = small("POST", f"/enterprise/applications/{app['id']}/hire",
                           {"hired_on": hired_on.isoformat(), "contract_months": 24})
    assert status == 201, placed
    pid = placed["id"]

    before = _mine(small, "/enterprise/eligibility", pid)[HIRING]
    assert before["eligible"] is False and before["amount_yuan"] == 0
    assert any("社保" in m for m in before["missing"]), before  # zh unless asked for en
    assert pid not in _unclaimed(admin, HIRING)

    assert admin("POST", f"/admin/placements/{pid}/social-insurance", {"months": 1})[0] == 200
    ent_item = _mine(small, "/enterprise/eligibility", pid)[HIRING]  # either worker
    grad_item = _mine(grad, "/me/eligibility", pid)[EMPLOYMENT]
    for item in (ent_item, grad_item):
        assert (item["eligible"], item["amount_yuan"], item["tranche"]) == (True, 2111, 1)
        assert item["trace"]["eligible"] and item["trace"]["checks"], item
        assert item["missing"] == []
    _, inbox = grad("GET", "/notifications")
    assert any(n["kind"] == "subsidy.eligible" for n in inbox["items"]), inbox
    assert pid in _unclaimed(admin, HIRING) and pid in _unclaimed(admin, EMPLOYMENT)

    claims = {}
    for api, path, rule in ((small, "/enterprise/claims", HIRING),
                            (grad, "/me/claims", EMPLOYMENT)):
        body = {"placement_id": pid, "rule_code": rule}
        status, claim = api("POST", path, body, headers={"Idempotency-Key": f"j-{rule}"})
        assert status == 201 and claim["amount_fen"] == 2111_00, claim
        assert api("POST", path, body, headers={"Idempotency-Key": f"j-{rule}"})[0] == 200
        assert pid not in _unclaimed(admin, rule)  # the list shrinks with each claim
        claims[path] = claim
    for claim in claims.values():
        assert admin("POST", f"/admin/claims/{claim['id']}/approve", {"note": "ok"})[0] == 200
        status, paid = admin("POST", f"/admin/claims/{claim['id']}/pay", {})
        assert status in (200, 201) and paid["amount_fen"] == 2111_00, paid
    for api, path, rule in ((small, "/enterprise/claims", HIRING),
                            (grad, "/me/claims", EMPLOYMENT)):
        status, again = api("POST", path, {"placement_id": pid, "rule_code": rule},
                            headers={"Idempotency-Key": f"again-{rule}"})
        assert status == 409 and again["error"]["code"] == "duplicate_claim", again
        status, mine = api("GET", f"{path}/{claims[path]['id']}")
        assert status == 200 and mine["status"] == "paid", mine
    other = claims["/enterprise/claims"]["id"]
    assert grad("GET", f"/me/claims/{other}")[0] == 404  # the enterprise's claim
