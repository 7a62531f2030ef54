"""FAISS index files: one per kind (``<index_dir>/<kind>.faiss``) plus a JSON sidecar.

The file holds a ``faiss.IndexIDMap2`` whose id map gives the entity key of every slot
(-1 for a slot whose vector was replaced or removed). The sidecar ``<kind>.json`` says what
the file is: ``{format, kind, encoder, encoder_version, dim, metric, index_type, count,
slots, version, saved_at, synced_at, file_bytes, hashes_digest, change_seq}``. Saving is
atomic: a temporary file in the same folder, fsync, ``os.replace``, then the same for the
sidecar, then the folder is fsynced.
:func:`load_files` refuses (with :class:`IndexFileProblem` saying why) a missing, truncated
or unreadable file and one built for another encoder, dimension or index type.
FAISS is imported inside the functions that need it, never at import time.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import tempfile
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np

FORMAT = 1
METRIC = "inner_product"
HNSW_M = 32
HNSW_EF_CONSTRUCTION = 80
#: Below this many training vectors the 8-bit quantizer uses the full [-1, 1] range of
#: unit vectors instead of ranges learnt from too few samples.
SQ_MIN_TRAIN = 256


class IndexFileProblem(Exception):
    """An index file cannot be used; ``reason`` says why (logged before a rebuild)."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


class IndexSaveError(RuntimeError):
    """An index could not be written (e.g. the disk is full); the previous files are intact."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class IndexMeta:
    """What an index file holds (the JSON sidecar)."""

    kind: str
    encoder: str
    encoder_version: str
    dim: int
    index_type: str
    count: int = 0
    slots: int = 0
    version: int = 0
    saved_at: str = ""
    synced_at: str = ""  # rows updated before this were read from the database
    file_bytes: int = 0
    hashes_digest: str = ""  # of <kind>.hashes.npy, the text hash of each slot ("": none)
    change_seq: int = 0  # the last index_changes seq reflected in the file
    metric: str = METRIC
    format: int = FORMAT

    def with_(self, **changes: Any) -> IndexMeta:
        """A copy with some fields replaced."""
        return replace(self, **changes)


def paths(index_dir: Path, kind: str) -> tuple[Path, Path]:
    """The index file and its sidecar."""
    return Path(index_dir) / f"{kind}.faiss", Path(index_dir) / f"{kind}.json"


def nlist_for(n: int) -> int:
    """IVF list count for ``n`` training vectors (about 4 sqrt(n), 39+ points per list)."""
    return max(1, min(int(4 * math.sqrt(max(n, 1))), n // 39))


def make_index(index_type: str, dim: int, train: np.ndarray | None = None) -> Any:
    """An empty ``IndexIDMap2`` over a flat, HNSW or IVF-SQ8 inner-product index.

    IVF-SQ8 is trained on ``train`` when given (else on its first added batch).
    """
    import faiss

    base: Any
    if index_type == "flat":
        base = faiss.IndexFlatIP(dim)
    elif index_type == "hnsw":
        base = faiss.IndexHNSWFlat(dim, HNSW_M, faiss.METRIC_INNER_PRODUCT)
        base.hnsw.efConstruction = HNSW_EF_CONSTRUCTION
    elif index_type == "ivf-sq8":
        n = 0 if train is None else len(train)
        quantizer = faiss.IndexFlatIP(dim)
        base = faiss.IndexIVFScalarQuantizer(
            quantizer, dim, nlist_for(n), faiss.ScalarQuantizer.QT_8bit,
            faiss.METRIC_INNER_PRODUCT, False,
        )
        base.sq.rangestat = faiss.ScalarQuantizer.RS_minmax
        base.sq.rangestat_arg = 0.2
        base.set_direct_map_type(faiss.DirectMap.Array)  # type: ignore[attr-defined]
        if train is not None and len(train):
            train_ivf(base, train)
    else:
        raise ValueError(f"unknown index type {index_type!r}")
    return faiss.IndexIDMap2(base)


def train_ivf(base: Any, vectors: np.ndarray) -> None:
    """Train an IVF-SQ8 index; tiny samples get the full unit-vector range per dimension."""
    import faiss

    base.train(np.ascontiguousarray(vectors, dtype=np.float32))
    if len(vectors) < SQ_MIN_TRAIN:
        dim = base.d
        full = np.concatenate([np.full(dim, -1.0), np.full(dim, 2.0)]).astype(np.float32)
        faiss.copy_array_to_vector(full, base.sq.trained)


def index_type_of(index: Any) -> str:
    """The index type ("flat", "hnsw", "ivf-sq8") of an ``IndexIDMap2`` or base index."""
    import faiss

    base = faiss.downcast_index(index.index) if isinstance(index, faiss.IndexIDMap2) else index
    if isinstance(base, faiss.IndexHNSW):
        return "hnsw"
    if isinstance(base, faiss.IndexIVFScalarQuantizer):
        return "ivf-sq8"
    if isinstance(base, faiss.IndexFlat):
        return "flat"
    raise ValueError(f"unsupported FAISS index {type(base).__name__}")


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:  # not possible on every platform
        return
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _atomic_write(target: Path, write: Any) -> int:
    """Write via ``write(tmp_path)`` to a temp file beside ``target``, fsync, replace.

    A failed write (disk full, read-only folder; FAISS reports those as RuntimeError) leaves
    ``target`` as it was and raises :class:`IndexSaveError` naming the file and the cause.
    """
    tmp = ""
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
        os.close(fd)
        write(tmp)
        with open(tmp, "rb+") as fh:
            fh.flush()
            os.fsync(fh.fileno())
            size = os.fstat(fh.fileno()).st_size
        os.replace(tmp, target)
    except (OSError, RuntimeError) as exc:
        if tmp:
            Path(tmp).unlink(missing_ok=True)
        cause = os.strerror(exc.errno) if isinstance(exc, OSError) and exc.errno else (
            str(exc).strip().splitlines() or [type(exc).__name__])[-1]
        raise IndexSaveError(f"cannot write {target.name} in {target.parent}: {cause}; "
                             f"the previous index files are kept") from exc
    except BaseException:
        if tmp:
            Path(tmp).unlink(missing_ok=True)
        raise
    return size


def hashes_path(index_dir: Path, kind: str) -> Path:
    """The file of per-slot text hashes saved beside an index."""
    return Path(index_dir) / f"{kind}.hashes.npy"


def _digest(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def save_files(index_dir: Path, index: Any, meta: IndexMeta,
               hashes: np.ndarray | None = None) -> IndexMeta:
    """Atomically write the text hashes (if given), the index and then its sidecar, which
    names the hashes file's digest; returns the sidecar written."""
    import faiss

    folder = Path(index_dir)
    folder.mkdir(parents=True, exist_ok=True)
    index_path, sidecar_path = paths(folder, meta.kind)
    digest = ""
    if hashes is not None:
        body = np.ascontiguousarray(hashes, dtype=np.uint64).tobytes()
        _atomic_write(hashes_path(folder, meta.kind), lambda tmp: Path(tmp).write_bytes(body))
        digest = _digest(body)
    size = _atomic_write(index_path, lambda tmp: faiss.write_index(index, tmp))
    meta = meta.with_(file_bytes=size, hashes_digest=digest)
    body = json.dumps(asdict(meta), ensure_ascii=False, indent=1).encode()
    _atomic_write(sidecar_path, lambda tmp: Path(tmp).write_bytes(body))
    _fsync_dir(folder)
    return meta


def read_sidecar(index_dir: Path, kind: str) -> IndexMeta:
    """Parse a sidecar or raise :class:`IndexFileProblem`."""
    _, sidecar_path = paths(index_dir, kind)
    try:
        raw = json.loads(sidecar_path.read_text(encoding="utf-8"))
        return IndexMeta(**raw)
    except FileNotFoundError:
        raise IndexFileProblem(f"sidecar {sidecar_path.name} is missing") from None
    except (OSError, ValueError, TypeError) as exc:
        raise IndexFileProblem(f"sidecar {sidecar_path.name} is unreadable ({exc})") from None


def load_files(
    index_dir: Path, kind: str, *, encoder: str, encoder_version: str, dim: int,
    index_type: str,
) -> tuple[Any, IndexMeta]:
    """Read and check one kind's index; raise :class:`IndexFileProblem` if it is unusable."""
    import faiss

    index_path, _ = paths(index_dir, kind)
    if not index_path.exists():
        raise IndexFileProblem(f"index file {index_path.name} is missing")
    meta = read_sidecar(index_dir, kind)
    expected = {"format": FORMAT, "kind": kind, "encoder": encoder,
                "encoder_version": encoder_version, "dim": dim, "metric": METRIC,
                "index_type": index_type}
    for field, want in expected.items():
        have = getattr(meta, field)
        if have != want:
            raise IndexFileProblem(f"built with {field}={have!r}, the configuration needs {want!r}")
    size = index_path.stat().st_size
    if size != meta.file_bytes:
        raise IndexFileProblem(f"index file has {size} bytes, the sidecar says {meta.file_bytes}"
                               " (truncated or replaced)")
    try:
        index = faiss.read_index(str(index_path))
    except RuntimeError as exc:
        raise IndexFileProblem(f"index file is unreadable ({str(exc).splitlines()[-1]})") from None
    if not isinstance(index, faiss.IndexIDMap2):
        raise IndexFileProblem(f"index file holds a {type(index).__name__}, not an IndexIDMap2")
    if index.d != dim or index_type_of(index) != index_type:
        raise IndexFileProblem("index file does not match its sidecar (dimension or type)")
    if index.ntotal != meta.slots:
        raise IndexFileProblem(f"index file has {index.ntotal} slots, the sidecar says "
                               f"{meta.slots}")
    return index, meta


def load_hashes(index_dir: Path, meta: IndexMeta) -> np.ndarray | None:
    """The per-slot text hashes saved with ``meta``'s index, or None when there are none or
    the file is not the one the sidecar names (then every text counts as unknown)."""
    if not meta.hashes_digest:
        return None
    try:
        body = hashes_path(index_dir, meta.kind).read_bytes()
    except OSError:
        return None
    if _digest(body) != meta.hashes_digest or len(body) != 8 * meta.slots:
        return None
    return np.frombuffer(body, dtype=np.uint64)
