"""The text signal of the ranking core: dense cosine, optionally fused with other text signals.

The ``semantic`` component reads one similarity per pair, on the cosine scale the ranking
weights were set for. :func:`fused_similarity` turns the fusion of
:mod:`matcher.retrieval.fusion` (per-query z-scores of the dense cosine, a title cosine and
lexical BM25) back onto that scale for one query's candidates::

    sim' = dense + std(dense) * sum(w_s / w_dense * zscore(s))   over the other signals s

so the fused order is the text order, the other components keep their weight relative to the
text, and a signal that says nothing (absent, or the same for every candidate) leaves the
dense cosine exactly as it was. Callers compute it once over a query's candidate set (the
z-scores depend on the set) and hand the result to the components as the similarity. A fused
value above the best cosine of the set is squashed (monotonically) below 1, so it stays a
similarity the ``semantic`` component reads without clipping ties.

The engine (recommendations, candidates, ``workbridge match``) fuses the FAISS cosine with
lexical BM25 of the fetched candidates (:func:`engine_fusion`: the lexical weight depends on
the query's script) when :func:`fusion_enabled` (environment ``WORKBRIDGE_TEXT_FUSION``).
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping

import numpy as np

from matcher.retrieval.fusion import DEFAULT_FUSION, FLAT, FusionConfig, zscore
from matcher.retrieval.query_clean import clean_query

DENSE = "dense"
LEXICAL = "lexical"
FUSION_ENV = "WORKBRIDGE_TEXT_FUSION"
#: The engine's signals: its stored vector's cosine and lexical BM25 (no title vector: that
#: would need a second stored vector per row), by the query's script. Weights chosen on the
#: tune splits of the development sets (grid .25 / .5 / 1 / 2; README, issue 18): character
#: bigrams say much more about a Chinese title than word n-grams about an English one.
ENGINE_FUSION = {"han": FusionConfig({DENSE: 1.0, LEXICAL: 2.0}),
                 "latin": FusionConfig({DENSE: 1.0, LEXICAL: 0.5})}
#: Whether the engine cleans the person's text (query_clean) before the lexical match
#: (tune: +0.02 Acc@1 on Chinese, no change on English).
CLEAN_QUERY = True
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_LATIN_WORD = re.compile(r"[A-Za-z]{2,}")


def engine_fusion(text: str) -> FusionConfig:
    """The engine's fusion weights for a query text: ``han`` when it has at least as many Han
    characters as Latin words, else ``latin``."""
    han = len(_HAN.findall(text or ""))
    return ENGINE_FUSION["han" if han and han >= len(_LATIN_WORD.findall(text)) else "latin"]


FUSION_DEFAULT = False  # on: WORKBRIDGE_TEXT_FUSION=1 (explain.py must read the fused value first)


def fusion_enabled() -> bool:
    """Whether the engine fuses lexical scores into its text signal (``WORKBRIDGE_TEXT_FUSION``)."""
    raw = os.environ.get(FUSION_ENV, "").strip().lower()
    if not raw:
        return FUSION_DEFAULT
    return raw not in ("0", "false", "no", "off")


def engine_query(text: str) -> str:
    """The text the engine matches lexically for a query text (cleaned if :data:`CLEAN_QUERY`)."""
    return clean_query(text) if CLEAN_QUERY else text


def fused_similarity(dense: np.ndarray, others: Mapping[str, np.ndarray | None],
                     config: FusionConfig = DEFAULT_FUSION) -> np.ndarray:
    """One query's candidate similarities with the other text signals fused in (see module)."""
    base = np.asarray(dense, dtype=np.float64).ravel()
    w_dense = config.weights.get(DENSE, 0.0)
    spread = float(base.std()) if base.size else 0.0
    if config.method != "zscore" or w_dense <= 0 or spread <= FLAT:
        return base
    out = base.copy()
    for name, values in others.items():
        w = config.weights.get(name, 0.0)
        if values is None or w == 0 or name == DENSE:
            continue
        signal = np.asarray(values, dtype=np.float64).ravel()
        if signal.shape != base.shape:
            raise ValueError(f"signal {name}: {signal.shape} values for {base.shape} candidates")
        out += spread * (w / w_dense) * zscore(signal)[0]
    return squash_above(out, float(base.max()))


def squash_above(values: np.ndarray, knee: float, top: float = 1.0) -> np.ndarray:
    """``values`` unchanged up to ``knee``, those above mapped monotonically into
    ``(knee, top)``."""
    room = top - knee
    if room <= FLAT or not (values > knee).any():
        return values
    over = values > knee
    out = values.copy()
    out[over] = knee + room * np.tanh((values[over] - knee) / room)
    return out
