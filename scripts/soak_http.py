"""Soak: seeker recommendations under steady load while a gunicorn worker is killed every minute.

Issue 17's overload check. The demo city (``--size`` vacancies, the demo seed's default) is
migrated, seeded and indexed in a temporary folder exactly as ``scripts/bench_http.py`` does;
gunicorn serves it with ``--workers`` sync workers and the project's gunicorn settings (warm
workers: a replacement worker loads the model and indexes before it accepts a connection).
``--clients`` Python threads send ``GET /api/v1/me/recommendations`` for ``--duration`` seconds
while, every ``--kill-every`` seconds, one worker (in turn) gets SIGKILL; the master starts a
replacement.

Every request records its start, end and outcome. A failure counts as *killed in flight* when
the request was running at the moment a worker was killed and failed at the transport level
(connection reset / closed without answer) within ``--grace`` seconds of that kill; a sync
worker holds one request at a time, so at most one such failure per kill is expected. Anything
else that is not a 2xx is a real failure, and the script exits 1 on any.

    .venv/bin/python scripts/soak_http.py                       # 10 minutes, 32 clients
    .venv/bin/python scripts/soak_http.py --duration 120 --kill-every 30 --clients 8
"""

from __future__ import annotations

import argparse
import http.client
import logging
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _bench_common import load_line, percentiles, table  # noqa: E402
from bench_http import RECOMMEND, _free_port, prepare, serve  # noqa: E402

log = logging.getLogger("soak_http")


@dataclass
class Outcome:
    """One request: when it ran and how it ended (status 0 = transport failure)."""

    start: float
    end: float
    status: int
    reason: str


def _request(port: int, token: str, timeout: float) -> tuple[int, str]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("GET", RECOMMEND, headers={"Authorization": f"Bearer {token}"})
        resp = conn.getresponse()
        resp.read()
        return resp.status, f"HTTP {resp.status}"
    except (OSError, http.client.HTTPException) as exc:
        return 0, type(exc).__name__
    finally:
        conn.close()


def _workers(master: int) -> list[int]:
    out = subprocess.run(["pgrep", "-P", str(master)], capture_output=True, text=True)
    return sorted(int(p) for p in out.stdout.split())


def _killer(master: int, every: float, stop: threading.Event, kills: list[tuple[float, int]]
            ) -> None:
    turn = 0
    while not stop.wait(every):
        pids = _workers(master)
        if not pids:
            continue
        pid = pids[turn % len(pids)]
        turn += 1
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            continue
        kills.append((time.monotonic(), pid))
        log.warning("killed worker %d", pid)


def soak(port: int, master: int, tokens: list[str], clients: int, duration: float,
         kill_every: float, timeout: float) -> tuple[list[Outcome], list[tuple[float, int]]]:
    """Run the load and the killer; every request's outcome and every kill."""
    outcomes: list[Outcome] = []
    lock = threading.Lock()
    stop = threading.Event()
    kills: list[tuple[float, int]] = []
    deadline = time.monotonic() + duration

    def client(i: int) -> None:
        n = 0
        while time.monotonic() < deadline:
            token = tokens[(i + n * clients) % len(tokens)]
            n += 1
            start = time.monotonic()
            status, reason = _request(port, token, timeout)
            with lock:
                outcomes.append(Outcome(start, time.monotonic(), status, reason))

    killer = threading.Thread(target=_killer, args=(master, kill_every, stop, kills))
    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    killer.start()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    stop.set()
    killer.join()
    return outcomes, kills


def classify(outcomes: list[Outcome], kills: list[tuple[float, int]], grace: float
             ) -> tuple[int, int, Counter[str]]:
    """(2xx, killed in flight, other failures by reason)."""
    ok = in_flight = 0
    other: Counter[str] = Counter()
    for o in outcomes:
        if 200 <= o.status < 300:
            ok += 1
        elif o.status == 0 and any(o.start <= t <= o.end <= t + grace for t, _ in kills):
            in_flight += 1
        else:
            other[o.reason] += 1
    return ok, in_flight, other


def main(argv: list[str] | None = None) -> int:
    """Prepare the demo city, serve it, soak it with kills, print a table."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--size", type=int, default=None, help="vacancies (default: demo default)")
    ap.add_argument("--users", type=int, default=50)
    ap.add_argument("--clients", type=int, default=32)
    ap.add_argument("--duration", type=float, default=600.0)
    ap.add_argument("--kill-every", type=float, default=60.0)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--encoder", default=None, help="default: the configured encoder")
    ap.add_argument("--timeout", type=float, default=30.0, help="client timeout, seconds")
    ap.add_argument("--grace", type=float, default=5.0)
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(message)s")
    from matcher.config import Settings
    from matcher.demo.seed import DEFAULT_SIZE

    settings = Settings()
    size = args.size or DEFAULT_SIZE
    encoder = args.encoder or settings.encoder
    print(f"# soak_http size={size} workers={args.workers} clients={args.clients} "
          f"duration={args.duration:.0f}s kill_every={args.kill_every:.0f}s encoder={encoder}")
    print("# " + load_line())
    with tempfile.TemporaryDirectory(prefix="wb-soak-") as tmp:
        env, tokens, steps = prepare(Path(tmp), size, args.users, encoder, settings.index_type)
        print("# setup: " + ", ".join(f"{k} {v:.1f} s" for k, v in steps.items()))
        port = _free_port()
        proc = serve(env, port, args.workers)
        try:
            for token in tokens[: args.workers * 2]:  # every worker answers once before timing
                _request(port, token, 120.0)
            outcomes, kills = soak(port, proc.pid, tokens, args.clients, args.duration,
                                   args.kill_every, args.timeout)
        finally:
            proc.terminate()
            proc.wait(timeout=60)
    ok, in_flight, other = classify(outcomes, kills, args.grace)
    latencies = [(o.end - o.start) * 1e3 for o in outcomes if 200 <= o.status < 300]
    p50, p95, p99 = percentiles(latencies)
    rows = [[len(outcomes), ok, len(kills), in_flight, sum(other.values()),
             round(len(outcomes) / args.duration, 1), p50, p95, p99]]
    print(table(["requests", "2xx", "kills", "killed in flight", "other failures", "req/s",
                 "p50 ms", "p95 ms", "p99 ms"], rows))
    for reason, count in other.most_common():
        print(f"# other failure: {reason} x{count}")
    print("# " + load_line())
    return 1 if other else 0


if __name__ == "__main__":
    raise SystemExit(main())
