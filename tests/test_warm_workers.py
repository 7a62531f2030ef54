"""Warm workers (issue 20): gunicorn (the project's ``gunicorn.conf.py``) loads the model and
the indexes in each worker after fork, before it accepts a request; the parent never loads
FAISS; the first request after the server answers is served without loading anything."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest
from builders.serving import demo_env, gunicorn, seed_with_cli
from test_read_your_writes_gunicorn import PASSWORD, SEEKER, call, wait_warm


def master_pid(text: str) -> int:
    found = re.search(r"Listening at: \S+ \((\d+)\)", text)
    assert found, text
    return int(found.group(1))


def mapped(pid: int, needle: str) -> bool:
    """Whether process ``pid`` has a shared object whose path contains ``needle`` mapped."""
    return needle in Path(f"/proc/{pid}/maps").read_text()


@pytest.mark.slow
@pytest.mark.parametrize("encoder", ["fake", "e5-small"])
def test_the_first_request_after_start_finds_everything_loaded(tmp_path: Path,
                                                               encoder: str) -> None:
    env = demo_env(tmp_path, WORKBRIDGE_ENCODER=encoder, WORKBRIDGE_DEMO_PASSWORD=PASSWORD)
    seed_with_cli(env, size=80)
    log = tmp_path / "gunicorn.log"
    with gunicorn(env, log) as base:  # yields once /healthz answers
        status, issued = call(base, "POST", "/api/v1/auth/token",
                              body={"email": SEEKER, "password": PASSWORD})
        assert status == 201, issued
        started = time.perf_counter()
        status, page = call(base, "GET", "/api/v1/me/recommendations", issued["token"])
        first = time.perf_counter() - started
        assert status == 200 and page["items"], page
        warm = wait_warm(log)
        text = log.read_text()
        parent = master_pid(text)
        assert not mapped(parent, "faiss") and not mapped(parent, "onnxruntime")
        workers = {int(p) for p in re.findall(r"workbridge worker (\d+) warm", text)}
        assert len(workers) == 2 and all(mapped(pid, "faiss") for pid in workers)
    assert first < 1.0, f"first request took {first:.2f} s"
    for pid in workers:  # each worker loaded its indexes and model before it was warm
        mine = [line for line in text.splitlines() if f"[{pid}]" in line]
        ready = next(i for i, line in enumerate(mine) if " warm: " in line)
        loads = [i for i, line in enumerate(mine)
                 if re.search(r"index \w+ loaded|encoder .* ready", line)]
        assert len(loads) >= 3 and max(loads) < ready, mine
    assert all("'failed'" not in line for line in warm)
