"""`workbridge index build` twice on an unchanged database: the first run encodes every text
and stores the vectors, the second builds FAISS from the stored vectors and encodes nothing.

For each size a scratch SQLite database is seeded with the demo city (`demo seed --size N`,
in-process, without the journeys), then the real console script runs `index build` (all
kinds) twice with the chosen encoder; wall time includes process start and model load.

    .venv/bin/python scripts/bench_index_build.py                      # 10,000, e5-small
    .venv/bin/python scripts/bench_index_build.py --sizes 10000,100000
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


def seed(folder: Path, size: int) -> dict[str, str]:
    """A demo city of ``size`` vacancies in ``folder``; the environment of its CLI."""
    from matcher import migrate
    from matcher.config import load_settings
    from matcher.demo.seed import seed_demo
    from matcher.runtime import Runtime

    url = f"sqlite:///{folder / 'bench.db'}"
    migrate.upgrade(url)
    rt = Runtime(load_settings({}, database_url=url, index_dir=folder / "idx",
                               encoder="fake", secret_key="bench"))
    try:
        seed_demo(rt, size=size, journeys=False)
    finally:
        rt.dispose()
    return {**os.environ, "WORKBRIDGE_DATABASE_URL": url,
            "WORKBRIDGE_INDEX_DIR": str(folder / "idx"), "WORKBRIDGE_SECRET_KEY": "bench",
            "HF_HUB_OFFLINE": "1"}


def build(env: dict[str, str], *extra: str) -> tuple[float, int, int, str]:
    """One `workbridge index build`: seconds, texts encoded, vectors indexed, output."""
    started = time.perf_counter()
    done = subprocess.run([str(BIN / "workbridge"), "index", "build", "--quiet", *extra],
                          env=env, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - started
    if done.returncode:
        raise SystemExit(done.stderr[-3000:])
    encoded = sum(int(n) for n in re.findall(r"(\d+) texts encoded", done.stdout))
    vectors = sum(int(n) for n in re.findall(r"(\d+) vectors,", done.stdout))
    return seconds, encoded, vectors, done.stdout


def main() -> None:
    """Print the table and the second/first ratio of each size."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="10000", help="comma-separated vacancy counts")
    ap.add_argument("--encoder", default="e5-small")
    args = ap.parse_args()
    print(load_line())
    rows = []
    for size in [int(s) for s in args.sizes.split(",")]:
        with tempfile.TemporaryDirectory(prefix="wb-bench-build-") as tmp:
            env = {**seed(Path(tmp), size), "WORKBRIDGE_ENCODER": args.encoder}
            first = build(env)
            second = build(env)
            rows.append([size, "first (empty store)", first[2], first[1], first[0]])
            rows.append([size, "second (unchanged)", second[2], second[1], second[0]])
            rows.append([size, "ratio second / first", "", "", second[0] / first[0]])
            print(first[3] + second[3], file=sys.stderr)
    print(table(["vacancies", "index build", "vectors", "texts encoded", "seconds"], rows))


if __name__ == "__main__":
    main()
