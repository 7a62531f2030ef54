"""Filtered vector search benchmark: the engine's index types on synthetic vacancy sets.

Synthetic but shaped like the real thing: 384-d unit vectors around 300 occupation
centres (cosine about 0.85 to their centre), vacancies spread over 30 cities of a country
(Zipf sizes, each city with its own occupation mix, so location and embedding correlate),
and per query a seeker near one occupation living in one city. The hard-constraint filter
is "within the seeker's travel radius", the radius chosen per query so that exactly 50%,
10% or 1% of the vacancies are allowed.

Every configuration runs through :class:`matcher.index.live.LiveIndex` (the engine's own
search path: bitmap ``IDSelector``, exact scoring below ``EXACT_LIMIT`` allowed slots), and
is compared with the exact filtered top-k (numpy gather + matmul on float32), measured in the
same run. Searches use ``--search-threads`` OpenMP threads (default 1: one request, one
core; a 2-core server runs 2 workers), builds ``--build-threads``.

    .venv/bin/python scripts/bench_search.py                   # 100,000 vacancies (~3 min)
    .venv/bin/python scripts/bench_search.py --size 1000000 --types flat,ivf-sq8
    .venv/bin/python scripts/bench_search.py --size 1000000 --shards 4 --types ivf-sq8
"""

from __future__ import annotations

import argparse
import logging
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _bench_common import load_line, percentiles, rss_mb, table  # noqa: E402

from matcher.index import live as live_mod  # noqa: E402
from matcher.index.store import IndexMeta, make_index  # noqa: E402
from matcher.matching.tables import Table  # noqa: E402

log = logging.getLogger("bench_search")
DIM = 384
K = 20
SELECTIVITIES = (0.5, 0.1, 0.01)


@dataclass
class Dataset:
    """Vectors, locations and the per-query filters with their exact answers."""

    x: np.ndarray  # (n, dim) float32 unit rows
    lat: np.ndarray
    lon: np.ndarray
    city: np.ndarray
    queries: np.ndarray  # (q, dim)
    masks: dict[float, list[np.ndarray]]  # selectivity -> one mask per query
    truth: dict[float, list[np.ndarray]]  # selectivity -> exact top-K slot ids per query
    exact_ms: dict[float, list[float]]  # the baseline's latency per query


def _unit(a: np.ndarray) -> np.ndarray:
    return (a / np.linalg.norm(a, axis=1, keepdims=True)).astype(np.float32)


def _haversine(lat0: float, lon0: float, lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
    p0, p = np.radians(lat0), np.radians(lat)
    dp, dl = p - p0, np.radians(lon - lon0)
    a = np.sin(dp / 2) ** 2 + np.cos(p0) * np.cos(p) * np.sin(dl / 2) ** 2
    return 12742.0 * np.arcsin(np.sqrt(np.minimum(a, 1.0)))


def exact_topk(x: np.ndarray, q: np.ndarray, mask: np.ndarray, k: int) -> np.ndarray:
    """The baseline: exact filtered top-k by gathering allowed rows and one matmul."""
    slots = np.flatnonzero(mask)
    sims = x[slots] @ q
    want = min(k, len(slots))
    part = np.argpartition(-sims, want - 1)[:want] if want < len(slots) else np.arange(want)
    order = part[np.argsort(-sims[part], kind="stable")]
    return slots[order]


def make_dataset(n: int, n_queries: int, seed: int) -> Dataset:
    """Clustered vectors over a country of cities, queries, masks and exact answers."""
    rng = np.random.default_rng(seed)
    n_occ, n_city = 300, 30
    centres = _unit(rng.standard_normal((n_occ, DIM)))
    city_w = 1.0 / np.arange(1, n_city + 1)
    city_w /= city_w.sum()
    city_lat = rng.uniform(22.0, 45.0, n_city)
    city_lon = rng.uniform(100.0, 125.0, n_city)
    mix = rng.dirichlet(np.full(n_occ, 0.3), n_city)  # each city's occupation mix
    city = rng.choice(n_city, n, p=city_w)
    occ = np.empty(n, dtype=np.int64)
    for c in range(n_city):
        rows = np.flatnonzero(city == c)
        occ[rows] = rng.choice(n_occ, len(rows), p=mix[c])
    x = np.empty((n, DIM), dtype=np.float32)
    for lo in range(0, n, 100_000):
        hi = min(n, lo + 100_000)
        noise = rng.standard_normal((hi - lo, DIM)).astype(np.float32) * (0.6 / np.sqrt(DIM))
        x[lo:hi] = _unit(centres[occ[lo:hi]] + noise)
    lat = city_lat[city] + rng.normal(0, 0.15, n)
    lon = city_lon[city] + rng.normal(0, 0.15, n)
    q_city = rng.choice(n_city, n_queries, p=city_w)
    q_occ = np.array([rng.choice(n_occ, p=mix[c]) for c in q_city])
    noise = rng.standard_normal((n_queries, DIM)).astype(np.float32) * (0.8 / np.sqrt(DIM))
    queries = _unit(centres[q_occ] + noise)
    masks: dict[float, list[np.ndarray]] = {s: [] for s in SELECTIVITIES}
    truth: dict[float, list[np.ndarray]] = {s: [] for s in SELECTIVITIES}
    exact_ms: dict[float, list[float]] = {s: [] for s in SELECTIVITIES}
    for i in range(n_queries):
        home_lat = city_lat[q_city[i]] + rng.normal(0, 0.1)
        home_lon = city_lon[q_city[i]] + rng.normal(0, 0.1)
        dist = _haversine(home_lat, home_lon, lat, lon)
        for s in SELECTIVITIES:
            radius = np.partition(dist, int(s * n) - 1)[int(s * n) - 1]
            mask = dist <= radius
            start = time.perf_counter()
            top = exact_topk(x, queries[i], mask, K)
            exact_ms[s].append((time.perf_counter() - start) * 1e3)
            masks[s].append(mask)
            truth[s].append(top)
    return Dataset(x, lat, lon, city, queries, masks, truth, exact_ms)


class _SlotTable(Table):
    """The smallest attribute table a LiveIndex accepts (the masks are built outside)."""

    COLUMNS = {"live": (np.bool_, False)}  # noqa: RUF012


def build(index_type: str, x: np.ndarray, keys: np.ndarray) -> tuple[live_mod.LiveIndex, float,
                                                                      float]:
    """A LiveIndex of ``index_type`` over ``x``; returns it, build seconds, index MB."""
    import faiss

    start = time.perf_counter()
    train = None
    if index_type == "ivf-sq8":
        rng = np.random.default_rng(0)
        sample = rng.choice(len(x), min(len(x), 100_000), replace=False)
        train = x[np.sort(sample)]
    index: Any = make_index(index_type, DIM, train)
    for lo in range(0, len(x), 50_000):
        index.add_with_ids(x[lo:lo + 50_000], keys[lo:lo + 50_000])
    seconds = time.perf_counter() - start
    t = _SlotTable(capacity=len(x))
    t.append([{"live": True, "skills": []}] * len(x))
    meta = IndexMeta(kind="bench", encoder="synthetic", encoder_version="1", dim=DIM,
                     index_type=index_type)
    mb = faiss.serialize_index(index).nbytes / 1e6
    return live_mod.LiveIndex(index, t, meta), seconds, mb


def run_config(live: live_mod.LiveIndex, data: Dataset, sel: float,
               shard_of: list[np.ndarray] | None = None,
               shards: list[live_mod.LiveIndex] | None = None) -> tuple[float, float, float]:
    """p50 ms, p95 ms and mean recall@K of one configuration at one selectivity."""
    times, recalls = [], []
    for q, mask, truth in zip(data.queries, data.masks[sel], data.truth[sel], strict=True):
        start = time.perf_counter()
        if shards is None:
            keys, _ = live.search(q, mask, K)
        else:
            assert shard_of is not None
            parts = [s.search(q, mask[rows], K) for s, rows in zip(shards, shard_of, strict=True)]
            all_keys = np.concatenate([p[0] for p in parts])
            all_sims = np.concatenate([p[1] for p in parts])
            keys = all_keys[np.lexsort((all_keys, -all_sims))[:K]]
        times.append((time.perf_counter() - start) * 1e3)
        recalls.append(len(np.intersect1d(keys, truth)) / max(len(truth), 1))
    p50, p95, _ = percentiles(times)
    return p50, p95, float(np.mean(recalls))


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print one table per size."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--size", type=int, default=100_000)
    ap.add_argument("--queries", type=int, default=200)
    ap.add_argument("--types", default="flat,hnsw,ivf-sq8")
    ap.add_argument("--nprobe", default="16,64", help="IVF nprobe values to sweep")
    ap.add_argument("--exact-limit", default=str(live_mod.EXACT_LIMIT),
                    help="EXACT_LIMIT values to compare (comma-separated)")
    ap.add_argument("--shards", type=int, default=0, help="also search N region shards")
    ap.add_argument("--search-threads", type=int, default=1)
    ap.add_argument("--build-threads", type=int, default=2)
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args(argv)
    import faiss

    logging.basicConfig(level=logging.INFO, format="%(message)s")
    limits = [int(v) for v in args.exact_limit.split(",")]
    print(f"# bench_search size={args.size} queries={args.queries} k={K} "
          f"search_threads={args.search_threads} build_threads={args.build_threads} "
          f"exact_limit={args.exact_limit}")
    print("# " + load_line())
    start = time.perf_counter()
    data = make_dataset(args.size, args.queries, args.seed)
    print(f"# data + exact answers: {time.perf_counter() - start:.1f} s, "
          f"raw float32 {data.x.nbytes / 1e6:.0f} MB")
    rows: list[list[Any]] = []
    for sel in SELECTIVITIES:
        p50, p95, _ = percentiles(data.exact_ms[sel])
        rows.append(["baseline numpy exact (gather+matmul)", f"{sel:.0%}", p50, p95, 1.0, "-",
                     f"{data.x.nbytes / 1e6:.0f}"])
    keys = np.arange(len(data.x), dtype=np.int64)
    for index_type in args.types.split(","):
        faiss.omp_set_num_threads(args.build_threads)
        before = rss_mb()
        live, seconds, mb = build(index_type, data.x, keys)
        log.info("built %s in %.1f s (%.0f MB, RSS +%.0f MB)", index_type, seconds, mb,
                 rss_mb() - before)
        faiss.omp_set_num_threads(args.search_threads)
        probes = [int(p) for p in args.nprobe.split(",")] if index_type == "ivf-sq8" else [0]
        for nprobe, limit in [(p, lim) for p in probes for lim in limits]:
            if nprobe:
                live_mod.IVF_NPROBE = nprobe
            live_mod.EXACT_LIMIT = limit
            label = f"engine {index_type}" + (f" nprobe={nprobe}" if nprobe else "") + (
                f" exact<={limit}" if len(limits) > 1 else "")
            for sel in SELECTIVITIES:
                p50, p95, recall = run_config(live, data, sel)
                rows.append([label, f"{sel:.0%}", p50, p95, recall, f"{seconds:.1f}",
                             f"{mb:.0f}"])
                log.info("%s at %.0f%%: p50 %.2f ms, p95 %.2f ms, recall %.3f", label,
                         sel * 100, p50, p95, recall)
        live_mod.EXACT_LIMIT = limits[0]
        if args.shards:
            faiss.omp_set_num_threads(args.build_threads)
            shard_id = data.city % args.shards  # whole cities per shard (region sharding)
            shard_of = [np.flatnonzero(shard_id == s) for s in range(args.shards)]
            start = time.perf_counter()
            shards = [build(index_type, data.x[rows_], rows_.astype(np.int64))[0]
                      for rows_ in shard_of]
            shard_s = time.perf_counter() - start
            faiss.omp_set_num_threads(args.search_threads)
            for sel in SELECTIVITIES:
                p50, p95, recall = run_config(live, data, sel, shard_of, shards)
                rows.append([f"{args.shards} shards {index_type} (merged top-{K})", f"{sel:.0%}",
                             p50, p95, recall, f"{shard_s:.1f}", "-"])
            del shards
        del live
    print(table(["configuration", "allowed", "p50 ms", "p95 ms", f"recall@{K}", "build s",
                 "index MB"], rows))
    print("# " + load_line())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
