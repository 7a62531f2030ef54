"""Issue 17 item 3: the password policy (length 10, common passwords, the email's name) on
every path that sets a password: seeker sign-up page, organisation registration page and API,
``workbridge users create``; the demo seed alone keeps its documented ``demo`` password."""

from __future__ import annotations

import pytest
from builders.forms import post_form
from click.testing import CliRunner
from flask import Flask
from sqlalchemy import func, select

from matcher.accounts import passwords
from matcher.accounts.users import authenticate, create_user, set_password
from matcher.cli.users_cmds import users as users_cli
from matcher.demo.users import create_demo_users
from matcher.enums import Role
from matcher.errors import ValidationFailed
from matcher.models import User
from matcher.runtime import Runtime
from matcher.validators import make_credit_code

WEAK = ["1234", "12345678", "password", "demo"]  # the probe's sign-ups
STRONG = "harbour-lantern-42"


@pytest.fixture
def app(signup_app: Flask) -> Flask:
    return signup_app


_post = post_form


def _users(app: Flask) -> int:
    with app.extensions["matcher"].uow() as uow:
        return int(uow.s.scalar(select(func.count()).select_from(User)) or 0)


def test_policy_rules() -> None:
    assert len(passwords.common_passwords()) >= 10_000
    for weak in [*WEAK, "1234567890", "Qwertyuiop", " password123 ", "woaini1314"]:
        assert passwords.problems(weak), weak
    assert passwords.problems("wang.li-2026!", "Wang.Li@example.cn")  # the email's name
    assert passwords.problems("x" * 201)
    assert passwords.problems("nine-char") == [
        "A password needs at least 10 characters."]
    assert passwords.problems(STRONG, "wang.li@example.cn") == []
    assert passwords.problems("ab-harbour-42", "ab@example.cn") == []  # 2-letter names ignored


def test_service_refuses_weak_passwords_and_demo_seed_is_trusted(rt: Runtime) -> None:
    with rt.uow() as uow:
        for weak in WEAK:
            with pytest.raises(ValidationFailed) as err:
                create_user(uow, email="a@example.test", password=weak, role=Role.ADMIN)
            assert "password" in err.value.fields
        user = create_user(uow, email="a@example.test", password=STRONG, role=Role.ADMIN)
        with pytest.raises(ValidationFailed):
            set_password(uow, user.id, "password", actor="test")
        made = create_demo_users(uow, "demo")  # the documented demo logins keep `demo`
        assert {u.email.split("@")[0] for u in made} >= {"admin", "pending-enterprise",
                                                         "unemployed"}
        assert all(authenticate(uow, u.email, "demo") is not None for u in made)


@pytest.mark.parametrize("weak", WEAK)
def test_registration_api_refuses_weak_passwords(app: Flask, weak: str) -> None:
    client = app.test_client()
    body = {"email": "hr@new.test", "password": weak, "name": "新注册企业有限公司",
            "credit_code": make_credit_code("110105", 424242)}
    resp = client.post("/api/v1/auth/register/enterprise", json=body)
    assert resp.status_code == 422, resp.json
    err = resp.get_json()["error"]
    assert err["code"] == "validation_failed" and "password" in err["fields"]
    agency = {**body, "license_no": "HR-2026-001", "credit_code": None}
    assert client.post("/api/v1/auth/register/agency", json=agency).status_code == 422
    assert _users(app) == 0
    ok = client.post("/api/v1/auth/register/enterprise", json={**body, "password": STRONG})
    assert ok.status_code == 201


@pytest.mark.parametrize("weak", WEAK)
def test_signup_and_registration_pages_refuse_weak_passwords(app: Flask, weak: str) -> None:
    client = app.test_client()
    seeker = {"email": "jobs@new.test", "password": weak, "name": "李四",
              "desired_positions": "叉车司机", "skills": "叉车", "district": "朝阳区",
              "travel_km": "10", "consent_matching": "1"}
    resp = _post(client, "/seeker/signup", seeker)
    assert resp.status_code == 422
    assert "密码至少需要 10 个字符" in resp.get_data(as_text=True)
    org = {"email": "web@new.test", "password": weak, "name": "网页注册企业",
           "credit_code": make_credit_code("110105", 424243)}
    resp = _post(client, "/auth/register/enterprise", org)
    assert resp.status_code == 422
    assert "密码至少需要 10 个字符" in resp.get_data(as_text=True)
    assert _users(app) == 0
    assert _post(client, "/seeker/signup", {**seeker, "password": STRONG}).status_code == 302


def test_cli_users_create_refuses_weak_passwords(rt: Runtime) -> None:
    env = {"WORKBRIDGE_DATABASE_URL": rt.settings.database_url,
           "WORKBRIDGE_SECRET_KEY": "test-secret"}
    runner = CliRunner()
    base = ["create", "--email", "ops@example.test", "--role", "admin"]
    for weak in ["pw12", *WEAK]:  # the old 4-character minimum is gone
        done = runner.invoke(users_cli, [*base, "--password", weak], env=env)
        assert done.exit_code == 1 and "password" in done.output, done.output
    done = runner.invoke(users_cli, [*base, "--password", STRONG], env=env)
    assert done.exit_code == 0, done.output
