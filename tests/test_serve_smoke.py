"""End to end as `make run` does it: migrate, seed, build indexes, serve with gunicorn, curl.

Runs the real console script and a real gunicorn (2 workers, no preload) on a free port.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

BIN = Path(sys.executable).parent


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.mark.slow
def test_make_run_flow_serves_demo_vacancies(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "WORKBRIDGE_DATABASE_URL": f"sqlite:///{tmp_path / 'wb.db'}",
        "WORKBRIDGE_INDEX_DIR": str(tmp_path / "indexes"),
        "WORKBRIDGE_SECRET_KEY": "smoke-test",
        "WORKBRIDGE_ENCODER": "e5-small",  # the default, as `make run` uses it
        "HF_HUB_OFFLINE": "1",
    }
    env.pop("WORKBRIDGE_TEST_PG_URL", None)
    wb = str(BIN / "workbridge")
    for args in (["db", "upgrade"], ["demo", "seed", "--size", "80", "-q"], ["index", "build"]):
        done = subprocess.run([wb, *args], env=env, capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stderr
    port = _free_port()
    log_path = tmp_path / "gunicorn.log"
    with log_path.open("w") as log:
        server = subprocess.Popen(
            [str(BIN / "gunicorn"), "--workers", "2", "--bind", f"127.0.0.1:{port}",
             "web:create_app()"],
            env=env, stdout=log, stderr=subprocess.STDOUT,
        )
    try:
        html = ""
        for _ in range(100):
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5) as resp:
                    assert resp.status == 200
                    html = resp.read().decode()
                break
            except OSError:
                if server.poll() is not None:
                    break
                time.sleep(0.2)
        assert "招聘职位" in html, log_path.read_text()
        assert html.count('class="card"') >= 10
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/vacancies") as resp:
            assert b'"total"' in resp.read()
    finally:
        server.terminate()
        server.wait(timeout=30)
