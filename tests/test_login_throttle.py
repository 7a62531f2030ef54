"""Issue 17 item 2: login throttling per account (shared by the login page and the token API,
on the real Redis), exponential back-off, other accounts from the same address unaffected,
successes never counted, and the fallback to per-process memory when Redis is unreachable."""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Iterator

import pytest
import redis
from builders.accounts import PASSWORD, World, build_world
from flask import Flask
from flask.testing import FlaskClient

from matcher.accounts.throttle import MEMORY, Policy, Throttle, TooManyAttempts, resolve_storage
from matcher.config import Settings
from matcher.enums import Role
from web import create_app

REDIS_URL = "redis://127.0.0.1:6379/0"


@pytest.fixture
def world_app(settings: Settings) -> Iterator[tuple[Flask, World]]:
    app = create_app(settings)  # the shipped defaults: Redis storage, 10 per 15 minutes
    app.config.update(TESTING=True)
    assert app.config["RATELIMIT_STORAGE_URI"] == REDIS_URL
    yield app, build_world(app.extensions["matcher"])
    app.extensions["matcher"].dispose()
    client = redis.Redis.from_url(REDIS_URL)  # only this app's keys (prefix: its database)
    for key in client.scan_iter(match=f"*{app.config['WORKBRIDGE_RATELIMIT_PREFIX']}*"):
        client.delete(key)


def _page_login(client: FlaskClient, email: str, password: str) -> tuple[int, str]:
    html = client.get("/auth/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert token
    resp = client.post("/auth/login", data={"email": email, "password": password,
                                            "csrf_token": token.group(1)})
    return resp.status_code, resp.get_data(as_text=True)


def _api_login(client: FlaskClient, email: str, password: str) -> int:
    return client.post("/api/v1/auth/token",
                       json={"email": email, "password": password}).status_code


def test_per_account_limit_spans_both_endpoints(world_app: tuple[Flask, World]) -> None:
    app, world = world_app
    client = app.test_client()
    victim = world.party(Role.ADMIN).email
    codes = []
    for i in range(24):  # alternate endpoints: one budget for both
        if i % 2:
            codes.append(_page_login(client, victim, f"guess-{i}")[0])
        else:
            codes.append(_api_login(client, victim, f"guess-{i}"))
    assert codes == [401] * 10 + [429] * 14
    right = client.post("/api/v1/auth/token", json={"email": victim, "password": PASSWORD})
    assert right.status_code == 429  # the account is locked, even for its owner
    err = right.get_json()["error"]
    assert err["code"] == "too_many_attempts" and "15 分钟" in err["message"]  # zh by default
    assert 840 <= int(right.headers["Retry-After"]) <= 900
    status, html = _page_login(client, victim, PASSWORD)
    assert status == 429 and "登录失败次数过多" in html
    # the address is not locked: every other account from it still logs in, on both endpoints
    other = world.party(Role.ADMIN, 1).email
    assert _api_login(client, other, PASSWORD) == 201
    assert _page_login(app.test_client(), world.party(Role.SEEKER).email, PASSWORD)[0] == 302
    assert _api_login(client, victim.upper() + " ", "x") == 429  # the email is normalised


def test_successes_do_not_count(world_app: tuple[Flask, World]) -> None:
    app, world = world_app
    client = app.test_client()
    email = world.party(Role.AGENCY).email
    assert [_api_login(client, email, "nope") for _ in range(9)] == [401] * 9
    assert [_api_login(client, email, PASSWORD) for _ in range(5)] == [201] * 5
    assert _page_login(client, email, "nope")[0] == 401  # the 10th failure
    assert _api_login(client, email, PASSWORD) == 429


@pytest.mark.parametrize("storage", [MEMORY, REDIS_URL])
def test_lockout_doubles_and_a_success_resets_it(storage: str) -> None:
    now = [1_000_000.0]
    prefix = f"wb:test-throttle-{threading.get_ident()}-{id(now)}"
    throttle = Throttle(storage, prefix, Policy(attempts=3, window=60, max_lockout=200),
                        clock=lambda: now[0])

    def attempt(ok: bool) -> bool | None:
        return throttle.guard("Someone@Example.test", lambda: True if ok else None)

    def locked_for() -> int:
        with pytest.raises(TooManyAttempts) as err:
            attempt(True)
        return err.value.retry_after

    try:
        assert [attempt(False) for _ in range(3)] == [None] * 3
        assert locked_for() == 60  # 1st lockout: the window
        now[0] += 60
        assert [attempt(False) for _ in range(3)] == [None] * 3
        assert locked_for() == 120  # 2nd: doubled
        now[0] += 120
        assert [attempt(False) for _ in range(3)] == [None] * 3
        assert locked_for() == 200  # 3rd: 240, capped by max_lockout
        now[0] += 200
        assert attempt(True) is True  # a success resets the back-off
        assert [attempt(False) for _ in range(3)] == [None] * 3
        assert locked_for() == 60
    finally:
        client = redis.Redis.from_url(REDIS_URL)
        for key in client.scan_iter(match=f"{prefix}*"):
            client.delete(key)


def test_concurrent_guesses_never_exceed_the_limit() -> None:
    """Reservations are atomic on Redis: 40 simultaneous wrong guesses, 10 checked."""
    prefix = f"wb:test-race-{id(object())}"
    throttle = Throttle(REDIS_URL, prefix, Policy(attempts=10, window=900))
    checked, refused = [], []
    start = threading.Barrier(40)

    def guess() -> None:
        start.wait()
        try:
            throttle.guard("target@example.test", lambda: checked.append(1))
        except TooManyAttempts:
            refused.append(1)

    threads = [threading.Thread(target=guess) for _ in range(40)]
    try:
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert len(checked) == 10 and len(refused) == 30
    finally:
        client = redis.Redis.from_url(REDIS_URL)
        for key in client.scan_iter(match=f"{prefix}*"):
            client.delete(key)


def test_unreachable_redis_falls_back_to_memory_with_a_warning(
        caplog: pytest.LogCaptureFixture, settings: Settings) -> None:
    dead = "redis://127.0.0.1:1/0"
    with caplog.at_level(logging.WARNING, logger="matcher.accounts.throttle"):
        assert resolve_storage(dead) == MEMORY
    assert "not reachable" in caplog.text
    app = create_app(settings.override(ratelimit_storage=dead))
    assert app.config["RATELIMIT_STORAGE_URI"] == MEMORY
    app.extensions["matcher"].dispose()
