"""Accounts for every role: enterprises and agencies register, the bureau approves them before
they act (one check for every enterprise/agency action), seeker sign-up with categories and a
district, and the login's safe return to the page the person wanted."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import re
from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
from builders.subsidy import committing
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

import matcher
from matcher.accounts import actions as accounts
from matcher.accounts.users import create_user, issue_token
from matcher.action import REGISTRY
from matcher.config import Settings
from matcher.enums import Role
from matcher.errors import Refused
from matcher.matching import constraints
from matcher.matching.profiles import PersonProfile, VacancyProfile
from matcher.models import Enterprise, HRAgency, JobSeeker, User
from matcher.principal import Principal
from matcher.runtime import Runtime
from matcher.skills import get_skill_matcher
from matcher.validators import make_credit_code
from web import create_app
from web.auth.next_url import same_site

for _info in pkgutil.walk_packages(matcher.__path__, "matcher."):
    if _info.name.rsplit(".", 1)[-1] in ("actions", "queries"):
        importlib.import_module(_info.name)

GOOD_CODE = make_credit_code("110105", 424242)
PASSWORD = "pass-word-2026"


@pytest.fixture
def app(settings: Settings) -> Iterator[Flask]:
    application = create_app(settings)
    application.config.update(TESTING=True)
    yield application
    application.extensions["matcher"].dispose()


def _rt(app: Flask) -> Runtime:
    rt = app.extensions["matcher"]
    assert isinstance(rt, Runtime)
    return rt


def _count(app: Flask, model: Any) -> int:
    with _rt(app).uow() as uow:
        return int(uow.s.scalar(select(func.count()).select_from(model)) or 0)


def _post(client: FlaskClient, url: str, data: dict[str, Any] | None = None) -> Any:
    """A form POST with the session's CSRF token (read from the login page)."""
    page = client.get("/auth/login").get_data(as_text=True)
    found = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert found is not None
    return client.post(url, data={**(data or {}), "csrf_token": found.group(1)})


def _token(client: FlaskClient, email: str) -> dict[str, str]:
    resp = client.post("/api/v1/auth/token", json={"email": email, "password": PASSWORD})
    assert resp.status_code == 201, resp.json
    return {"Authorization": f"Bearer {resp.get_json()['token']}"}


def _admin(app: Flask) -> dict[str, str]:
    with committing(_rt(app)) as uow:
        user = create_user(uow, email="officer@bureau.test", password=PASSWORD, role=Role.ADMIN)
        token = issue_token(uow, user.id, actor="test")
    return {"Authorization": f"Bearer {token}"}


def _register_enterprise(client: FlaskClient, **over: Any) -> Any:
    body = {"email": "hr@new.test", "password": PASSWORD, "name": "新注册企业有限公司",
            "credit_code": GOOD_CODE, "district": "朝阳区", **over}
    return client.post("/api/v1/auth/register/enterprise", json=body)


# -- the gate: one check for every enterprise and agency action --------------------------------

@pytest.mark.parametrize("declared", sorted(REGISTRY.values(), key=lambda d: d.name),
                         ids=lambda d: d.name)
def test_every_enterprise_and_agency_action_refuses_an_unapproved_account(declared: Any) -> None:
    links = {Role.ENTERPRISE: {"enterprise_id": 1}, Role.AGENCY: {"agency_id": 1}}
    params = list(inspect.signature(inspect.unwrap(declared.fn)).parameters.values())[2:]
    dummies = [None for p in params if p.default is p.empty]
    for role in (r for r in declared.roles if r in links):
        pending = Principal(user_id=9, email="x@example.org", role=role, approved=False,
                            **links[role])
        if declared.any_account:
            continue
        with pytest.raises(Refused) as err:
            declared.fn(None, pending, *dummies)
        assert err.value.code == "account_pending"


def test_logging_out_works_while_pending() -> None:
    assert REGISTRY[f"{accounts.log_out.__module__}.log_out"].any_account


# -- enterprises ----------------------------------------------------------------------------------

def test_enterprise_registers_waits_for_approval_then_acts(app: Flask) -> None:
    client = app.test_client()
    before = _count(app, Enterprise)
    bad = _register_enterprise(client, credit_code=GOOD_CODE[:-1] + ("0" if GOOD_CODE[-1] != "0"
                                                                       else "1"))
    assert bad.status_code == 422
    assert "credit_code" in bad.get_json()["error"]["fields"]
    assert _count(app, Enterprise) == before and _count(app, User) == 0

    made = _register_enterprise(client)
    assert made.status_code == 201, made.json
    assert made.get_json()["approval_status"] == "pending"
    assert _register_enterprise(client, email="other@new.test").status_code == 409
    ent_id = made.get_json()["user"]["enterprise_id"]
    hr = _token(client, "hr@new.test")

    post = {"external_id": "new-1", "title": "仓库拣货员", "district": "朝阳区"}
    refused = client.post("/api/v1/enterprise/vacancies", json=post, headers=hr)
    assert refused.status_code == 422
    assert refused.get_json()["error"]["code"] == "account_pending"
    assert client.get("/api/v1/enterprise/vacancies", headers=hr).status_code == 422

    admin = _admin(app)
    pending = client.get("/api/v1/admin/enterprises", headers=admin).get_json()["items"]
    assert [o["id"] for o in pending] == [ent_id]
    assert client.post(f"/api/v1/admin/enterprises/{ent_id}/reject", json={},
                       headers=admin).status_code == 422  # a reason is required
    approved = client.post(f"/api/v1/admin/enterprises/{ent_id}/approve", headers=admin)
    assert approved.status_code == 200 and approved.get_json()["approval_status"] == "approved"
    assert client.post("/api/v1/enterprise/vacancies", json=post, headers=hr).status_code == 201
    assert client.get("/api/v1/admin/enterprises", headers=admin).get_json()["items"] == []


def test_agency_needs_a_licence_and_approval(app: Flask) -> None:
    client = app.test_client()
    body = {"email": "staff@agency.test", "password": PASSWORD, "name": "新人力资源服务公司"}
    missing = client.post("/api/v1/auth/register/agency", json=body)
    assert missing.status_code == 422 and "license_no" in missing.get_json()["error"]["fields"]
    assert _count(app, HRAgency) == 0
    made = client.post("/api/v1/auth/register/agency", json={**body, "license_no": "京人服证123"})
    assert made.status_code == 201, made.json
    agency_id = made.get_json()["user"]["agency_id"]
    staff = _token(client, "staff@agency.test")
    resp = client.get("/api/v1/agency/seekers", headers=staff)
    assert resp.status_code == 422 and resp.get_json()["error"]["code"] == "account_pending"
    rec = client.post("/api/v1/agency/recommendations", json={"seeker_id": 1, "vacancy_id": 1},
                      headers=staff)
    assert rec.get_json()["error"]["code"] == "account_pending"
    admin = _admin(app)
    rejected = client.post(f"/api/v1/admin/agencies/{agency_id}/reject",
                           json={"reason": "licence not found"}, headers=admin)
    assert rejected.get_json()["approval_status"] == "rejected"
    assert client.get("/api/v1/agency/seekers", headers=staff).status_code == 422
    client.post(f"/api/v1/admin/agencies/{agency_id}/approve", headers=admin)
    assert client.get("/api/v1/agency/seekers", headers=staff).status_code == 200


def test_registration_and_approval_pages(app: Flask) -> None:
    client = app.test_client()
    assert "credit_code" in client.get("/auth/register/enterprise").get_data(as_text=True)
    bad = _post(client, "/auth/register/enterprise", {
        "email": "web@new.test", "password": PASSWORD, "name": "网页注册企业",
        "credit_code": "91110000XXXXXXXXXX"})
    assert bad.status_code == 422 and _count(app, Enterprise) == 0
    assert 'name="size_class"' in client.get("/auth/register/enterprise").get_data(as_text=True)
    ok = _post(client, "/auth/register/enterprise", {
        "email": "web@new.test", "password": PASSWORD, "name": "网页注册企业",
        "credit_code": GOOD_CODE, "size_class": "small", "is_leading_industrial": "1"})
    assert ok.status_code == 302
    with _rt(app).uow() as uow:  # the subsidy rules read both (issue 19)
        made = uow.s.scalars(select(Enterprise).where(Enterprise.name == "网页注册企业")).one()
        assert (made.size_class, made.is_leading_industrial) == ("small", True)
    page = client.get("/enterprise/")
    assert page.status_code == 422  # logged in, but every enterprise page waits for approval
    _post(client, "/auth/logout")
    _admin(app)
    _post(client, "/auth/login", {"email": "officer@bureau.test", "password": PASSWORD})
    desk = client.get("/admin/accounts").get_data(as_text=True)
    assert "网页注册企业" in desk
    with _rt(app).uow() as uow:
        ent_id = uow.s.scalar(select(Enterprise.id).where(Enterprise.name == "网页注册企业"))
    assert _post(client, f"/admin/accounts/enterprise/{ent_id}/approve").status_code == 302
    with _rt(app).uow() as uow:
        assert uow.s.get(Enterprise, ent_id).approval_status == "approved"  # type: ignore[union-attr]


# -- seekers --------------------------------------------------------------------------------------

def _signup(client: FlaskClient, **over: Any) -> Any:
    data = {"email": "jobs@new.test", "password": PASSWORD, "name": "李四",
            "desired_positions": "叉车司机", "skills": "叉车", "district": "朝阳区",
            "travel_km": "10", "consent_matching": "1", "consent_share_with_agencies": "1",
            "categories": ["registered_unemployed"], **over}
    return _post(client, "/seeker/signup", data)


def test_seeker_signup_asks_categories_and_district(app: Flask) -> None:
    client = app.test_client()
    form = client.get("/seeker/signup").get_data(as_text=True)
    assert 'name="categories"' in form and "registered_unemployed" in form
    assert _signup(client, district="").status_code == 422
    assert _signup(client, categories=["astronaut"]).status_code == 422
    assert _count(app, JobSeeker) == 0
    resp = _signup(client, next="/vacancies/1")
    assert resp.status_code == 302 and resp.headers["Location"].endswith("/vacancies/1")
    with _rt(app).uow() as uow:
        seeker = uow.s.scalars(select(JobSeeker)).one()
        assert seeker.categories == ["registered_unemployed"]
        assert (seeker.district, seeker.travel_km) == ("朝阳区", 10.0)


# -- login returns where the person wanted, on this site only -------------------------------------

@pytest.mark.parametrize("target,expected", [
    ("/agency/seekers?q=叉车", "/agency/seekers?q=叉车"), ("/", "/"), ("//evil.example/x", None),
    ("https://evil.example/", None), ("/\\evil.example", None), ("javascript:alert(1)", None),
    ("", None), (None, None), ("/ok\nSet-Cookie: x", None)])
def test_same_site_paths_only(target: str | None, expected: str | None) -> None:
    assert same_site(target) == expected


def test_login_returns_to_the_wanted_page(app: Flask) -> None:
    client = app.test_client()
    sent = client.get("/seeker/")
    assert sent.status_code == 302 and re.search(r"/auth/login\?next=(%2F|/)seeker(%2F|/)",
                                                  sent.headers["Location"])
    with committing(_rt(app)) as uow:
        create_user(uow, email="officer@bureau.test", password=PASSWORD, role=Role.ADMIN)
    assert 'name="next" value="/admin/tiers"' in client.get(
        "/auth/login?next=/admin/tiers").get_data(as_text=True)
    creds = {"email": "officer@bureau.test", "password": PASSWORD}
    ok = _post(client, "/auth/login", {**creds, "next": "/admin/tiers"})
    assert ok.headers["Location"].endswith("/admin/tiers")
    _post(client, "/auth/logout")
    evil = _post(client, "/auth/login", {**creds, "next": "https://evil.example/"})
    assert evil.status_code == 302 and "evil" not in evil.headers["Location"]


# -- a radius given with a district alone applies on the district-centre estimate ---------------

def test_radius_with_a_district_alone_is_estimated_and_said_so() -> None:
    person = PersonProfile(kind="seeker", id=1, external_id="p", district="朝阳区", travel_km=5)
    near = VacancyProfile(id=1, external_id="v1", title="t", district="朝阳区")
    far = VacancyProfile(id=2, external_id="v2", title="t", district="延庆区")
    skills, today = get_skill_matcher(), date(2030, 1, 1)
    assert constraints.check(person, near, today=today, skills=skills) == []
    [too_far] = constraints.check(person, far, today=today, skills=skills)
    assert too_far.code == "too_far" and too_far.detail["approximate"] is True
    assert "district centre" in too_far.message
