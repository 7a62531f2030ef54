"""A deterministic hashing encoder for fast unit tests of ranking logic (never a default).

Character 1- to 3-grams of the lower-cased, whitespace-collapsed text are hashed (blake2b,
so identical across processes, unlike ``hash()``) with a sign into ``dim`` buckets, then
L2-normalized. Texts sharing many characters get similar vectors, which is enough to test
ranking plumbing without loading a model; it has no semantic or cross-lingual ability.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

import numpy as np

from matcher.encoders.base import DIM, check_texts

_NGRAMS = (1, 2, 3)


def _bucket(gram: str, dim: int) -> tuple[int, float]:
    """Return the bucket index and sign for one n-gram."""
    raw = int.from_bytes(hashlib.blake2b(gram.encode("utf-8"), digest_size=8).digest(), "little")
    return raw % dim, 1.0 if (raw >> 63) & 1 else -1.0


class HashingEncoder:
    """Character n-gram feature hashing into ``dim`` dimensions; queries == documents."""

    name = "fake"
    version = "fake-hash-ngram123-v1"

    def __init__(self, dim: int = DIM) -> None:
        self.dim = dim

    def __repr__(self) -> str:
        return f"HashingEncoder(dim={self.dim})"

    def embed_one(self, text: str) -> np.ndarray:
        """Return the normalized hashed vector of one text."""
        padded = "\x02" + " ".join(text.lower().split()) + "\x03"
        vec = np.zeros(self.dim, dtype=np.float32)
        for n in _NGRAMS:
            for i in range(len(padded) - n + 1):
                index, sign = _bucket(padded[i : i + n], self.dim)
                vec[index] += sign
        norm = float(np.linalg.norm(vec))
        if norm < 1e-12:  # signs cancelled out entirely: fall back to a fixed unit vector
            vec[0], norm = 1.0, 1.0
        return vec / norm

    def _encode(self, texts: Sequence[str]) -> np.ndarray:
        items = check_texts(texts)
        out = np.zeros((len(items), self.dim), dtype=np.float32)
        for row, text in enumerate(items):
            out[row] = self.embed_one(text)
        return out

    def encode_queries(
        self, texts: Sequence[str], batch_size: int = 64, show_progress: bool = False
    ) -> np.ndarray:
        """Hash seeker-side texts (same function as documents)."""
        return self._encode(texts)

    def encode_documents(
        self, texts: Sequence[str], batch_size: int = 64, show_progress: bool = False
    ) -> np.ndarray:
        """Hash vacancy-side texts (same function as queries)."""
        return self._encode(texts)
