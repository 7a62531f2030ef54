"""Warming a serving process: the encoder and every index loaded before the first request.

gunicorn's ``post_worker_init`` hook (``gunicorn.conf.py``) calls :func:`warm_up` in each
worker after fork and before it accepts connections, so no user request pays for loading
the model or the indexes, and nothing FAISS-related exists in the parent process.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

from matcher.index.kinds import KINDS
from matcher.index.registry import get_registry
from matcher.runtime import Runtime

log = logging.getLogger(__name__)


def warm_up(rt: Runtime, tick: Callable[[], None] = lambda: None) -> dict[str, Any]:
    """Connect to the database, load the encoder (one inference to start its session) and
    every index kind, caught up with the change log; ``tick()`` after each step (gunicorn's
    heartbeat). Returns what was loaded and how long it took. A failure is logged, not
    raised: the worker then loads on first use."""
    started = time.perf_counter()
    facts: dict[str, Any] = {}
    try:
        rt.ping()
        encoder = rt.encoder
        tick()
        encoder.encode_queries(["warm up"])  # a write's inline embedding starts warm
        registry = get_registry(rt)
        for kind in KINDS:
            tick()
            facts[kind] = registry.live(kind).count
            registry.catch_up(kind)
        tick()
        facts["encoder"] = encoder.name
    except Exception:  # a missing database or model must not stop the worker booting
        log.exception("warm-up failed; the indexes load on first use instead")
        facts["failed"] = True
    facts["seconds"] = round(time.perf_counter() - started, 3)
    return facts
