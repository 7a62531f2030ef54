"""End to end as `make run` does it: migrate, seed, build indexes, serve with gunicorn, curl.

Runs the real console script and a real gunicorn (2 workers, no preload) on a free port.
"""

from __future__ import annotations

import urllib.request
from pathlib import Path

import pytest
from builders.serving import demo_env, gunicorn, seed_with_cli

from matcher.encoders import DEFAULT_SPEC


@pytest.mark.slow
def test_make_run_flow_serves_demo_vacancies(tmp_path: Path) -> None:
    env = demo_env(tmp_path, WORKBRIDGE_SECRET_KEY="smoke-test",
                   WORKBRIDGE_ENCODER=DEFAULT_SPEC)  # as `make run` uses it
    seed_with_cli(env)
    with gunicorn(env, tmp_path / "gunicorn.log") as base:
        with urllib.request.urlopen(base + "/", timeout=30) as resp:
            assert resp.status == 200
            html = resp.read().decode()
        assert "招聘职位" in html, (tmp_path / "gunicorn.log").read_text()
        assert html.count('class="card"') >= 10
        with urllib.request.urlopen(base + "/api/v1/vacancies") as resp:
            assert b'"total"' in resp.read()
