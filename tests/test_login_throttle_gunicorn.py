"""Issue 17 acceptance: brute force against 2 gunicorn workers with the shipped settings
(Redis storage, 10 failed logins per account per 15 minutes): at most 10 wrong guesses per
account get an answer other than 429, from any mix of endpoints and workers, concurrently;
another account from the same address still logs in."""

from __future__ import annotations

import hashlib
import http.cookiejar
import json
import re
import subprocess
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
import redis
from builders.serving import BIN, demo_env, gunicorn

PASSWORD = "brute-force-test-1"
REDIS_URL = "redis://127.0.0.1:6379/0"  # the shipped default storage


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


class Browser:
    """A client with its own cookie jar; answers carry the status, never raise."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()), _NoRedirect())

    def call(self, path: str, data: bytes | None = None,
             headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], str]:
        """One request: status, headers, body."""
        req = urllib.request.Request(self.base + path, data=data, headers=headers or {})
        try:
            with self.opener.open(req, timeout=30) as resp:
                return resp.status, dict(resp.headers), resp.read().decode()
        except urllib.error.HTTPError as err:
            return err.code, dict(err.headers), err.read().decode()

    def api_login(self, email: str, password: str) -> tuple[int, dict[str, str], str]:
        """POST /api/v1/auth/token."""
        body = json.dumps({"email": email, "password": password}).encode()
        return self.call("/api/v1/auth/token", body, {"Content-Type": "application/json"})

    def page_login(self, email: str, password: str) -> tuple[int, dict[str, str], str]:
        """GET the login form (CSRF token), then POST it."""
        _, _, html = self.call("/auth/login")
        found = re.search(r'name="csrf_token" value="([^"]+)"', html)
        assert found, html[:500]
        form = urllib.parse.urlencode({"email": email, "password": password,
                                       "csrf_token": found.group(1)}).encode()
        return self.call("/auth/login", form,
                         {"Content-Type": "application/x-www-form-urlencoded"})


def _create_user(env: dict[str, str], email: str) -> None:
    done = subprocess.run([str(BIN / "workbridge"), "users", "create", "--email", email,
                           "--role", "admin", "--password", PASSWORD], env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr


@pytest.mark.slow  # a served test (gunicorn), like the other served tests
def test_brute_force_against_two_workers(tmp_path: Path) -> None:
    env = demo_env(tmp_path)
    for var in ("WORKBRIDGE_RATELIMIT_STORAGE", "WORKBRIDGE_LOGIN_LIMIT",
                "WORKBRIDGE_LOGIN_ACCOUNT_LIMIT"):
        env.pop(var, None)  # the shipped settings
    done = subprocess.run([str(BIN / "workbridge"), "db", "upgrade"], env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    victim, colleague = "victim@bureau.test", "colleague@bureau.test"
    for email in (victim, colleague):
        _create_user(env, email)
    site = hashlib.sha256(env["WORKBRIDGE_DATABASE_URL"].encode()).hexdigest()[:12]
    try:
        with gunicorn(env, tmp_path / "gunicorn.log", workers=2) as base:

            def guess(i: int) -> int:
                browser = Browser(base)  # a new connection each time: any worker
                call = browser.page_login if i % 3 == 0 else browser.api_login
                return call(victim, f"wrong-guess-{i}")[0]

            with ThreadPoolExecutor(max_workers=8) as pool:  # both workers busy at once
                codes = list(pool.map(guess, range(60)))
            answered = [c for c in codes if c != 429]
            assert len(answered) <= 10 and set(answered) <= {401}, codes
            assert len(answered) == 10, codes  # and the limit is not stricter than documented
            owner = Browser(base)
            status, headers, body = owner.api_login(victim, PASSWORD)
            assert status == 429, body  # locked: the owner too, for this account only
            assert json.loads(body)["error"]["code"] == "too_many_attempts"
            assert 800 <= int(headers["Retry-After"]) <= 900
            status, _, html = owner.page_login(victim, PASSWORD)
            assert status == 429 and "登录失败次数过多" in html
            # another account from the same address logs in, on both endpoints
            other = Browser(base)
            status, _, body = other.api_login(colleague, PASSWORD)
            assert status == 201, body
            assert other.page_login(colleague, PASSWORD)[0] == 302
            log = (tmp_path / "gunicorn.log").read_text()
            assert "not reachable" not in log  # the counters really were on Redis
    finally:
        client = redis.Redis.from_url(REDIS_URL)
        for key in client.scan_iter(match=f"*wb:{site}*"):
            client.delete(key)
