"""Both hiring journeys through the JSON API of a real gunicorn (2 workers) on the demo city.

Seeker applies -> enterprise shortlists, interviews, offers, hires -> seeker sees it; agency
finds a registered-unemployed seeker, recommends -> enterprise hires the agency's applicant
-> the bureau records 6 months of social insurance -> the agency claims 311 yuan -> the
bureau approves and pays. Ids come from the API's own answers, never typed.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from builders.serving import ApiClient, demo_env, gunicorn, seed_with_cli

PASSWORD = "demo"



Api = ApiClient


@pytest.fixture
def served(tmp_path: Path) -> Iterator[str]:
    env = demo_env(tmp_path, WORKBRIDGE_ENV="development", WORKBRIDGE_SECRET_KEY="serve-hiring")
    seed_with_cli(env)
    with gunicorn(env, tmp_path / "gunicorn.log") as base:
        yield base + "/api/v1"


def _open_vacancy(ent: Api, skip: set[int]) -> int:
    _, page = ent("GET", "/enterprise/vacancies?per_page=100")
    return next(v["id"] for v in page["items"]
                if v["status"] == "open" and v["remaining"] > 0 and v["id"] not in skip)


@pytest.mark.slow
def test_hiring_journeys_through_the_api(served: str) -> None:
    seeker, ent, agency, admin = (Api(served, f"{r}@demo.workbridge.local")
                                  for r in ("seeker", "enterprise", "agency", "admin"))
    _, mine = seeker("GET", "/me/applications?per_page=100")
    applied = {a["vacancy_id"] for a in mine["items"]}
    vacancy_id = _open_vacancy(ent, applied)
    status, app = seeker("POST", "/me/applications", {"vacancy_id": vacancy_id})
    assert status == 201, app
    assert seeker("POST", "/me/applications", {"vacancy_id": vacancy_id})[0] == 409
    _, listed = ent("GET", f"/enterprise/vacancies/{vacancy_id}/applications")
    assert app["id"] in {a["application"]["id"] for a in listed["items"]}
    for body in ({"status": "shortlisted"},
                 {"status": "interview", "interview_at": "2030-01-02T09:00:00+08:00",
                  "interview_location": "线上 https://meet.example/1"},
                 {"status": "offered"}):
        status, out = ent("POST", f"/enterprise/applications/{app['id']}/status", body)
        assert status == 200, out
        _, mine = seeker("GET", "/me/applications?per_page=100")  # the other worker, too
        assert {a["id"]: a["status"] for a in mine["items"]}[app["id"]] == body["status"]
    assert ent("POST", f"/enterprise/applications/{app['id']}/hire",
               {"hired_on": "2030-01-10"})[0] == 422
    status, placed = ent("POST", f"/enterprise/applications/{app['id']}/hire",
                         {"hired_on": "2030-01-10", "contract_months": 12,
                          "contract_reference": "EC-1"})
    assert status == 201, placed
    _, inbox = seeker("GET", "/notifications")
    assert inbox["items"][0]["kind"] == "application.hired"

    # the agency journey: find by category, recommend, hire, social insurance, claim, pay
    status, found = agency("GET", "/agency/seekers?category=registered_unemployed")
    assert status == 200 and found["items"], found
    target = _open_vacancy(ent, {vacancy_id})
    status, rec = {}, None
    for person in found["items"]:
        status, rec = agency("POST", "/agency/recommendations",
                             {"seeker_id": person["id"], "vacancy_id": target})
        if status == 201:
            break
    assert status == 201, rec
    _, listed = ent("GET", f"/enterprise/vacancies/{target}/applications")
    mine_app = next(a["application"] for a in listed["items"]
                    if a["application"]["source"] == "agency")
    assert ent("POST", f"/enterprise/applications/{mine_app['id']}/status",
               {"status": "offered"})[0] == 200
    today = (datetime.now(UTC) + timedelta(hours=8)).date().isoformat()
    status, placed = ent("POST", f"/enterprise/applications/{mine_app['id']}/hire",
                         {"hired_on": today, "contract_months": 12})
    assert status == 201 and placed["agency_id"] is not None, placed
    url = f"/admin/placements/{placed['id']}/social-insurance"
    assert admin("POST", url, {"months": -1})[0] == 422
    assert admin("POST", url, {"months": 6})[0] == 200
    status, claim = agency("POST", "/agency/claims",
                           {"placement_id": placed["id"], "rule_code": "employment_introduction"},
                           headers={"Idempotency-Key": f"serve-{placed['id']}"})
    assert status in (200, 201), claim
    claim = claim.get("claim", claim)
    assert claim["amount_fen"] == 31100
    assert admin("POST", f"/admin/claims/{claim['id']}/approve", {"note": "ok"})[0] == 200
    status, paid = admin("POST", f"/admin/claims/{claim['id']}/pay", {})
    assert status in (200, 201), paid
