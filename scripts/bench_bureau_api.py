"""Bureau desks under gunicorn: p50/p95 of the shortage desk page, ``GET /api/v1/bureau/gaps``
and one gap's candidates, with /healthz as the baseline measured in the same run.

Steps: a temporary SQLite database is migrated and seeded with the demo city at ``--size``
vacancies on ``--day`` (``--encoder fake`` by default: requests read stored vectors; gap
texts without an index row are encoded once per process, which the warm-up pays), both
indexes are built, an administrator gets an API token, gunicorn (``--workers`` sync
workers, loopback) serves ``web:create_app()`` and every worker is warmed up. Then one
client sends ``--requests`` sequential requests per endpoint (the gap candidates rotate
over the desk's first ten gaps) and the script prints a Markdown table.

    .venv/bin/python scripts/bench_bureau_api.py                  # demo city (400)
    .venv/bin/python scripts/bench_bureau_api.py --size 100000 --keep  # large city (~7 min)
    .venv/bin/python scripts/bench_bureau_api.py --reuse /tmp/bench-bureau-XXXX  # again
"""

from __future__ import annotations

import argparse
import http.client
import json
import logging
import shutil
import sys
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _bench_common import load_line, percentiles, table, timed  # noqa: E402
from bench_http import _free_port, _schema, serve  # noqa: E402

BASELINE = "/healthz"
log = logging.getLogger("bench_bureau_api")


def prepare(folder: Path, size: int, encoder: str, day: date, reuse: bool = False
            ) -> tuple[dict[str, str], str, dict[str, float]]:
    """Migrate, seed, index (unless ``reuse``: a folder this script prepared before) and
    issue an administrator's token; returns env, token, step seconds."""
    from sqlalchemy import select

    from matcher.accounts.users import create_user, issue_token
    from matcher.config import load_settings
    from matcher.demo.seed import seed_demo
    from matcher.enums import Role
    from matcher.index.registry import Registry
    from matcher.models import User
    from matcher.runtime import Runtime

    env = {"WORKBRIDGE_DATABASE_URL": f"sqlite:///{folder / 'bench.db'}",
           "WORKBRIDGE_INDEX_DIR": str(folder / "indexes"), "WORKBRIDGE_ENCODER": encoder,
           "WORKBRIDGE_SECRET_KEY": "bench-only-secret"}
    steps = {"schema": 0.0, "seed": 0.0, "index": 0.0}
    if not reuse:
        _, steps["schema"] = timed(lambda: _schema(env["WORKBRIDGE_DATABASE_URL"]))
    rt = Runtime(load_settings(env))
    if not reuse:
        _, steps["seed"] = timed(lambda: seed_demo(rt, size=size, today=day))
        registry = Registry(rt, sync_interval=None, autosave_interval=None)
        _, steps["index"] = timed(lambda: [registry.rebuild(k)
                                           for k in ("vacancies", "people")])
    with rt.uow() as uow:
        uid = uow.s.scalar(select(User.id).where(User.email == "bench-admin@example.org"))
        if uid is None:
            uid = create_user(uow, email="bench-admin@example.org",
                              password="bench-password-1", role=Role.ADMIN, actor="bench").id
        token = issue_token(uow, uid, actor="bench")
        uow.commit()
    rt.engine.dispose()
    return env, token, steps


def fetch(port: int, path: str, token: str, timeout: float = 120.0) -> tuple[int, bytes, float]:
    """One GET with the token: status, body and wall seconds."""
    start = time.perf_counter()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("GET", path, headers={"Authorization": f"Bearer {token}"})
        resp = conn.getresponse()
        body = resp.read()
        return resp.status, body, time.perf_counter() - start
    finally:
        conn.close()


def measure(port: int, paths: list[str], token: str, n: int) -> dict[str, Any]:
    """``n`` sequential requests rotating over ``paths``: percentiles in ms and errors."""
    samples, errors = [], 0
    for i in range(n):
        status, _, secs = fetch(port, paths[i % len(paths)], token)
        errors += status != 200
        samples.append(secs * 1000)
    p50, p95, p99 = percentiles(samples)
    return {"p50": p50, "p95": p95, "p99": p99, "max": max(samples), "errors": errors}


def main(argv: list[str] | None = None) -> int:
    """Prepare, serve, warm up, measure the baseline and the desks, print a table."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--size", type=int, default=400)
    ap.add_argument("--encoder", default="fake")
    ap.add_argument("--day", type=date.fromisoformat, default=date.today())
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--requests", type=int, default=40)
    ap.add_argument("--keep", action="store_true", help="Keep the prepared folder (printed "
                    "at the end) for --reuse.")
    ap.add_argument("--reuse", type=Path, help="A folder a previous --keep run prepared: "
                    "measure again without seeding.")
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    folder = args.reuse or Path(tempfile.mkdtemp(prefix="bench-bureau-"))
    try:
        return run(args, folder)
    finally:
        if not (args.keep or args.reuse):
            shutil.rmtree(folder, ignore_errors=True)


def run(args: argparse.Namespace, folder: Path) -> int:
    """Prepare ``folder``, serve, warm up, measure, print."""
    env, token, steps = prepare(folder, args.size, args.encoder, args.day, bool(args.reuse))
    day = args.day.isoformat()
    port = _free_port()
    proc = serve(env, port, args.workers)
    try:
        status, body, first_s = fetch(port, f"/api/v1/bureau/gaps?date={day}&per_page=10&k=0",
                                      token)
        assert status == 200, body[:300]
        gap_ids = [g["id"] for g in json.loads(body)["items"]]
        total = json.loads(body)["page"]["total"]
        cases = [("baseline GET /healthz", [BASELINE]),
                 ("page /admin/bureau/shortage", [f"/admin/bureau/shortage?day={day}"]),
                 ("GET /api/v1/bureau/gaps (10 gaps, k=3)",
                  [f"/api/v1/bureau/gaps?date={day}&per_page=10&k=3"]),
                 ("GET /api/v1/bureau/gaps/{id}/candidates (k=10)",
                  [f"/api/v1/bureau/gaps/{g}/candidates?date={day}&k=10" for g in gap_ids])]
        warm = [(p, fetch(port, p, token)[2]) for _, paths in cases for p in paths
                for _ in range(2 * args.workers)]
        rows, base = [], 0.0
        for label, paths in cases:
            got = measure(port, paths, token, args.requests)
            base = base or got["p50"]
            rows.append([label, args.requests, got["p50"], got["p95"], got["max"],
                         f"{got['p95'] / max(base, 1e-9):.0f}x", got["errors"]])
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    print(load_line())
    print(f"demo city {args.size} vacancies, {args.encoder}, day {day}, {total} open gaps, "
          f"gunicorn {args.workers} workers; schema {steps['schema']:.1f} s, seed "
          f"{steps['seed']:.1f} s, indexes {steps['index']:.1f} s; first request "
          f"{first_s:.2f} s, slowest warm-up {max(s for _, s in warm):.2f} s; "
          f"data in {folder if args.keep or args.reuse else '(removed)'}")
    print(table(["request", "n", "p50 ms", "p95 ms", "max ms", "p95 / baseline p50",
                 "errors"], rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
