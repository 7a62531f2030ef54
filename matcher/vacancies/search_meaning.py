"""The meaning signal of the public search: the query's vector against the stored vacancy
vectors, standardised per query, with one round of pseudo-relevance feedback; and the
background loading of the model so a fresh process never makes a searcher wait for it."""

from __future__ import annotations

import logging
import threading
import weakref

import numpy as np

from matcher import texts
from matcher.encoders import get_encoder
from matcher.index.registry import get_registry
from matcher.runtime import Runtime
from matcher.vacancies.search_corpus import Corpus

log = logging.getLogger(__name__)

KIND = "vacancies"
SEED_Z = 3.0  # a posting standing out this much seeds the feedback
FEEDBACK_DOCS = 5
READY_WAIT = 0.3  # seconds a search waits for an encoder that may already be in memory


def prepare(rt: Runtime | None) -> None:
    """Load (and catch up) the vacancies index; call it before the caller's transaction
    starts (loading reads the database on connections of its own)."""
    if rt is not None:
        get_registry(rt).vectors(KIND, [])


_READY: weakref.WeakSet[Runtime] = weakref.WeakSet()
_WARMING: weakref.WeakSet[Runtime] = weakref.WeakSet()
_WARM_LOCK = threading.Lock()


def _load(rt: Runtime) -> None:
    try:  # the model only: no database here (the index loads in the request, prepare()),
        # into the process-wide cache, without holding the runtime's lock (which the
        # database sessions of concurrent requests take)
        get_encoder(rt.settings.encoder).encode_queries(["warm up"])
        rt.encoder.encode_queries(["warm up"])  # now a cache hit
        _READY.add(rt)
    except Exception:  # the next search tries again; meanwhile keywords and skills serve
        log.exception("public search: loading the encoder failed")
    finally:
        with _WARM_LOCK:
            _WARMING.discard(rt)


def warm(rt: Runtime, *, wait: bool = False) -> bool:
    """Whether the meaning signal is ready in ``rt`` (its encoder loaded). If not, start
    loading the encoder in the background (``wait``: load it now) and, unless it is ready
    within :data:`READY_WAIT` seconds (a worker warmed at start, :mod:`matcher.index.warm`,
    has it in the process cache), return False: the first searches of a cold process answer
    at once by keywords and skills instead of waiting seconds for the model."""
    if rt in _READY:
        return True
    if wait:
        _load(rt)
        return rt in _READY
    with _WARM_LOCK:
        loader = None
        if rt not in _WARMING:
            _WARMING.add(rt)
            loader = threading.Thread(target=_load, args=(rt,), name="search-warm", daemon=True)
            loader.start()
    if loader is not None:
        loader.join(READY_WAIT)
    return rt in _READY


def _vectors(rt: Runtime, c: Corpus, query: str) -> tuple[np.ndarray, np.ndarray]:
    """The query's vector and every posting's stored vector."""
    reg = get_registry(rt)
    qv = reg.texts.get(rt.encoder, [query], documents=False)[0]
    vectors, found, _ = reg.stored(KIND, c.ids.tolist())
    if not found.all():  # posted since the index last synced: encode once, cached
        missing = np.flatnonzero(~found)
        docs = [texts.vacancy_text(c.titles[i], c.skills[i], c.descriptions[i]) for i in missing]
        vectors[missing] = reg.texts.get(rt.encoder, docs, documents=True)
    return qv, vectors


def _zscores(sims: np.ndarray) -> np.ndarray:
    return np.asarray((sims - sims.mean()) / max(float(sims.std()), 1e-6), dtype=np.float32)


def semantic_z(rt: Runtime, c: Corpus, query: str, lexical_hit: np.ndarray) -> np.ndarray:
    """Standardised similarity of each posting to the query, after one round of pseudo-
    relevance feedback: the query vector plus the mean vector of the (up to
    :data:`FEEDBACK_DOCS`) best postings that already match by keyword, skill or a
    z-score of :data:`SEED_Z`. Feedback carries the query across languages when only
    postings in one language name it ("mask" -> 口罩机操作工)."""
    qv, vectors = _vectors(rt, c, query)
    z = _zscores(vectors @ qv)
    seeds = np.flatnonzero(lexical_hit | (z >= SEED_Z))
    if len(seeds):
        best = seeds[np.argsort(-z[seeds], kind="stable")[:FEEDBACK_DOCS]]
        q2 = qv + vectors[best].mean(axis=0)
        z = _zscores(vectors @ (q2 / max(float(np.linalg.norm(q2)), 1e-6)))
    return z
