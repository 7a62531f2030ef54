"""HTTP benchmark: the seeker recommendations endpoint under gunicorn, with /healthz as the
baseline measured in the same run.

Steps: a temporary SQLite database is migrated and seeded with the demo city at ``--size``
vacancies; both indexes are built and saved (``--encoder fake`` by default: the request path
reads the seeker's stored vector from the people index, so the encoder only changes the build
time, not what a request costs); ``--users`` seekers get a login and an API token; gunicorn
(``--workers`` sync workers, loopback only) serves ``web:create_app()``; every worker is warmed
up (index files loaded) before timing. Then ``--clients`` concurrent clients send requests
(``GET /api/v1/me/recommendations`` with ``Authorization: Bearer``, tokens in turn) to each
endpoint, /healthz first as the baseline, with one of two load generators:

* ``--load wrk`` (the default when ``wrk`` is on PATH; Debian package ``wrk``): a C client,
  2 threads, ``--clients`` connections for ``--duration`` seconds, tokens rotated by a Lua
  script; it leaves the two cores to the server. Percentiles are wrk's (``--latency``).
* ``--load python``: ``--clients`` Python threads, at most ``--requests`` requests or
  ``--duration`` seconds. On 2 cores the clients take a large share of the CPU (the
  /healthz baseline reads about a third of wrk's), so this understates the server.

    .venv/bin/python scripts/bench_http.py                  # 100,000 vacancies (~7 min)
    .venv/bin/python scripts/bench_http.py --size 2000 --load python --requests 200
    .venv/bin/python scripts/bench_http.py --folder /tmp/wb-http   # seeded once, then reused
"""

from __future__ import annotations

import argparse
import http.client
import json
import logging
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _bench_common import load_line, percentiles, table, timed  # noqa: E402

log = logging.getLogger("bench_http")
ROOT = Path(__file__).resolve().parent.parent
RECOMMEND = "/api/v1/me/recommendations?per_page=10"
BASELINE = "/healthz"


def prepare(folder: Path, size: int, users: int, encoder: str, index_type: str
            ) -> tuple[dict[str, str], list[str], dict[str, float]]:
    """Migrate, seed, index and create seeker tokens; returns env, tokens, step seconds."""
    from sqlalchemy import select

    from matcher.accounts.users import create_user, issue_token
    from matcher.config import load_settings
    from matcher.demo.seed import seed_demo
    from matcher.enums import PersonStatus, Role
    from matcher.index.registry import Registry
    from matcher.models import JobSeeker
    from matcher.runtime import Runtime

    env = {"WORKBRIDGE_DATABASE_URL": f"sqlite:///{folder / 'bench.db'}",
           "WORKBRIDGE_INDEX_DIR": str(folder / "indexes"), "WORKBRIDGE_ENCODER": encoder,
           "WORKBRIDGE_INDEX_TYPE": index_type, "WORKBRIDGE_SECRET_KEY": "bench-only-secret"}
    steps: dict[str, float] = {}
    _, steps["schema"] = timed(lambda: _schema(env["WORKBRIDGE_DATABASE_URL"]))
    rt = Runtime(load_settings(env))
    _, steps["seed"] = timed(lambda: seed_demo(rt, size=size))
    registry = Registry(rt, sync_interval=None, autosave_interval=None)
    _, steps["index"] = timed(lambda: [registry.rebuild(k) for k in ("vacancies", "people")])
    tokens = []
    with rt.uow() as uow:
        ids = uow.s.scalars(select(JobSeeker.id).where(
            JobSeeker.status == PersonStatus.ACTIVE, JobSeeker.consent_matching.is_(True))
            .order_by(JobSeeker.id).limit(users)).all()
        for sid in ids:
            user = create_user(uow, email=f"bench{sid}@example.org", password="bench-password-1",
                               role=Role.SEEKER, seeker_id=sid, actor="bench")
            tokens.append(issue_token(uow, user.id, actor="bench"))
        uow.commit()
    rt.engine.dispose()
    return env, tokens, steps


def city(folder: Path, size: int, users: int, encoder: str, index_type: str
         ) -> tuple[dict[str, str], list[str], dict[str, float]]:
    """:func:`prepare` into ``folder`` once; later calls with the same folder reuse it (its
    settings and tokens are kept in ``folder/state.json``), so that two trees or two runs
    can be measured on one seeded city."""
    state = folder / "state.json"
    wanted = {"size": size, "users": users, "encoder": encoder, "index_type": index_type}
    if state.exists():
        saved = json.loads(state.read_text())
        if {k: saved.get(k) for k in wanted} != wanted:
            raise SystemExit(f"{folder} holds {({k: saved.get(k) for k in wanted})}; "
                             "use another folder")
        return saved["env"], saved["tokens"], {}
    folder.mkdir(parents=True, exist_ok=True)
    env, tokens, steps = prepare(folder, size, users, encoder, index_type)
    state.write_text(json.dumps({**wanted, "env": env, "tokens": tokens}))
    return env, tokens, steps


def _schema(url: str) -> None:
    """Migrate the benchmark database to head, as `workbridge db upgrade` does."""
    from matcher import migrate

    migrate.upgrade(url)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _get(port: int, path: str, token: str | None, timeout: float = 30.0) -> int:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("GET", path, headers={"Authorization": f"Bearer {token}"} if token else {})
        resp = conn.getresponse()
        resp.read()
        return resp.status
    finally:
        conn.close()


def load(port: int, path: str, tokens: list[str | None], clients: int, requests: int,
         duration: float) -> dict[str, Any]:
    """Send requests from ``clients`` threads; latency percentiles, rate and errors."""
    lock = threading.Lock()
    latencies: list[float] = []
    errors: list[str] = []
    sent = [0]
    deadline = time.monotonic() + duration

    def worker(i: int) -> None:
        n = 0
        while time.monotonic() < deadline:
            with lock:
                if sent[0] >= requests:
                    return
                sent[0] += 1
            token = tokens[(i + n * clients) % len(tokens)]
            n += 1
            start = time.perf_counter()
            try:
                status = _get(port, path, token)
            except OSError as exc:
                status, reason = 0, repr(exc)
            else:
                reason = f"HTTP {status}"
            ms = (time.perf_counter() - start) * 1e3
            with lock:
                latencies.append(ms)
                if status != 200:
                    errors.append(reason)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(clients)]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - start
    p50, _, p99 = percentiles(latencies)
    return {"requests": len(latencies), "rps": len(latencies) / wall, "p50": p50, "p99": p99,
            "errors": len(errors), "first_error": errors[0] if errors else ""}


WRK_SCRIPT = """
local tokens = {%s}
local i = 0
request = function()
  i = i + 1
  local headers = {}
  if #tokens > 0 then headers["Authorization"] = "Bearer " .. tokens[(i %% #tokens) + 1] end
  return wrk.format("GET", "%s", headers)
end
"""


def _ms(text: str) -> float:
    """A wrk duration ("812.00us", "91.54ms", "1.20s") in milliseconds."""
    for unit, factor in (("us", 1e-3), ("ms", 1.0), ("s", 1e3)):
        if text.endswith(unit):
            return float(text[: -len(unit)]) * factor
    raise ValueError(f"unexpected wrk duration {text!r}")


def load_wrk(port: int, path: str, tokens: list[str | None], clients: int, duration: float,
             folder: Path) -> dict[str, Any]:
    """Run wrk (2 threads, ``clients`` connections) and parse its summary."""
    script = folder / "wrk.lua"  # rewritten for each endpoint
    names = ",".join(f'"{t}"' for t in tokens if t)
    script.write_text(WRK_SCRIPT % (names, path), encoding="utf-8")
    cmd = ["wrk", "-t2", f"-c{clients}", f"-d{max(1, int(duration))}s", "--latency",
           "-s", str(script), f"http://127.0.0.1:{port}"]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True, timeout=duration + 120
                         ).stdout
    found: dict[str, Any] = {"errors": 0, "first_error": ""}
    for line in out.splitlines():
        words = line.split()
        if line.strip().startswith(("50%", "99%")):
            found["p" + words[0].rstrip("%")] = _ms(words[1])
        elif " requests in " in line:
            found["requests"] = int(words[0])
        elif line.startswith("Requests/sec:"):
            found["rps"] = float(words[1])
        elif "Non-2xx or 3xx responses" in line:
            found["errors"] += int(words[-1])
            found["first_error"] = "non-2xx responses"
        elif line.strip().startswith("Socket errors:"):
            counts = [int(w.rstrip(",")) for w in words if w.rstrip(",").isdigit()]
            if sum(counts):
                found["errors"] += sum(counts)
                found["first_error"] = found["first_error"] or line.strip()
    missing = {"requests", "rps", "p50", "p99"} - set(found)
    if missing:
        raise RuntimeError(f"could not read {sorted(missing)} from wrk's output:\n{out}")
    return found


def serve(env: dict[str, str], port: int, workers: int) -> subprocess.Popen[bytes]:
    """Start gunicorn on loopback and wait until /healthz answers."""
    cmd = [str(Path(sys.executable).parent / "gunicorn"), "-w", str(workers), "-k", "sync",
           "-b", f"127.0.0.1:{port}", "--backlog", "256", "--timeout", "120",
           "--log-level", "warning", "web:create_app()"]
    full_env = dict(os.environ, **env, OMP_NUM_THREADS="1", HF_HUB_OFFLINE="1")
    proc = subprocess.Popen(cmd, cwd=ROOT, env=full_env)
    for _ in range(300):
        try:
            if _get(port, BASELINE, None, timeout=2) == 200:
                return proc
        except OSError:
            time.sleep(0.2)
    proc.terminate()
    raise RuntimeError("gunicorn did not start")


def main(argv: list[str] | None = None) -> int:
    """Prepare, serve, warm up, measure the baseline and the endpoint, print a table."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--size", type=int, default=100_000)
    ap.add_argument("--users", type=int, default=50)
    ap.add_argument("--clients", type=int, default=32)
    ap.add_argument("--requests", type=int, default=3000)
    ap.add_argument("--duration", type=float, default=30.0)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--encoder", default="fake")
    ap.add_argument("--index-type", default=None, help="default: the configured default")
    ap.add_argument("--folder", type=Path, default=None,
                    help="seed into this folder once and reuse it on later runs "
                         "(default: a temporary folder, seeded every run)")
    ap.add_argument("--load", choices=("wrk", "python"), default=None,
                    help="load generator (default: wrk when on PATH, else python)")
    args = ap.parse_args(argv)
    generator = args.load or ("wrk" if shutil.which("wrk") else "python")
    logging.basicConfig(level=logging.WARNING, format="%(message)s")
    from matcher.config import Settings

    index_type = args.index_type or Settings().index_type
    print(f"# bench_http size={args.size} workers={args.workers} (sync) clients={args.clients} "
          f"requests<={args.requests} duration<={args.duration}s encoder={args.encoder} "
          f"index_type={index_type} load={generator}")
    print("# " + load_line())
    with tempfile.TemporaryDirectory(prefix="wb-bench-http-") as tmp:
        env, tokens, steps = city(args.folder or Path(tmp) / "city", args.size, args.users,
                                  args.encoder, index_type)
        print("# setup: " + ", ".join(f"{k} {v:.1f} s" for k, v in steps.items())
              + f", {len(tokens)} seeker tokens")
        port = _free_port()
        proc = serve(env, port, args.workers)
        try:  # gunicorn.conf.py warms each worker before it accepts: no load on this one
            _, first = timed(lambda: _get(port, RECOMMEND, tokens[0]))
            print(f"# first request after start (GET /api/v1/me/recommendations once /healthz "
                  f"answers): {first * 1000:.0f} ms")
            warm = load(port, RECOMMEND, list(tokens), args.workers * 2, 4 * args.workers, 300)
            if warm["errors"]:
                raise RuntimeError(f"warm-up failed: {warm['first_error']}")
            rows = []
            for label, path, toks in (("baseline GET /healthz", BASELINE, [None]),
                                      ("GET /api/v1/me/recommendations", RECOMMEND, tokens)):
                r = (load_wrk(port, path, list(toks), args.clients, args.duration, Path(tmp))
                     if generator == "wrk" else
                     load(port, path, list(toks), args.clients, args.requests, args.duration))
                rows.append([label, r["requests"], r["rps"], r["p50"], r["p99"], r["errors"],
                             r["first_error"]])
        finally:
            proc.terminate()
            proc.wait(timeout=30)
    print(table(["endpoint", "requests", "req/s", "p50 ms", "p99 ms", "errors", "first error"],
                rows))
    print("# " + load_line())
    return 0 if all(r[5] == 0 for r in rows) else 1


if __name__ == "__main__":
    raise SystemExit(main())
