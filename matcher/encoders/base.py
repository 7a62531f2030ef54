"""The :class:`Encoder` protocol shared by every text-embedding backend, plus small helpers.

An encoder turns texts into L2-normalized ``float32`` vectors of a fixed dimension. Queries
(what a seeker wants) and documents (what a vacancy offers) are encoded separately because
asymmetric models such as e5 embed them with different prefixes.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Protocol, runtime_checkable

import numpy as np

DIM = 384

#: Environment variables that keep Hugging Face libraries from reaching the network.
OFFLINE_ENV = {
    "HF_HUB_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "HF_DATASETS_OFFLINE": "1",
    "HF_HUB_DISABLE_TELEMETRY": "1",
    "TOKENIZERS_PARALLELISM": "false",
}


class EncoderError(ValueError):
    """An encoder spec cannot be resolved or a model cannot be loaded."""


@runtime_checkable
class Encoder(Protocol):
    """Turns texts into normalized float32 vectors; see module docstring."""

    name: str
    dim: int
    version: str

    def encode_queries(
        self, texts: Sequence[str], batch_size: int = 64, show_progress: bool = False
    ) -> np.ndarray:
        """Embed search-side texts (seekers); returns ``(n, dim)`` float32, L2-normalized."""
        ...

    def encode_documents(
        self, texts: Sequence[str], batch_size: int = 64, show_progress: bool = False
    ) -> np.ndarray:
        """Embed indexed-side texts (vacancies); returns ``(n, dim)`` float32, L2-normalized."""
        ...


def set_offline_env() -> None:
    """Force Hugging Face libraries offline (only sets variables that are unset)."""
    for key, value in OFFLINE_ENV.items():
        os.environ.setdefault(key, value)


def check_texts(texts: Sequence[str]) -> list[str]:
    """Return ``texts`` as a list, refusing a bare string or non-string items."""
    if isinstance(texts, str):
        raise TypeError("encode_* takes a sequence of strings, not a single string")
    items = list(texts)
    for i, text in enumerate(items):
        if not isinstance(text, str):
            raise TypeError(f"texts[{i}] is {type(text).__name__}, expected str")
    return items


def finalize(vectors: object, n: int, dim: int) -> np.ndarray:
    """Return ``vectors`` as a C-contiguous ``(n, dim)`` float32 matrix with unit rows."""
    arr = np.asarray(vectors, dtype=np.float32)
    if n == 0:
        return np.zeros((0, dim), dtype=np.float32)
    arr = arr.reshape(n, dim)
    norms = np.linalg.norm(arr, axis=1, keepdims=True)
    np.maximum(norms, 1e-12, out=norms)
    return np.ascontiguousarray(arr / norms, dtype=np.float32)
