"""Read-your-writes across gunicorn workers (issue 20): a seeker changes the profile through
the API, then 20 concurrent recommendation requests, spread over 2 warm workers, return the
same ids and scores, all reflecting the new profile.

The demo city is built with the real console script (db upgrade, demo seed, index build);
gunicorn reads the project's ``gunicorn.conf.py`` (warm workers). Run with the fake encoder
(fast) and with the real multilingual model (slow).
"""

from __future__ import annotations

import json
import re
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from builders.serving import demo_env, gunicorn, seed_with_cli
from sqlalchemy import select

from matcher.config import load_settings
from matcher.enums import VacancyStatus
from matcher.models import Vacancy
from matcher.recommend.service import recommend_vacancies
from matcher.runtime import Runtime

PASSWORD = "ryw-gunicorn-1"
SEEKER = "seeker@demo.workbridge.local"


def call(base: str, method: str, path: str, token: str | None = None,
         body: dict[str, Any] | None = None) -> tuple[int, Any]:
    """One JSON request on a fresh connection (so requests spread over the workers)."""
    req = urllib.request.Request(base + path, method=method,
                                 data=json.dumps(body).encode() if body is not None else None)
    req.add_header("Content-Type", "application/json")
    req.add_header("Connection", "close")
    if token:
        req.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(req, timeout=120) as resp:
            return resp.status, json.loads(resp.read() or b"null")
    except urllib.error.HTTPError as err:
        return err.code, json.loads(err.read() or b"null")


def wait_warm(log: Path, workers: int = 2, timeout: float = 300) -> list[str]:
    """The 'worker warm' lines of ``workers`` workers (waits for them)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        lines = [line for line in log.read_text().splitlines() if " warm: " in line]
        if len(lines) >= workers:
            return lines
        time.sleep(0.2)
    raise AssertionError(f"workers not warm:\n{log.read_text()[-3000:]}")


def ranking(base: str, token: str) -> list[tuple[int, float, str]]:
    status, page = call(base, "GET", "/api/v1/me/recommendations?per_page=10", token)
    assert status == 200, page
    return [(m["vacancy_id"], m["score"], m["title"]) for m in page["items"]]


def targets(env: dict[str, str]) -> list[tuple[int, str, list[str]]]:
    """Open vacancies with required skills, one per title: (id, title, skills)."""
    rt = Runtime(load_settings(env))
    try:
        with rt.uow() as uow:
            rows = uow.s.scalars(select(Vacancy).where(
                Vacancy.status == VacancyStatus.OPEN, Vacancy.filled < Vacancy.headcount
            ).order_by(Vacancy.id)).all()
            found = {v.title: (v.id, v.title, list(v.required_skills)) for v in rows
                     if v.required_skills}
    finally:
        rt.dispose()
    return list(found.values())


def expected(env: dict[str, str], tmp_path: Path, seeker_id: int) -> list[tuple[int, float]]:
    """The ranking this process computes over the same database (own index folder, built
    from the stored vectors)."""
    rt = Runtime(load_settings({**env, "WORKBRIDGE_INDEX_DIR": str(tmp_path / "mine")}))
    try:
        return [(r.vacancy_id, r.score) for r in recommend_vacancies(rt, seeker_id, k=10)]
    finally:
        rt.dispose()


@pytest.mark.slow
@pytest.mark.parametrize("encoder", ["fake", "e5-small"])
def test_a_profile_change_is_read_by_every_worker(tmp_path: Path, encoder: str) -> None:
    env = demo_env(tmp_path, WORKBRIDGE_ENCODER=encoder, WORKBRIDGE_DEMO_PASSWORD=PASSWORD,
                   WORKBRIDGE_PROFILE_LIMIT="1000 per minute")
    seed_with_cli(env, size=80)
    log = tmp_path / "gunicorn.log"
    with gunicorn(env, log) as base:
        warm = wait_warm(log)
        status, issued = call(base, "POST", "/api/v1/auth/token",
                              body={"email": SEEKER, "password": PASSWORD})
        assert status == 201, issued
        token = issued["token"]
        before = {tuple(ranking(base, token)) for _ in range(8)}  # both workers serve it
        assert len(before) == 1, before
        old = list(before.pop())
        for vid, title, skills in targets(env)[:8]:
            status, profile = call(base, "PUT", "/api/v1/me/profile", token, {
                "desired_positions": [title], "skills": skills, "experience": title,
                "travel_km": 300})
            assert status == 200, profile
            with ThreadPoolExecutor(max_workers=20) as pool:
                results = list(pool.map(lambda _: ranking(base, token), range(20)))
            assert all(r == results[0] for r in results), {tuple(r) for r in results}
            if vid in [v for v, _, _ in results[0]]:
                break
        text = log.read_text()
    assert results[0] != old and vid in [v for v, _, _ in results[0]]
    mine = expected(env, tmp_path, profile["id"])
    assert [(v, pytest.approx(s, abs=1e-6)) for v, s, _ in results[0]] == mine
    pids = {int(p) for p in re.findall(r"\[(\d+)\] [A-Z]+ matcher", text)}
    assert len(pids) >= 2, "both workers logged their warm-up"
    assert "Traceback" not in text
    # no worker loaded an index or the model after it reported warm
    after = text.split(warm[-1], 1)[1]
    assert not re.search(r"index \w+ (loaded|saved)|encoder .* ready", after), after
