"""Compare text compositions and encoders on the labelled job-matching set; prints one table.

Usage: ``.venv/bin/python scripts/eval_matching.py [--encoders e5-small,minilm] [--no-engine]
[--devsets [en_onet,en_ons,zh_104,zh_104_noisy]] [--no-hand]``

``--devsets`` also reports the public development sets (``matcher/data/devsets``, built by
``scripts/build_devsets.py`` from PyPI packages; see ``scripts/devset_eval.py``): per set and
per language, tune and test splits, Acc@1 / Recall@10 / MRR@10 of each single model (e5-small,
the Universal Sentence Encoder, MiniLM for English), lexical BM25 alone, the fused retrieval
(:mod:`matcher.retrieval.fusion`) step by step, and the engine with the lexical fusion off and
on (`WORKBRIDGE_TEXT_FUSION`).

Every row ranks all 199 vacancies for each of the 99 seekers of
``matcher/data/eval_matching.json`` (relevant = the seeker's occupation family) and reports
Acc@1, Recall@10, MRR@10, nDCG@10, nDCG@10 split by the seeker's language, and vague@10:
the share of (seeker, relevant vacancy with a vague title such as 普工) pairs found in the
top 10, i.e. whether the description is still heard. The ``engine`` row calls
``matcher.recommend.evaluation.engine_rank(seekers, vacancies) -> list[list[vacancy_id]]``
when that module exists (seekers and vacancies are the dicts of the JSON file).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

from matcher import texts  # noqa: E402
from matcher.encoders import Encoder, get_encoder  # noqa: E402
from matcher.eval_metrics import (  # noqa: E402
    DEVSETS,
    eval_relevance,
    evaluate,
    load_eval_set,
    ndcg_at_k,
)
from matcher.eval_metrics import rank_ids as rank_from_scores  # noqa: E402

Row = dict[str, Any]
TextFn = Callable[[dict[str, Any]], str]


def plain_vacancy(v: dict[str, Any]) -> str:
    """``title. skills. description`` with no labels."""
    return f"{v['title']}. {'; '.join(v['skills'])}. {v['description']}"


def plain_seeker(s: dict[str, Any]) -> str:
    """``desired. skills. experience`` with no labels."""
    return f"{'; '.join(s['desired_positions'])}. {'; '.join(s['skills'])}. {s['experience']}"


def plain_title_skills(v: dict[str, Any]) -> str:
    """``title. skills`` with no labels, description left out."""
    return f"{v['title']}. {'; '.join(v['skills'])}"


def newline_vacancy(v: dict[str, Any]) -> str:
    """Fields on separate lines, no labels."""
    return "\n".join(p for p in (v["title"], "; ".join(v["skills"]), v["description"]) if p)


def newline_seeker(s: dict[str, Any]) -> str:
    """Fields on separate lines, no labels."""
    parts = ("; ".join(s["desired_positions"]), "; ".join(s["skills"]), s["experience"])
    return "\n".join(p for p in parts if p)


def labelled_seeker(s: dict[str, Any]) -> str:
    """The vacancy labels applied to a seeker too (a variant that was not kept)."""
    return texts.labelled([
        (texts.LABEL_JOB, texts.join_items(s["desired_positions"])),
        (texts.LABEL_SKILLS, texts.join_items(s["skills"])),
        ("经历 Experience", texts.clean(s["experience"])),
    ])


def labelled_title_skills(v: dict[str, Any]) -> str:
    """The chosen labels, description left out."""
    return texts.vacancy_text(v["title"], v["skills"])


class Scorer:
    """Cosine scores of seekers against vacancies for one encoder, caching embeddings."""

    def __init__(self, encoder: Encoder, data: dict[str, Any]) -> None:
        self.encoder = encoder
        self.seekers, self.vacancies = data["seekers"], data["vacancies"]
        self._cache: dict[tuple[bool, str], np.ndarray] = {}

    def _embed(self, items: Sequence[str], query: bool) -> np.ndarray:
        missing = list(dict.fromkeys(t for t in items if (query, t) not in self._cache))
        if missing:
            encode = self.encoder.encode_queries if query else self.encoder.encode_documents
            for text, vec in zip(missing, encode(missing), strict=True):
                self._cache[(query, text)] = vec
        return np.stack([self._cache[(query, t)] for t in items])

    def scores(self, seeker_fn: TextFn, vacancy_fn: TextFn) -> np.ndarray:
        """``(seekers, vacancies)`` cosine matrix for one composition."""
        q = self._embed([seeker_fn(s) for s in self.seekers], query=True)
        d = self._embed([vacancy_fn(v) for v in self.vacancies], query=False)
        return q @ d.T


def tfidf_scores(data: dict[str, Any]) -> np.ndarray:
    """Character 1-3-gram TF-IDF cosine baseline on the plain concatenated texts."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    docs = [plain_vacancy(v) for v in data["vacancies"]]
    queries = [plain_seeker(s) for s in data["seekers"]]
    vectorizer = TfidfVectorizer(analyzer="char", ngram_range=(1, 3), sublinear_tf=True)
    vectorizer.fit(docs + queries)
    scores = vectorizer.transform(queries) @ vectorizer.transform(docs).T
    return np.asarray(scores.todense())


def encoder_rows(spec: str, data: dict[str, Any]) -> list[tuple[str, np.ndarray]]:
    """Score matrices of every composition tried with one encoder."""
    scorer = Scorer(get_encoder(spec), data)
    fields = [lambda v: v["title"], lambda v: "; ".join(v["skills"]), lambda v: v["description"]]
    chosen = scorer.scores(texts.person_text_of, texts.vacancy_text_of)
    rows = [(f"{spec} plain concat", scorer.scores(plain_seeker, plain_vacancy))]
    if spec != "e5-small":
        return [*rows, (f"{spec} texts.py (chosen)", chosen)]
    field_scores = [scorer.scores(plain_seeker, fn) for fn in fields]
    title_skills = scorer.scores(texts.person_text_of, labelled_title_skills)
    return [
        *rows,
        (f"{spec} newline join, no labels", scorer.scores(newline_seeker, newline_vacancy)),
        (f"{spec} title only", field_scores[0]),
        (f"{spec} title + skills", scorer.scores(plain_seeker, plain_title_skills)),
        (f"{spec} fields t/s/d .5/.25/.25",
         0.5 * field_scores[0] + 0.25 * field_scores[1] + 0.25 * field_scores[2]),
        (f"{spec} labelled title + skills", title_skills),
        (f"{spec} 2 vectors .6 t+s / .4 full", 0.6 * title_skills + 0.4 * chosen),
        (f"{spec} labels on seekers too", scorer.scores(labelled_seeker, texts.vacancy_text_of)),
        (f"{spec} texts.py (chosen)", chosen),
    ]


def summarize(name: str, ranked: list[list[str]], data: dict[str, Any]) -> Row:
    """All table metrics for one ranking of every seeker."""
    relevant = eval_relevance(data)
    row: Row = {"name": name, **evaluate(ranked, relevant, k=10)}
    langs = [s["lang"] for s in data["seekers"]]
    for lang in ("zh", "en", "mixed"):
        vals = [ndcg_at_k(r, rel) for r, rel, g in zip(ranked, relevant, langs, strict=True)
                if g == lang]
        row[f"nDCG {lang}"] = float(np.mean(vals)) if vals else float("nan")
    vague = {v["id"] for v in data["vacancies"] if v.get("vague_title")}
    pairs = [vid in r[:10] for r, rel in zip(ranked, relevant, strict=True) for vid in rel & vague]
    row["vague@10"] = float(np.mean(pairs)) if pairs else float("nan")
    return row


def engine_rankings(data: dict[str, Any]) -> list[list[str]] | None:
    """Rankings from the ranking engine, or None (with a printed reason) when unavailable."""
    try:
        from matcher.recommend.evaluation import engine_rank
    except ImportError as exc:
        print(f"engine row skipped: matcher.recommend.evaluation.engine_rank unavailable ({exc})")
        return None
    try:
        return [list(r) for r in engine_rank(data["seekers"], data["vacancies"])]
    except Exception as exc:  # report and keep the rest of the table
        print(f"engine row skipped: engine_rank failed: {type(exc).__name__}: {exc}")
        return None


def print_table(rows: list[Row]) -> None:
    """One fixed-width table, a row per method."""
    cols = ["acc@1", "recall@10", "mrr@10", "ndcg@10", "nDCG zh", "nDCG en", "nDCG mixed",
            "vague@10"]
    width = max(len(r["name"]) for r in rows) + 2
    print("method".ljust(width) + " ".join(c.rjust(10) for c in cols))
    for r in rows:
        cells = [f"{r[c]:.3f}" for c in cols]
        print(r["name"].ljust(width) + " ".join(c.rjust(10) for c in cells))


def main(argv: list[str] | None = None) -> int:
    """Run every method and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--encoders", default="e5-small,minilm", help="comma-separated specs")
    parser.add_argument("--no-engine", action="store_true", help="skip the engine row")
    parser.add_argument("--devsets", nargs="?", const=",".join(DEVSETS), default="",
                        help="also evaluate these public development sets (default: all)")
    parser.add_argument("--no-hand", action="store_true", help="skip the hand-labelled set")
    args = parser.parse_args(argv)
    if not args.no_hand:
        hand_set(args)
    if args.devsets:
        sys.path.insert(0, str(Path(__file__).resolve().parent))
        from devset_eval import run

        run([s.strip() for s in args.devsets.split(",") if s.strip()],
            engine=not args.no_engine)
    return 0


def hand_set(args: argparse.Namespace) -> None:
    """The hand-labelled set's table."""
    data = load_eval_set()
    ids = [v["id"] for v in data["vacancies"]]
    langs = {g: sum(s["lang"] == g for s in data["seekers"]) for g in ("zh", "en", "mixed")}
    print(f"eval set: {len(data['seekers'])} seekers {langs}, {len(data['vacancies'])} vacancies, "
          f"{len(data['families'])} families")
    tfidf = rank_from_scores(tfidf_scores(data), ids, 10)
    rows: list[Row] = [summarize("tfidf char 1-3 (plain concat)", tfidf, data)]
    for spec in [s.strip() for s in args.encoders.split(",") if s.strip()]:
        started = time.perf_counter()
        scored = encoder_rows(spec, data)
        enc = get_encoder(spec)
        print(f"encoder {spec}: version {enc.version}, load+encode "
              f"{time.perf_counter() - started:.1f}s")
        rows += [summarize(name, rank_from_scores(sc, ids, 10), data) for name, sc in scored]
    if not args.no_engine:
        started = time.perf_counter()
        engine = engine_rankings(data)
        if engine is not None:
            rows.append(summarize("engine", engine, data))
            print(f"engine: {time.perf_counter() - started:.1f}s")
    print_table(rows)


if __name__ == "__main__":
    raise SystemExit(main())
