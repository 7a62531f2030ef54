"""The product as `make run` serves it: a seeded demo city behind a real gunicorn.

For the tests that drive workbridge through HTTP: :func:`demo_env` (a private database and
index folder), :func:`seed_with_cli` (the real console script: migrate, seed, build), and
:func:`gunicorn` (2 workers, no preload, on a free port; yields the base URL once
``/healthz`` answers, and stops the server afterwards).
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any

from werkzeug.serving import make_server

from matcher.config import Settings
from matcher.demo.seed import seed_demo
from matcher.index.kinds import KINDS
from matcher.index.registry import get_registry
from matcher.runtime import Runtime
from web import create_app

BIN = Path(sys.executable).parent


def free_port() -> int:
    """A TCP port free on the loopback address right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def demo_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    """The environment of a private demo city under ``tmp_path`` (fake encoder by default)."""
    env = {**os.environ, "WORKBRIDGE_DATABASE_URL": f"sqlite:///{tmp_path / 'wb.db'}",
           "WORKBRIDGE_INDEX_DIR": str(tmp_path / "indexes"), "WORKBRIDGE_ENCODER": "fake",
           "WORKBRIDGE_SECRET_KEY": "served-test", "HF_HUB_OFFLINE": "1", **extra}
    env.pop("WORKBRIDGE_TEST_PG_URL", None)
    return env


def seed_with_cli(env: dict[str, str], size: int = 80) -> None:
    """`workbridge db upgrade`, `demo seed --size N`, `index build`, as `make run` does."""
    wb = str(BIN / "workbridge")
    for args in (["db", "upgrade"], ["demo", "seed", "--size", str(size), "-q"],
                 ["index", "build"]):
        done = subprocess.run([wb, *args], env=env, capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stderr


@contextmanager
def gunicorn(env: dict[str, str], log_path: Path, workers: int = 2) -> Iterator[str]:
    """Serve ``web:create_app()`` with gunicorn; yields ``http://127.0.0.1:<port>``."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with log_path.open("w") as log:
        server = subprocess.Popen(
            [str(BIN / "gunicorn"), "--workers", str(workers), "--bind", f"127.0.0.1:{port}",
             "web:create_app()"], env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        for _ in range(300):
            try:
                urllib.request.urlopen(base + "/healthz", timeout=5).close()
                break
            except OSError:
                assert server.poll() is None, log_path.read_text()
                time.sleep(0.2)
        yield base
    finally:
        server.terminate()
        server.wait(timeout=30)


@contextmanager
def demo_app(settings: Settings, *, encoder: str = "fake", seed: int = 7, size: int = 80,
             today: date | None = None) -> Iterator[tuple[str, Runtime]]:
    """The app in this process on a free port, over a seeded demo city with built indexes
    (for browser tests); yields ``(base URL, runtime)``."""
    app = create_app(settings.override(encoder=encoder, env="development"))
    rt: Runtime = app.extensions["matcher"]
    assert seed_demo(rt, seed=seed, size=size, today=today).seeded
    registry = get_registry(rt)
    for kind in KINDS:
        registry.rebuild(kind)
    httpd = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_port}", rt
    finally:
        httpd.shutdown()
        thread.join(5)
        rt.dispose()


class ApiClient:
    """A tiny JSON client for a served app; with ``email``, it logs in for a bearer token
    (password ``demo``, the demo logins')."""

    def __init__(self, base: str, email: str | None = None, password: str = "demo"):
        self.base, self.token = base, None
        if email:
            status, body = self("POST", "/auth/token", {"email": email, "password": password})
            assert status in (200, 201), body
            self.token = body["token"]

    def __call__(self, method: str, path: str, body: dict[str, Any] | None = None,
                 headers: dict[str, str] | None = None) -> tuple[int, Any]:
        req = urllib.request.Request(self.base + path, method=method, headers={
            "Content-Type": "application/json", **(headers or {}),
            **({"Authorization": f"Bearer {self.token}"} if self.token else {})},
            data=json.dumps(body).encode() if body is not None else None)
        try:
            with urllib.request.urlopen(req, timeout=60) as resp:
                return resp.status, json.loads(resp.read() or b"null")
        except urllib.error.HTTPError as err:
            return err.code, json.loads(err.read() or b"null")
