"""The applications API through the Flask client: the journey and its bad inputs."""

from __future__ import annotations

import re
from typing import Any

from builders.accounts import World
from flask import Flask
from flask.testing import FlaskClient

from matcher.enums import Role


def _as(client: FlaskClient, world: World, role: Role) -> Any:
    token = world.party(role).token

    def call(method: str, url: str, body: dict[str, Any] | None = None) -> Any:
        return client.open(f"/api/v1{url}", method=method, json=body,
                           headers={"Authorization": f"Bearer {token}"})
    return call


def test_apply_move_on_hire_and_record_social_insurance(world_app: tuple[Flask, World]
                                                        ) -> None:
    app, world = world_app
    client = app.test_client()
    seeker, ent, admin = (_as(client, world, r) for r in (Role.SEEKER, Role.ENTERPRISE,
                                                          Role.ADMIN))
    vacancy_id = world.party(Role.ENTERPRISE).owned["vacancy_id"]
    missing = seeker("POST", "/me/applications", {"vacancy_id": 999999})
    assert missing.status_code == 404 and missing.json["error"]["code"] == "vacancy_not_found"
    assert missing.json["error"]["message"] == "岗位 999999 不存在。"  # zh by default
    resp = seeker("POST", "/me/applications", {"vacancy_id": vacancy_id, "message": "你好"})
    assert resp.status_code == 201, resp.json
    app_id = resp.json["id"]
    assert resp.json["status"] == "applied" and resp.json["vacancy_id"] == vacancy_id
    again = seeker("POST", "/me/applications", {"vacancy_id": vacancy_id})
    assert again.status_code == 409
    assert again.json["error"]["code"] == "duplicate_application"
    mine = seeker("GET", "/me/applications").json
    assert mine["page"]["total"] == 1 and mine["items"][0]["enterprise"]

    listed = ent("GET", f"/enterprise/vacancies/{vacancy_id}/applications").json
    (one,) = listed["items"]
    assert one["application"]["source"] == "seeker" and "*" in one["name"]
    assert one["explanation"] and one["score"] is not None
    assert one["application"]["status_label"] == "已申请"
    zh_lines = " ".join(one["explanation"])
    assert "排名" in zh_lines and "权重" in zh_lines and not re.search(r"\d\.\d{4}", zh_lines)
    english = client.get(f"/api/v1/enterprise/vacancies/{vacancy_id}/applications",
                         headers={"Authorization": f"Bearer {world.party(Role.ENTERPRISE).token}",
                                  "Accept-Language": "en"}).json["items"][0]
    assert english["application"]["status_label"] == "Applied"
    assert any("× weight" in line for line in english["explanation"])
    assert not re.search(r"[\u4e00-\u9fff]", " ".join(
        line for line in english["explanation"] if "Has:" not in line))  # skills are data
    assert ent("POST", f"/enterprise/applications/{app_id}/status",
               {"status": "interview"}).status_code == 422
    for body in ({"status": "shortlisted"},
                 {"status": "interview", "interview_at": "2030-01-02T09:00:00+08:00",
                  "interview_location": "https://meet.example/1"},
                 {"status": "offered", "note": "月薪 6000"}):
        resp = ent("POST", f"/enterprise/applications/{app_id}/status", body)
        assert resp.status_code == 200 and resp.json["status"] == body["status"], resp.json
    back = ent("POST", f"/enterprise/applications/{app_id}/status", {"status": "shortlisted"})
    assert back.status_code == 409 and back.json["error"]["code"] == "invalid_transition"
    no_months = ent("POST", f"/enterprise/applications/{app_id}/hire",
                    {"hired_on": "2030-01-10"})
    assert no_months.status_code == 422 and "contract_months" in str(no_months.json)
    hired = ent("POST", f"/enterprise/applications/{app_id}/hire",
                {"hired_on": "2030-01-10", "contract_months": 12,
                 "contract_reference": "EC-2030-1"})
    assert hired.status_code == 201, hired.json
    placement = hired.json
    assert set(placement) >= {"id", "seeker_id", "vacancy_id", "agency_id"}
    assert seeker("GET", "/me/applications").json["items"][0]["status"] == "hired"
    inbox = seeker("GET", "/notifications").json
    assert inbox["items"][0]["kind"] == "application.hired"
    assert {n["kind"] for n in inbox["items"]} >= {"application.shortlisted",
                                                   "application.interview"}
    assert seeker("POST", f"/me/applications/{app_id}/withdraw").status_code == 409

    url = f"/admin/placements/{placement['id']}/social-insurance"
    assert admin("POST", url, {"months": -1}).status_code == 422
    ok = admin("POST", url, {"months": 6})
    assert ok.status_code == 200 and ok.json["social_insurance_months"] == 6
    reopened = ent("POST", f"/enterprise/vacancies/{vacancy_id}/reopen")
    assert reopened.status_code == 200 and reopened.json["status"] == "open"


def test_withdraw_and_invite(world_app: tuple[Flask, World]) -> None:
    app, world = world_app
    client = app.test_client()
    seeker, ent = _as(client, world, Role.SEEKER), _as(client, world, Role.ENTERPRISE)
    vacancy_id = world.party(Role.ENTERPRISE).owned["vacancy_id"]
    app_id = seeker("POST", "/me/applications", {"vacancy_id": vacancy_id}).json["id"]
    resp = seeker("POST", f"/me/applications/{app_id}/withdraw")
    assert resp.status_code == 200 and resp.json["status"] == "withdrawn"
    assert ent("GET", "/notifications").json["items"][0]["kind"] == "application.withdrawn"
    seeker_id = world.party(Role.SEEKER).owned["seeker_id"]
    assert ent("POST", f"/enterprise/vacancies/{vacancy_id}/invite",
               {"seeker_id": seeker_id}).status_code == 200
    assert seeker("GET", "/notifications").json["items"][0]["kind"] == "application.invited"
    assert seeker("POST", "/notifications/read").json["marked"] >= 1
