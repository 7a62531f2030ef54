"""Issue 17 item 9: named, revocable API tokens per user (several at once, each revoked alone),
the CLI's token surviving later API issuance, and the migration that moves old tokens."""

from __future__ import annotations

import re

from builders.accounts import PASSWORD, World
from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import create_engine, text

from matcher import migrate
from matcher.accounts import tokens
from matcher.accounts.users import issue_named_token
from matcher.cli.users_cmds import users as users_cli
from matcher.enums import Role

CLAIMS = "/api/v1/agency/claims"


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _issue(client: FlaskClient, email: str, name: str | None = None) -> dict:
    body = {"email": email, "password": PASSWORD, **({"name": name} if name else {})}
    resp = client.post("/api/v1/auth/token", json=body)
    assert resp.status_code == 201, resp.json
    return resp.get_json()


def test_two_tokens_both_work_and_revoking_one_leaves_the_other(
        world_app: tuple[Flask, World]) -> None:
    app, world = world_app
    client = app.test_client()
    agency = world.party(Role.AGENCY)
    payroll = _issue(client, agency.email, "payroll sync")
    crm = _issue(client, agency.email, "crm")
    assert payroll["name"] == "payroll sync" and payroll["id"] != crm["id"]
    for token in (agency.token, payroll["token"], crm["token"]):  # nothing was replaced
        assert client.get(CLAIMS, headers=_bearer(token)).status_code == 200
    listed = client.get("/api/v1/auth/tokens", headers=_bearer(crm["token"])).get_json()
    assert [t["name"] for t in listed["items"]] == ["crm", "payroll sync", "world"]
    assert listed["page"]["total"] == 3
    assert "token" not in str(listed["items"][0].keys()) and crm["token"] not in str(listed)
    assert listed["items"][0]["last_used_at"] is not None  # crm was just used
    gone = client.delete(f"/api/v1/auth/tokens/{payroll['id']}", headers=_bearer(crm["token"]))
    assert gone.status_code == 200 and gone.get_json()["revoked_at"] is not None
    assert client.get(CLAIMS, headers=_bearer(payroll["token"])).status_code == 401
    assert client.get(CLAIMS, headers=_bearer(crm["token"])).status_code == 200
    again = client.delete(f"/api/v1/auth/tokens/{payroll['id']}", headers=_bearer(crm["token"]))
    assert again.status_code == 404
    names = [t["name"] for t in client.get("/api/v1/auth/tokens", headers=_bearer(
        crm["token"])).get_json()["items"]]
    assert names == ["crm", "world"]


def test_another_users_token_is_404_and_logout_revokes_only_its_token(
        world_app: tuple[Flask, World]) -> None:
    app, world = world_app
    client = app.test_client()
    mine, other = world.party(Role.SEEKER, 0), world.party(Role.SEEKER, 1)
    second = _issue(client, mine.email, "phone")
    theirs = client.delete(f"/api/v1/auth/tokens/{other.owned['token_id']}",
                           headers=_bearer(mine.token))
    assert theirs.status_code == 404 and theirs.get_json()["error"]["code"] == "not_found"
    assert client.get("/api/v1/me/profile", headers=_bearer(other.token)).status_code == 200
    assert client.post("/api/v1/auth/logout", headers=_bearer(second["token"])).status_code == 200
    assert client.get("/api/v1/me/profile", headers=_bearer(second["token"])).status_code == 401
    assert client.get("/api/v1/me/profile", headers=_bearer(mine.token)).status_code == 200
    assert client.get("/api/v1/auth/tokens").status_code == 401  # anonymous


def test_cli_token_survives_later_api_issuance(world_app: tuple[Flask, World]) -> None:
    app, world = world_app
    rt = app.extensions["matcher"]
    env = {"WORKBRIDGE_DATABASE_URL": rt.settings.database_url,
           "WORKBRIDGE_SECRET_KEY": "test-secret"}
    done = CliRunner().invoke(users_cli, ["create", "--email", "ops@bureau.test", "--role",
                                          "admin", "--password", PASSWORD, "--token"], env=env)
    assert done.exit_code == 0, done.output
    cli_token = done.output.rsplit("API token (shown once): ", 1)[1].strip()
    client = app.test_client()
    for _ in range(2):
        _issue(client, "ops@bureau.test")
    resp = client.get("/api/v1/auth/tokens", headers=_bearer(cli_token))
    assert resp.status_code == 200
    assert sorted(t["name"] for t in resp.get_json()["items"]) == ["cli", "default", "default"]


def test_live_tokens_are_capped_by_revoking_the_least_recently_used(
        world_app: tuple[Flask, World]) -> None:
    app, world = world_app
    rt = app.extensions["matcher"]
    admin = world.party(Role.ADMIN)
    with rt.uow() as uow:
        for _ in range(tokens.MAX_LIVE):
            issue_named_token(uow, admin.user_id, actor="test")
        assert len(tokens.listing(uow, admin.user_id)) == tokens.MAX_LIVE
        assert tokens.resolve(uow, admin.token) is None  # the oldest, never used here
        uow.commit()


def test_migration_moves_the_old_single_token_into_api_tokens(db_url: str) -> None:
    digest = tokens.digest("old-token")
    migrate.downgrade(db_url, "0005")
    engine = create_engine(db_url)
    try:
        with engine.begin() as conn:
            conn.execute(text(
                "INSERT INTO users (email, password_hash, role, is_active, session_version,"
                " api_token_hash, created_at, updated_at) VALUES ('a@x.test', 'h', 'admin',"
                f" true, 1, '{digest}', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"))
            conn.execute(text(  # a user with notifications: users must not be rebuilt
                "INSERT INTO notifications (user_id, kind, title, body, entity, entity_id,"
                " created_at) VALUES (1, 'k', 't', 'b', 'e', '1', CURRENT_TIMESTAMP)"))
        migrate.upgrade(db_url)
        with engine.connect() as conn:
            rows = conn.execute(text("SELECT name, token_hash, revoked_at FROM api_tokens")).all()
        assert [tuple(r) for r in rows] == [("default", digest, None)]
        with engine.connect() as conn:
            assert conn.execute(text("SELECT api_token_hash FROM users")).scalar() is None
        migrate.downgrade(db_url, "0005")
        with engine.connect() as conn:
            back = conn.execute(text("SELECT api_token_hash FROM users")).scalar()
        assert back == digest
        migrate.upgrade(db_url)
    finally:
        engine.dispose()


def test_tokens_page_lists_and_revokes_own_tokens(world_app: tuple[Flask, World]) -> None:
    app, world = world_app
    client = app.test_client()
    assert client.get("/auth/tokens").status_code == 302  # anonymous: to the login page
    seeker = world.party(Role.SEEKER)
    other = world.party(Role.SEEKER, 1)
    phone = _issue(client, seeker.email, "phone app")
    html = client.get("/auth/login").get_data(as_text=True)
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert csrf
    done = client.post("/auth/login", data={"email": seeker.email, "password": PASSWORD,
                                            "csrf_token": csrf.group(1)})
    assert done.status_code == 302
    page = client.get("/auth/tokens").get_data(as_text=True)
    assert "<td>phone app</td>" in page and "<td>world</td>" in page
    assert phone["token"] not in page
    form = {"csrf_token": csrf.group(1)}
    theirs = client.post(f"/auth/tokens/{other.owned['token_id']}/revoke", data=form)
    assert theirs.status_code == 404
    gone = client.post(f"/auth/tokens/{phone['id']}/revoke", data=form)
    assert gone.status_code == 302
    after = client.get("/auth/tokens").get_data(as_text=True)
    assert "<td>phone app</td>" not in after and "<td>world</td>" in after
    assert client.get("/api/v1/me/profile", headers=_bearer(phone["token"])).status_code == 401
    assert client.get("/api/v1/me/profile", headers=_bearer(other.token)).status_code == 200
