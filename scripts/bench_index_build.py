"""`workbridge index build` twice on an unchanged database: the first run encodes every text
and stores the vectors, the second builds FAISS from the stored vectors and encodes nothing;
a third run after one vacancy's title changed encodes that one text.

For each size a SQLite database is seeded with the demo city by the console script
(`workbridge demo seed --size N`, which stores no vectors), then `index build` (all kinds)
runs three times with the chosen encoder; wall time includes process start and model load.
With ``--folder`` the databases are kept in ``FOLDER/nSIZE`` and a seeded one is reused.

    .venv/bin/python scripts/bench_index_build.py                      # 10,000, e5-small
    nice -n 10 .venv/bin/python scripts/bench_index_build.py --sizes 10000,100000 \\
        --folder /tmp/bench20
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _bench_common import load_line, table  # noqa: E402

BIN = Path(sys.executable).parent


def environment(folder: Path, encoder: str) -> dict[str, str]:
    """The environment of the CLI on the database in ``folder``."""
    return {**os.environ, "WORKBRIDGE_DATABASE_URL": f"sqlite:///{folder / 'bench.db'}",
            "WORKBRIDGE_INDEX_DIR": str(folder / "idx"), "WORKBRIDGE_SECRET_KEY": "bench",
            "WORKBRIDGE_ENCODER": encoder, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}


def run(env: dict[str, str], *args: str) -> tuple[float, str]:
    """One console-script command: seconds and output; exits on failure."""
    started = time.perf_counter()
    done = subprocess.run([str(BIN / "workbridge"), *args], env=env, capture_output=True,
                          text=True, check=False)
    if done.returncode:
        raise SystemExit(done.stderr[-3000:])
    return time.perf_counter() - started, done.stdout


def seed(env: dict[str, str], folder: Path, size: int) -> float | None:
    """Seed the demo city of ``size`` vacancies (None: ``folder`` was seeded before)."""
    if (folder / "seeded").exists():
        return None
    run(env, "db", "upgrade")
    seconds, _ = run(env, "demo", "seed", "--size", str(size), "--quiet")
    (folder / "seeded").write_text(f"{seconds:.1f}\n")
    return seconds


def build(env: dict[str, str]) -> tuple[float, int, int, str]:
    """One `workbridge index build`: seconds, texts encoded, vectors indexed, output."""
    seconds, out = run(env, "index", "build", "--quiet")
    encoded = sum(int(n) for n in re.findall(r"(\d+) texts encoded", out))
    vectors = sum(int(n) for n in re.findall(r"(\d+) vectors,", out))
    return seconds, encoded, vectors, out


def change_one(folder: Path) -> None:
    """Give the first vacancy a title no other row has (as a bulk import would: no vector)."""
    import sqlite3

    with sqlite3.connect(folder / "bench.db") as conn:
        conn.execute("UPDATE vacancies SET title = ? WHERE id = (SELECT min(id) FROM vacancies)",
                     (f"基准测试岗位 {time.time_ns()}",))


def measure(folder: Path, size: int, encoder: str) -> list[list[object]]:
    """Seed, then build three times; the table rows of ``size``."""
    folder.mkdir(parents=True, exist_ok=True)
    env = environment(folder, encoder)
    seeded = seed(env, folder, size)
    print(f"{size}: seeded in {seeded if seeded is None else round(seeded, 1)} s",
          file=sys.stderr)
    first = build(env)
    second = build(env)
    change_one(folder)
    third = build(env)
    print(first[3] + second[3] + third[3], file=sys.stderr, flush=True)
    return [[size, "first (empty store)", first[2], first[1], first[0]],
            [size, "second (unchanged)", second[2], second[1], second[0]],
            [size, "third (one title changed)", third[2], third[1], third[0]],
            [size, "ratio second / first", "", "", second[0] / first[0]]]


def main() -> None:
    """Print the table and the second/first ratio of each size."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="10000", help="comma-separated vacancy counts")
    ap.add_argument("--encoder", default="e5-small")
    ap.add_argument("--folder", type=Path, help="keep the databases here (default: temporary)")
    args = ap.parse_args()
    print(load_line())
    rows: list[list[object]] = []
    for size in [int(s) for s in args.sizes.split(",")]:
        if args.folder:
            rows += measure(args.folder / f"n{size}", size, args.encoder)
        else:
            with tempfile.TemporaryDirectory(prefix="wb-bench-build-") as tmp:
                rows += measure(Path(tmp), size, args.encoder)
    print(load_line())
    print(table(["vacancies", "index build", "vectors", "texts encoded", "seconds"], rows))


if __name__ == "__main__":
    main()
