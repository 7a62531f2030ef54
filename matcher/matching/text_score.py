"""The text signal of the ranking core: dense cosine, optionally fused with other text signals.

The ``semantic`` component reads one similarity per pair, on the cosine scale the ranking
weights were set for. :func:`fused_similarity` turns the fusion of
:mod:`matcher.retrieval.fusion` (per-query z-scores of the dense cosine, a title cosine and
lexical BM25) back onto that scale for one query's candidates::

    sim' = dense + std(dense) * sum(w_s / w_dense * zscore(s))   over the other signals s

so the fused order is the text order, the other components keep their weight relative to the
text, and a signal that says nothing (absent, or the same for every candidate) leaves the
dense cosine exactly as it was. Callers compute it once over a query's candidate set (the
z-scores depend on the set) and hand the result to the components as the similarity.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from matcher.retrieval.fusion import DEFAULT_FUSION, FLAT, FusionConfig, zscore

DENSE = "dense"


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
    return out
