"""Sessions, tokens, CSRF, logout replay and login rate limiting."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from builders.accounts import PASSWORD, World, build_world
from flask import Flask
from flask.testing import FlaskClient

from matcher.accounts.users import authenticate, create_user
from matcher.config import Settings
from matcher.enums import Role
from matcher.errors import Conflict, ValidationFailed
from web import create_app


@pytest.fixture
def world_app(settings: Settings) -> Iterator[tuple[Flask, World]]:
    app = create_app(settings)
    app.config.update(TESTING=True, WORKBRIDGE_LOGIN_LIMIT="3 per minute")
    yield app, build_world(app.extensions["matcher"])
    app.extensions["matcher"].dispose()


def _csrf(client: FlaskClient) -> str:
    html = client.get("/auth/login").get_data(as_text=True)
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match
    return match.group(1)


def _login(client: FlaskClient, email: str, password: str = PASSWORD) -> int:
    token = _csrf(client)
    return client.post("/auth/login", data={"email": email, "password": password,
                                            "csrf_token": token}).status_code


def test_password_is_hashed_and_users_validated(settings: Settings) -> None:
    app = create_app(settings)
    rt = app.extensions["matcher"]
    with rt.uow() as uow:
        create_user(uow, email="Admin@Example.test", password="s3cret!horse", role=Role.ADMIN)
        from matcher.models import User
        stored = uow.s.query(User).one()
        assert "s3cret" not in stored.password_hash and stored.email == "admin@example.test"
        assert authenticate(uow, "admin@example.test", "s3cret!horse") is not None
        assert authenticate(uow, "admin@example.test", "wrong") is None
        with pytest.raises(Conflict):
            create_user(uow, email="admin@example.test", password="xxxxx-long", role=Role.ADMIN)
        with pytest.raises(ValidationFailed) as err:
            create_user(uow, email="e@x.test", password="xxxxx-long", role=Role.ENTERPRISE)
        assert "enterprise_id" in err.value.fields
    rt.dispose()


def test_session_login_then_logout_rejects_replayed_cookie(world_app: tuple[Flask, World]) -> None:
    app, world = world_app
    client = app.test_client()
    seeker = world.party(Role.SEEKER)
    assert _login(client, seeker.email) == 302
    assert client.get("/api/v1/me/profile").status_code == 200
    cookie = client.get_cookie("session")
    assert cookie is not None
    stolen = cookie.value
    me = client.get("/api/v1/auth/me").get_json()
    resp = client.post("/api/v1/auth/logout", headers={"X-CSRFToken": me["csrf_token"]})
    assert resp.status_code == 200
    replay = app.test_client()
    replay.set_cookie("session", stolen)
    resp = replay.get("/api/v1/me/profile")
    assert resp.status_code == 401
    assert resp.get_json()["error"]["code"] == "unauthorized"


def test_cookie_write_without_csrf_token_is_rejected(world_app: tuple[Flask, World]) -> None:
    app, world = world_app
    client = app.test_client()
    assert _login(client, world.party(Role.SEEKER).email) == 302
    resp = client.post("/api/v1/me/consent/withdraw")
    assert resp.status_code == 400
    err = resp.get_json()["error"]
    assert err["code"] == "bad_request" and "CSRF" in err["message"]
    token = client.get("/api/v1/auth/me").get_json()["csrf_token"]
    ok = client.post("/api/v1/me/consent/withdraw", headers={"X-CSRFToken": token})
    assert ok.status_code == 200 and ok.get_json()["consent_matching"] is False


def test_bearer_token_needs_no_csrf_and_bad_token_is_401(world_app: tuple[Flask, World]) -> None:
    app, world = world_app
    client = app.test_client()
    good = {"Authorization": f"Bearer {world.party(Role.SEEKER).token}"}
    assert client.post("/api/v1/me/consent/withdraw", headers=good).status_code == 200
    bad = client.get("/api/v1/me/profile", headers={"Authorization": "Bearer nope"})
    assert bad.status_code == 401 and bad.get_json()["error"]["code"] == "unauthorized"


def test_token_exchange_and_logout_revokes_that_token(world_app: tuple[Flask, World]) -> None:
    app, world = world_app
    client = app.test_client()
    agency = world.party(Role.AGENCY)
    resp = client.post("/api/v1/auth/token", json={"email": agency.email, "password": PASSWORD})
    assert resp.status_code == 201
    token = resp.get_json()["token"]
    headers = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/v1/agency/claims", headers=headers).status_code == 200
    old = {"Authorization": f"Bearer {agency.token}"}  # issue 17: tokens are not replaced
    assert client.get("/api/v1/agency/claims", headers=old).status_code == 200
    assert client.post("/api/v1/auth/logout", headers=headers).status_code == 200
    assert client.get("/api/v1/agency/claims", headers=headers).status_code == 401
    assert client.get("/api/v1/agency/claims", headers=old).status_code == 200


def test_login_is_rate_limited_with_json_error(world_app: tuple[Flask, World]) -> None:
    app, world = world_app
    client = app.test_client()
    email = world.party(Role.ADMIN).email
    codes = [client.post("/api/v1/auth/token", json={"email": email, "password": "bad"})
             .status_code for _ in range(3)]
    assert codes == [401, 401, 401]
    resp = client.post("/api/v1/auth/token", json={"email": email, "password": PASSWORD})
    assert resp.status_code == 429
    assert resp.get_json()["error"]["code"] == "too_many_requests"
    # issue 17: one limit per address for every login endpoint (failed checks only)
    assert _login(client, email, "bad") == 429


def test_cookie_flags(settings: Settings) -> None:
    app = create_app(settings)
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"
    assert app.config["SESSION_COOKIE_SECURE"] is False
    secure = create_app({"WORKBRIDGE_COOKIE_SECURE": True, "database_url": settings.database_url,
                         "encoder": "fake"})
    assert secure.config["SESSION_COOKIE_SECURE"] is True
