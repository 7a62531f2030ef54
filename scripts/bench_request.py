"""In-process cost of one seeker recommendation request (Flask test client, one thread).

Complements ``bench_http.py``: without gunicorn, wrk and the network in the way, the time of
the request path itself, which is what a tree-to-tree comparison needs on a busy machine.
``/healthz`` through the same client is the baseline measured in the same run.

The city is seeded once into ``--folder`` (fake encoder, as ``bench_http.py``) and reused by
later runs with the same folder, so two trees can be compared on one database:

    .venv/bin/python scripts/bench_request.py --folder /tmp/wb-req --size 100000
    .venv/bin/python scripts/bench_request.py --folder /tmp/wb-req --profile 30   # cProfile

Rounds of ``--requests`` are interleaved with a /healthz round; the table gives the median
of the round medians (ms per request) and its ratio to the baseline.
"""

from __future__ import annotations

import argparse
import cProfile
import logging
import os
import pstats
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _bench_common import load_line, table  # noqa: E402
from bench_http import RECOMMEND, city  # noqa: E402

log = logging.getLogger("bench_request")


def _round(client: Any, path: str, tokens: list[str], n: int, start: int) -> list[float]:
    """``n`` GETs of ``path``, tokens in turn; milliseconds each."""
    out = []
    for i in range(n):
        headers = {"Authorization": f"Bearer {tokens[(start + i) % len(tokens)]}"}
        t0 = time.perf_counter()
        resp = client.get(path, headers=headers)
        out.append((time.perf_counter() - t0) * 1e3)
        if resp.status_code != 200:
            raise SystemExit(f"{path}: HTTP {resp.status_code} {resp.get_data(as_text=True)[:200]}")
    return out


def main() -> None:
    """Seed (once), warm up, then time interleaved rounds; print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folder", type=Path, default=Path("/tmp/wb-bench-request"))
    parser.add_argument("--size", type=int, default=20000)
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--index-type", default="flat")
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--requests", type=int, default=100)
    parser.add_argument("--profile", type=int, default=0, metavar="N",
                        help="instead of timing, profile N rounds, print the top functions "
                        "and save FOLDER/profile.pstats")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="# %(message)s")
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    env, tokens, steps = city(args.folder, args.size, args.users, "fake", args.index_type)
    if steps:
        log.info("setup %s", {k: round(v, 1) for k, v in steps.items()})

    from matcher.config import load_settings
    from web import create_app

    app = create_app(load_settings({**os.environ, **env,
                                    "WORKBRIDGE_RATELIMIT_STORAGE": "memory://"}))
    client = app.test_client()
    _round(client, RECOMMEND, tokens, len(tokens) * 2, 0)  # load indexes, warm every seeker
    if args.profile:
        prof = cProfile.Profile()
        prof.enable()
        for r in range(args.profile):
            _round(client, RECOMMEND, tokens, args.requests, r * args.requests)
        prof.disable()
        prof.dump_stats(str(args.folder / "profile.pstats"))
        pstats.Stats(prof).sort_stats("cumulative").print_stats(40)
        pstats.Stats(prof).sort_stats("tottime").print_stats(25)
        return
    rec, base = [], []
    for r in range(args.rounds):
        base.append(statistics.median(_round(client, "/healthz", tokens, args.requests, 0)))
        rec.append(statistics.median(_round(client, RECOMMEND, tokens, args.requests,
                                            r * args.requests)))
    print(f"# bench_request size={args.size} index_type={args.index_type} "
          f"rounds={args.rounds}x{args.requests}")
    print(f"# {load_line()}")
    rows = [["baseline GET /healthz", statistics.median(base), min(base), max(base), 1.0],
            [f"GET {RECOMMEND}", statistics.median(rec), min(rec), max(rec),
             statistics.median(rec) / statistics.median(base)]]
    print(table(["endpoint", "ms (median of rounds)", "min round", "max round",
                 "x baseline"], rows))


if __name__ == "__main__":
    main()
