"""Re-embedding N vacancies on the job queue: 1 worker process against 2 (the ratio).

A fresh database gets ``demo seed --size N`` (with the fake encoder, so nothing is embedded
with the real one); then, for each worker count, the stored vectors are deleted, that many
``celery worker`` processes (solo pool, the real encoder loaded at start) are started on a
Redis broker, and one ``reembed`` job is timed from submission until its last chunk has
finished. Prints a Markdown table and the ratio (baseline: 1 worker, same run)::

    .venv/bin/python scripts/bench_jobs.py                   # 5,000 vacancies, 1 and 2 workers
    .venv/bin/python scripts/bench_jobs.py --n 10000 --db-url postgresql+psycopg://...

Needs Redis on 127.0.0.1:6379 (database 6 is flushed). Keep N modest on a shared 2-core
machine: 5,000 vacancies take about a minute per run.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import redis
from _bench_common import load_line, table
from sqlalchemy import delete

from matcher import migrate
from matcher.config import load_settings
from matcher.jobs import actions, app, records
from matcher.models import Embedding
from matcher.principal import Principal
from matcher.runtime import Runtime

BIN = Path(sys.executable).parent


def _env(db_url: str, broker: str, folder: Path, **extra: str) -> dict[str, str]:
    return {**os.environ, "WORKBRIDGE_DATABASE_URL": db_url, "WORKBRIDGE_BROKER_URL": broker,
            "WORKBRIDGE_INDEX_DIR": str(folder / "indexes"), "HF_HUB_OFFLINE": "1", **extra}


def _start(name: str, env: dict[str, str], folder: Path) -> subprocess.Popen[bytes]:
    log = folder / f"{name}.log"
    cmd = [str(BIN / "celery"), "-A", "matcher.jobs.worker", "worker", "--pool", "solo",
           "--queues", "workbridge", "--loglevel", "INFO", "--hostname", f"{name}@%h",
           "--without-gossip", "--without-mingle", "--without-heartbeat"]
    with log.open("wb") as out:
        proc = subprocess.Popen(cmd, env=env, stdout=out, stderr=subprocess.STDOUT,
                                start_new_session=True)
    return proc


def _ready(procs: list[subprocess.Popen[bytes]], logs: list[Path], timeout: float) -> None:
    end = time.monotonic() + timeout
    while not all(b" ready." in p.read_bytes() for p in logs):
        if time.monotonic() > end or any(p.poll() is not None for p in procs):
            raise SystemExit("a worker did not start: " + " | ".join(
                p.read_text(errors="replace")[-400:] for p in logs))
        time.sleep(0.3)


def _stop(procs: list[subprocess.Popen[bytes]]) -> None:
    for p in procs:
        if p.poll() is None:
            os.killpg(p.pid, signal.SIGTERM)
    for p in procs:
        try:
            p.wait(20)
        except subprocess.TimeoutExpired:
            os.killpg(p.pid, signal.SIGKILL)


def run(rt: Runtime, workers: int, chunk: int, encoder: str, broker: str,
        folder: Path) -> tuple[float, int, int]:
    """Wall seconds, texts encoded and chunks of one re-embedding with ``workers`` workers."""
    with rt.uow() as uow:
        uow.s.execute(delete(Embedding).where(Embedding.kind == "vacancies"))
        uow.commit()
    env = _env(rt.settings.database_url, broker, folder, WORKBRIDGE_ENCODER=encoder,
               WORKBRIDGE_JOB_CHUNK=str(chunk), WORKBRIDGE_LOG_LEVEL="WARNING")
    names = [f"w{workers}-{i}" for i in range(workers)]
    procs = [_start(n, env, folder) for n in names]
    try:
        _ready(procs, [folder / f"{n}.log" for n in names], 300)  # the model loads at start
        start = time.perf_counter()
        with rt.uow() as uow:
            job = actions.submit_job(uow, Principal.system("bench"), "reembed",
                                     {"kind": "vacancies", "force": False, "chunk": chunk})
            uow.commit()
        while True:
            with rt.uow() as uow:
                view = records.view(records.get(uow.s, job.id))
            if view.finished:
                break
            time.sleep(0.2)
        wall = time.perf_counter() - start
    finally:
        _stop(procs)
    if view.status != "succeeded":
        raise SystemExit(f"job {view.id} failed: {view.error}")
    result = view.result or {}
    return wall, int(result.get("encoded", 0)), int(result.get("chunks", 0))


def main() -> None:
    """Seed, then time the re-embedding per worker count; print the table and the ratio."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--n", type=int, default=5000, help="vacancies in the demo city")
    ap.add_argument("--workers", default="1,2", help="worker counts, the first is the baseline")
    ap.add_argument("--chunk", type=int, default=250, help="keys per chunk")
    ap.add_argument("--encoder", default="e5-small")
    ap.add_argument("--broker", default="redis://127.0.0.1:6379/6")
    ap.add_argument("--db-url", help="default: a new SQLite file in a temporary folder")
    args = ap.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # stop the workers on the way out
    counts = [int(c) for c in args.workers.split(",")]
    client = redis.Redis.from_url(args.broker)
    client.flushdb()
    os.environ["WORKBRIDGE_BROKER_URL"] = args.broker  # this process submits to the broker
    app._state.pop("celery", None)
    with tempfile.TemporaryDirectory(prefix="bench-jobs-") as tmp:
        folder = Path(tmp)
        url = args.db_url or f"sqlite:///{folder / 'wb.db'}"
        migrate.upgrade(url)
        seed_env = _env(url, "", folder, WORKBRIDGE_ENCODER="fake")
        seed_env.pop("WORKBRIDGE_BROKER_URL")
        t0 = time.perf_counter()
        subprocess.run([str(BIN / "workbridge"), "demo", "seed", "--size", str(args.n), "-q"],
                       env=seed_env, check=True)
        print(f"seeded {args.n} vacancies in {time.perf_counter() - t0:.1f} s", flush=True)
        rt = Runtime(load_settings(database_url=url, index_dir=folder / "indexes",
                                   encoder=args.encoder))
        rows = []
        for w in counts:
            wall, encoded, chunks = run(rt, w, args.chunk, args.encoder, args.broker, folder)
            rows.append([w, chunks, encoded, wall, encoded / wall])
            print(f"{w} worker(s): {encoded} texts in {wall:.1f} s", flush=True)
        rt.dispose()
    client.flushdb()
    print(load_line())
    print(f"re-embed {args.n} vacancies ({args.encoder}, chunks of {args.chunk}, "
          f"{'SQLite' if not args.db_url else 'given database'}, Redis broker)")
    print(table(["workers", "chunks", "texts encoded", "wall s", "texts/s"], rows))
    base = rows[0][3]
    for row in rows[1:]:
        print(f"speed-up {row[0]} workers vs {rows[0][0]}: {base / row[3]:.2f}x")


if __name__ == "__main__":
    main()
