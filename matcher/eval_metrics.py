"""Ranking-quality metrics for the matching evaluation (binary relevance).

Every function takes one query's ranked list of ids (best first) and the set of relevant
ids; :func:`evaluate` averages them over queries. Conventions:

* ``recall@k`` = relevant ids in the top k / all relevant ids (0 when nothing is relevant);
* ``mrr@k`` = 1 / rank of the first relevant id within the top k, else 0;
* ``ndcg@k`` uses gain 1 per relevant id and discount ``1/log2(rank + 1)``, normalized by
  the ideal ranking of ``min(len(relevant), k)`` relevant ids.
"""

from __future__ import annotations

import json
import math
from collections.abc import Collection, Hashable, Iterable, Sequence
from pathlib import Path
from typing import Any, TypeVar

import numpy as np

Id = TypeVar("Id", bound=Hashable)

EVAL_SET_PATH = Path(__file__).resolve().parent / "data" / "eval_matching.json"

METRIC_NAMES = ("acc@1", "recall@10", "mrr@10", "ndcg@10")


def accuracy_at_1(ranked: Sequence[Hashable], relevant: Collection[Hashable]) -> float:
    """1.0 when the top-ranked id is relevant, else 0.0."""
    return 1.0 if ranked and ranked[0] in relevant else 0.0


def recall_at_k(ranked: Sequence[Hashable], relevant: Collection[Hashable], k: int = 10) -> float:
    """Share of the relevant ids found in the top ``k``."""
    if not relevant:
        return 0.0
    hits = sum(1 for item in ranked[:k] if item in relevant)
    return hits / len(relevant)


def mrr_at_k(ranked: Sequence[Hashable], relevant: Collection[Hashable], k: int = 10) -> float:
    """Reciprocal rank of the first relevant id within the top ``k`` (0 if none)."""
    for rank, item in enumerate(ranked[:k], start=1):
        if item in relevant:
            return 1.0 / rank
    return 0.0


def ndcg_at_k(ranked: Sequence[Hashable], relevant: Collection[Hashable], k: int = 10) -> float:
    """Binary-gain nDCG of the top ``k``."""
    if not relevant:
        return 0.0
    dcg = sum(
        1.0 / math.log2(rank + 1)
        for rank, item in enumerate(ranked[:k], start=1)
        if item in relevant
    )
    ideal = sum(1.0 / math.log2(rank + 1) for rank in range(1, min(len(relevant), k) + 1))
    return dcg / ideal


def evaluate(
    rankings: Sequence[Sequence[Hashable]],
    relevant: Sequence[Collection[Hashable]],
    k: int = 10,
) -> dict[str, float]:
    """Mean acc@1, recall@k, mrr@k and ndcg@k over queries (keys use ``k``)."""
    if len(rankings) != len(relevant):
        raise ValueError(f"{len(rankings)} rankings but {len(relevant)} relevance sets")
    if not rankings:
        raise ValueError("nothing to evaluate")
    totals = {"acc@1": 0.0, f"recall@{k}": 0.0, f"mrr@{k}": 0.0, f"ndcg@{k}": 0.0}
    for ranked, rel in zip(rankings, relevant, strict=True):
        totals["acc@1"] += accuracy_at_1(ranked, rel)
        totals[f"recall@{k}"] += recall_at_k(ranked, rel, k)
        totals[f"mrr@{k}"] += mrr_at_k(ranked, rel, k)
        totals[f"ndcg@{k}"] += ndcg_at_k(ranked, rel, k)
    return {name: value / len(rankings) for name, value in totals.items()}


def rank_ids(scores: np.ndarray, ids: Sequence[Id], k: int | None = None) -> list[list[Id]]:
    """Turn a ``(queries, docs)`` score matrix into id lists, best first (ties: lower index)."""
    matrix = np.asarray(scores, dtype=np.float64)
    if matrix.ndim != 2 or matrix.shape[1] != len(ids):
        raise ValueError(f"scores shape {matrix.shape} does not match {len(ids)} ids")
    order = np.argsort(-matrix, axis=1, kind="stable")
    if k is not None:
        order = order[:, :k]
    return [[ids[j] for j in row] for row in order]


def relevant_sets(
    queries: Iterable[Collection[str]], doc_groups: Sequence[tuple[Id, str]]
) -> list[set[Id]]:
    """For each query's relevant groups, the ids of the docs in those groups."""
    return [{doc_id for doc_id, group in doc_groups if group in groups} for groups in queries]


def load_eval_set(path: Path | None = None) -> dict[str, Any]:
    """Load the labelled matching set (``families``, ``vacancies``, ``seekers``)."""
    with (path or EVAL_SET_PATH).open(encoding="utf-8") as fh:
        data: dict[str, Any] = json.load(fh)
    return data


def eval_relevance(data: dict[str, Any]) -> list[set[str]]:
    """Relevant vacancy ids of each seeker of an eval set, in seeker order."""
    groups = [(v["id"], v["family"]) for v in data["vacancies"]]
    return relevant_sets([s["relevant_families"] for s in data["seekers"]], groups)


DEVSET_DIR = Path(__file__).resolve().parent / "data" / "devsets"
#: The public development sets (``scripts/build_devsets.py``), name -> language.
DEVSETS = {"en_onet": "en", "en_ons": "en", "zh_104": "zh", "zh_104_noisy": "zh"}


def load_devset(name: str) -> dict[str, Any]:
    """Load one public development set (``docs``, ``queries`` with ``target`` and ``split``)."""
    with (DEVSET_DIR / f"{name}.json").open(encoding="utf-8") as fh:
        data: dict[str, Any] = json.load(fh)
    return data
