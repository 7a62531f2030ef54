"""Authorization matrix, generated from the URL map: no object endpoint can escape it.

Every /api/v1 endpoint with an object id in its URL must be listed in OWNED. Each is called
by the other user of the owner's role (must answer 403 or 404) and by every other role
(must answer 403); the owner's GET calls answer 200, so a 404 is not just a bad id.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from builders.accounts import World, build_world
from builders.applications import with_applications
from builders.claimants import with_claimant_claims
from flask import Flask
from flask.testing import FlaskClient

from matcher.config import Settings
from matcher.enums import Role
from web import create_app

# endpoint -> (owner role, key of the owned id per URL argument)
OWNED: dict[str, tuple[Role, dict[str, str]]] = {
    "enterprise.get_own_vacancy": (Role.ENTERPRISE, {"vacancy_id": "vacancy_id"}),
    "enterprise.patch_vacancy": (Role.ENTERPRISE, {"vacancy_id": "vacancy_id"}),
    "enterprise.close_vacancy": (Role.ENTERPRISE, {"vacancy_id": "vacancy_id"}),
    "enterprise.candidates": (Role.ENTERPRISE, {"vacancy_id": "vacancy_id"}),
    "enterprise.staff_consent": (Role.ENTERPRISE, {"employee_id": "employee_id"}),
    "enterprise.close_request": (Role.ENTERPRISE, {"request_id": "request_id"}),
    "enterprise.get_agreement": (Role.ENTERPRISE, {"agreement_id": "agreement_id"}),
    "enterprise.accept_agreement": (Role.ENTERPRISE, {"agreement_id": "agreement_id"}),
    "enterprise.sign_agreement": (Role.ENTERPRISE, {"agreement_id": "agreement_id"}),
    "lending_api.request_matches": (Role.ENTERPRISE, {"request_id": "request_id"}),
    "lending_api.activate_agreement": (Role.ENTERPRISE, {"agreement_id": "agreement_id"}),
    "lending_api.return_agreement": (Role.ENTERPRISE, {"agreement_id": "agreement_id"}),
    "lending_api.terminate_agreement": (Role.ENTERPRISE, {"agreement_id": "agreement_id"}),
    "lending_api.edit_staff": (Role.ENTERPRISE, {"employee_id": "employee_id"}),
    "lending_api.remove_staff": (Role.ENTERPRISE, {"employee_id": "employee_id"}),
    "agency.get_claim": (Role.AGENCY, {"claim_id": "claim_id"}),
    "enterprise_claims.get_claim": (Role.ENTERPRISE, {"claim_id": "claim_id"}),
    "seeker_claims.get_claim": (Role.SEEKER, {"claim_id": "claim_id"}),
    # admin endpoints: every admin may act on every object; other roles get 403
    "admin.get_claim": (Role.ADMIN, {"claim_id": "agency:claim_id"}),
    "admin.approve": (Role.ADMIN, {"claim_id": "agency:claim_id"}),
    "admin.reject": (Role.ADMIN, {"claim_id": "agency:claim_id"}),
    "admin.pay": (Role.ADMIN, {"claim_id": "agency:claim_id"}),
    "admin.put_key_tier": (Role.ADMIN, {"enterprise_id": "enterprise:enterprise_id"}),
    "admin_categories.put_category": (Role.ADMIN,
                                      {"enterprise_id": "enterprise:enterprise_id"}),
    "admin.approve_enterprise": (Role.ADMIN, {"enterprise_id": "enterprise:enterprise_id"}),
    "admin.reject_enterprise": (Role.ADMIN, {"enterprise_id": "enterprise:enterprise_id"}),
    "admin.approve_agency": (Role.ADMIN, {"agency_id": "agency:agency_id"}),
    "admin.reject_agency": (Role.ADMIN, {"agency_id": "agency:agency_id"}),
    "seeker_applications.withdraw": (Role.SEEKER, {"application_id": "application_id"}),
    "auth_api.revoke_token": (Role.SEEKER, {"token_id": "token_id"}),  # any role's own tokens
    "enterprise_applications.vacancy_applications": (Role.ENTERPRISE,
                                                     {"vacancy_id": "vacancy_id"}),
    "enterprise_applications.set_status": (Role.ENTERPRISE,
                                           {"application_id": "application_id"}),
    "enterprise_applications.hire": (Role.ENTERPRISE, {"application_id": "application_id"}),
    "enterprise_applications.reopen": (Role.ENTERPRISE, {"vacancy_id": "vacancy_id"}),
    "enterprise_applications.invite": (Role.ENTERPRISE, {"vacancy_id": "vacancy_id"}),
    "admin_placements.social_insurance": (Role.ADMIN, {"placement_id": "agency:placement_id"}),
    # bureau desks: any admin, any object (the ids only need to build a URL)
    "bureau_api.gap_candidates": (Role.ADMIN, {"gap_id": "enterprise:enterprise_id"}),
    "bureau_api.confirm_dispatch": (Role.ADMIN, {"proposal_id": "enterprise:enterprise_id"}),
    "bureau_api.cohort_manifest": (Role.ADMIN, {"cohort_id": "enterprise:enterprise_id"}),
    # background jobs: any admin, any job (the id only needs to build a URL)
    "admin_jobs.get_job": (Role.ADMIN, {"job_id": "enterprise:enterprise_id"}),
}
PUBLIC = {"vacancies.get_vacancy"}  # readable by anyone, no owner
BODIES: dict[str, dict[str, Any]] = {
    "enterprise.patch_vacancy": {"title": "改名 Renamed"},
    "enterprise.staff_consent": {"consent": False},
    "lending_api.terminate_agreement": {"reason": "停产 closed"},
    "lending_api.edit_staff": {"daily_cost": 100},
    "admin.approve": {"note": "ok"},
    "admin.reject": {"reason": "no"},
    "admin.put_key_tier": {"key_tier": "key"},
    "admin_categories.put_category": {"is_leading_industrial": True},
    "seeker_applications.apply": {"vacancy_id": 1},
    "enterprise_applications.set_status": {"status": "shortlisted"},
    "enterprise_applications.hire": {"hired_on": "2030-01-01", "contract_months": 12},
    "enterprise_applications.invite": {"seeker_id": 1},
    "admin_placements.social_insurance": {"months": 6},
    "admin.reject_enterprise": {"reason": "no"},
    "admin.reject_agency": {"reason": "no"},
    "bureau_api.plan_dispatch": {"date": "2030-01-01"},
    "bureau_api.form_cohorts": {"date": "2030-01-01", "capacity": 10},
    "bureau_api.warning_scan": {"date": "2030-01-01"},
    "agency.submit_claim": {"placement_id": 1, "rule_code": "employment_introduction"},
    "agency.recommend": {"seeker_id": 1, "vacancy_id": 1},
    "enterprise.post_vacancy": {"external_id": "x1", "title": "x"},
    "enterprise.declare_staff": {"external_id": "x2"},
    "enterprise.post_request": {"title": "t", "headcount": 1, "start_date": "2030-01-01",
                                "end_date": "2030-01-02"},
    "seeker.put_profile": {"skills": ["x"]},
}
ROLE_PREFIX = {"/api/v1/enterprise": Role.ENTERPRISE, "/api/v1/agency": Role.AGENCY,
               "/api/v1/admin": Role.ADMIN, "/api/v1/bureau": Role.ADMIN,
               "/api/v1/me": Role.SEEKER}


@pytest.fixture
def world_app(settings: Settings) -> Iterator[tuple[Flask, World]]:
    app = create_app(settings)
    app.config.update(TESTING=True, WORKBRIDGE_CLAIM_LIMIT="1000 per minute")
    rt = app.extensions["matcher"]
    yield app, with_claimant_claims(rt, with_applications(rt, build_world(rt)))
    app.extensions["matcher"].dispose()


def _api_rules(app: Flask) -> list[Any]:
    return [r for r in app.url_map.iter_rules() if r.rule.startswith("/api/v1/")]


def _url(app: Flask, world: World, endpoint: str, owner_index: int = 0) -> str:
    role, args = OWNED[endpoint]
    values = {}
    for arg, key in args.items():
        owner_role, _, name = key.rpartition(":")
        values[arg] = world.party(owner_role or role, owner_index).owned[name]
    return app.url_map.bind("localhost").build(endpoint, values)


def _call(client: FlaskClient, method: str, url: str, token: str, endpoint: str) -> Any:
    headers = {"Authorization": f"Bearer {token}", "Idempotency-Key": "matrix"}
    return client.open(url, method=method, headers=headers, json=BODIES.get(endpoint, {}))


def test_every_object_endpoint_is_in_the_matrix(world_app: tuple[Flask, World]) -> None:
    app, _ = world_app
    with_ids = {r.endpoint for r in _api_rules(app) if r.arguments}
    missing = with_ids - set(OWNED) - PUBLIC
    assert not missing, f"object endpoints without an authorization entry: {sorted(missing)}"
    assert not set(OWNED) - with_ids, "stale matrix entries"


def test_other_owner_gets_404_or_403(world_app: tuple[Flask, World]) -> None:
    app, world = world_app
    client = app.test_client()
    checked = 0
    for rule in _api_rules(app):
        if rule.endpoint not in OWNED or OWNED[rule.endpoint][0] == Role.ADMIN:
            continue
        role = OWNED[rule.endpoint][0]
        url = _url(app, world, rule.endpoint)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            resp = _call(client, method, url, world.party(role, 1).token, rule.endpoint)
            assert resp.status_code in (403, 404), (method, url, resp.status_code, resp.json)
            assert set(resp.get_json()["error"]) >= {"code", "message"}
            if method == "GET":  # control: the owner can read it
                own = _call(client, method, url, world.party(role, 0).token, rule.endpoint)
                assert own.status_code == 200, (url, own.json)
            checked += 1
    assert checked >= 10


def test_wrong_role_gets_403_everywhere(world_app: tuple[Flask, World]) -> None:
    app, world = world_app
    client = app.test_client()
    checked = 0
    for rule in _api_rules(app):
        role = next((r for p, r in ROLE_PREFIX.items()
                     if rule.rule == p or rule.rule.startswith(p + "/")), None)
        if role is None:
            continue
        url = (_url(app, world, rule.endpoint) if rule.arguments
               else app.url_map.bind("localhost").build(rule.endpoint, {}))
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            for other in Role:
                if other == role:
                    continue
                resp = _call(client, method, url, world.party(other, 0).token, rule.endpoint)
                assert resp.status_code == 403, (other, method, url, resp.status_code)
                assert resp.get_json()["error"]["code"] == "wrong_role"
                checked += 1
            anon = client.open(url, method=method, json=BODIES.get(rule.endpoint, {}))
            assert anon.status_code in (400, 401), (method, url, anon.status_code)
    assert checked >= 60


def test_admin_object_endpoints_work_for_any_admin(world_app: tuple[Flask, World]) -> None:
    app, world = world_app
    client = app.test_client()
    url = _url(app, world, "admin.get_claim")
    for i in (0, 1):
        resp = _call(client, "GET", url, world.party(Role.ADMIN, i).token, "admin.get_claim")
        assert resp.status_code == 200 and resp.get_json()["id"] == world.party(
            Role.AGENCY).owned["claim_id"]
