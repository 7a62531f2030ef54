"""Shared helpers of the benchmark scripts: load line, timing percentiles, resident memory,
and a plain-text table printer (every script prints its baseline in the same table).
"""

from __future__ import annotations

import os
import platform
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any

import numpy as np


def load_line() -> str:
    """Date, CPU count and the 1/5/15-minute load averages, for the header of each table."""
    one, five, fifteen = os.getloadavg()
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    return (f"{stamp} | {platform.node()} | cpus={os.cpu_count()} | "
            f"load {one:.2f} {five:.2f} {fifteen:.2f}")


def rss_mb() -> float:
    """Resident set size of this process in MB (Linux /proc; 0 elsewhere)."""
    try:
        with open("/proc/self/statm") as fh:
            pages = int(fh.read().split()[1])
    except OSError:
        return 0.0
    return pages * os.sysconf("SC_PAGE_SIZE") / 1e6


def percentiles(samples_ms: Sequence[float]) -> tuple[float, float, float]:
    """p50, p95 and p99 of ``samples_ms``."""
    arr = np.asarray(samples_ms, dtype=np.float64)
    if not len(arr):
        return float("nan"), float("nan"), float("nan")
    p50, p95, p99 = np.percentile(arr, [50, 95, 99])
    return float(p50), float(p95), float(p99)


def timed(fn: Callable[[], Any]) -> tuple[Any, float]:
    """``fn()`` and its wall time in seconds."""
    start = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - start


def table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """A Markdown table (pastes into docs/BENCHMARKS.md as is)."""
    def cell(value: Any) -> str:
        if isinstance(value, float):
            return f"{value:.3f}" if abs(value) < 10 else f"{value:.1f}"
        return str(value)

    body = [[cell(v) for v in row] for row in rows]
    widths = [max(len(h), *(len(r[i]) for r in body)) if body else len(h)
              for i, h in enumerate(headers)]

    def line(vals: Sequence[str]) -> str:
        return "| " + " | ".join(v.ljust(w) for v, w in zip(vals, widths, strict=True)) + " |"

    sep = "|" + "|".join("-" * (w + 2) for w in widths) + "|"
    return "\n".join([line(list(headers)), sep, *(line(r) for r in body)])
