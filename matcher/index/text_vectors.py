"""Vectors for scoring grids without re-encoding: stored ones, else each text encoded once.

Vacancies and people have vectors in the FAISS indexes; a scoring grid (gap candidates,
lending matches, dispatch) takes those. What has no index row (a borrowing request, a gap
without a linked vacancy, a cohort member) or whose row was embedded from another text (a
gap re-lists its vacancy's skills; a row changed after the index last synced) is encoded
once per process and kept in an LRU keyed by its text hash, so a request never re-encodes
the people it ranks, and the vector is always the one of the text being scored. A caller
inside a transaction does not load an index (loading reads the database on its own
connection: on SQLite it would wait on the caller's write lock, elsewhere miss the caller's
uncommitted rows): until the index is loaded, the saved file is read instead
(:func:`saved_index`), whose text hashes tell which vectors are still current.
"""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from matcher.encoders.base import Encoder
from matcher.index import store
from matcher.matching.embedding import embed_texts, text_hash

if TYPE_CHECKING:
    from matcher.index.registry import Registry

log = logging.getLogger(__name__)

CAPACITY = 20_000  # about 30 MB of 384-dim vectors
DOCUMENT_KINDS = {"vacancies"}  # other kinds are embedded as queries


class TextVectors:
    """An LRU of encoded texts keyed by (documents?, text hash); safe across threads."""

    def __init__(self, capacity: int = CAPACITY):
        self.capacity = capacity
        self._found: OrderedDict[tuple[bool, str], np.ndarray] = OrderedDict()
        self._lock = threading.Lock()
        self.encoded = 0
        self.saved: dict[str, SavedIndex | None] = {}  # see saved_index

    def __len__(self) -> int:
        return len(self._found)

    def peek(self, hashes: Sequence[str], *, documents: bool) -> list[np.ndarray | None]:
        """The cached vector of each text hash (None where not cached)."""
        with self._lock:
            return [self._found.get((documents, h)) for h in hashes]

    def put(self, hashes: Sequence[str], vectors: np.ndarray, *, documents: bool) -> None:
        """Cache ``vectors`` of texts whose hashes are ``hashes``."""
        with self._lock:
            for h, vector in zip(hashes, vectors, strict=True):
                self._found[(documents, h)] = vector
                self._found.move_to_end((documents, h))
            while len(self._found) > self.capacity:
                self._found.popitem(last=False)

    def get(self, encoder: Encoder, texts: Sequence[str], *, documents: bool) -> np.ndarray:
        """Vectors of ``texts`` (``(n, dim)`` float32), encoding only the ones not cached."""
        keys = [(documents, text_hash(t)) for t in texts]
        with self._lock:
            have = {k: self._found[k] for k in keys if k in self._found}
            for k in have:
                self._found.move_to_end(k)
        new = {k: t for k, t in zip(keys, texts, strict=True) if k not in have}
        if new:
            fresh = embed_texts(encoder, list(new.values()), documents=documents)
            have.update(zip(new, fresh, strict=True))
            self.encoded += len(new)
            self.put([h for _, h in new], fresh, documents=documents)
        if not keys:
            return np.zeros((0, encoder.dim), dtype=np.float32)
        return np.ascontiguousarray(np.stack([have[k] for k in keys]), dtype=np.float32)


Stored = tuple[np.ndarray, np.ndarray, list[str | None]]  # vectors, held?, text hashes


class SavedIndex:
    """One kind's saved index file, read without the database: vectors and the text hash
    each was embedded from, by key (see :func:`saved_index`)."""

    def __init__(self, index: Any, hashes: np.ndarray):
        import faiss

        self.index = index  # owns the base index: keep it alive
        self.base = faiss.downcast_index(index.index)
        keys = faiss.vector_to_array(index.id_map)
        self.slots = {int(k): i for i, k in enumerate(keys.tolist()) if k >= 0}
        self.hashes = hashes

    def stored(self, keys: Sequence[int]) -> Stored:
        """As :meth:`matcher.index.registry.Registry.stored`."""
        slots = [self.slots.get(int(k), -1) for k in keys]
        found = np.array([s >= 0 for s in slots], dtype=bool)
        out = np.zeros((len(slots), self.base.d), dtype=np.float32)
        if found.any():
            out[found] = self.base.reconstruct_batch(np.array([s for s in slots if s >= 0]))
        return out, found, [f"{int(self.hashes[s]):016x}" if s >= 0 and self.hashes[s]
                            else None for s in slots]


def saved_index(reg: Registry, kind: str) -> SavedIndex | None:
    """``kind``'s saved index file with its text hashes (None: missing, unusable or saved
    without hashes), read once per process and touching no database: for a caller inside a
    transaction, which must not load the index (see the module docstring)."""
    if kind in reg.texts.saved:
        return reg.texts.saved[kind]
    encoder, folder = reg.rt.encoder, reg.rt.settings.index_dir
    found = None
    try:
        index, meta = store.load_files(folder, kind, encoder=encoder.name,
                                       encoder_version=encoder.version, dim=encoder.dim,
                                       index_type=reg.rt.settings.index_type)
        hashes = store.load_hashes(folder, meta)
        if hashes is not None:
            found = SavedIndex(index, hashes)
            log.info("index %s: saved file read for scoring (%d vectors)", kind, meta.count)
    except store.IndexFileProblem as problem:  # not remembered: the file may come later
        log.info("index %s: no saved file to score from (%s)", kind, problem.reason)
        return None
    reg.texts.saved[kind] = found
    return found


def _stored(reg: Registry, kind: str, keys: list[int], can_load: bool) -> Stored:
    if reg.loaded(kind) or can_load:
        reg.texts.saved.pop(kind, None)  # the live index supersedes the file
        reg.live(kind)
        return reg.stored(kind, keys)
    saved = saved_index(reg, kind)
    if saved is not None:
        return saved.stored(keys)
    return (np.zeros((len(keys), reg.rt.encoder.dim), dtype=np.float32),
            np.zeros(len(keys), dtype=bool), [None] * len(keys))


def entity_vectors(reg: Registry, kind: str, keys: Sequence[int | None],
                   texts: Sequence[str], *, can_load: bool = True) -> np.ndarray:
    """One vector per entity: the stored vector of ``keys[i]`` when the ``kind`` index holds
    it for this very text (same hash), else ``texts[i]`` encoded (once per process).

    ``can_load``: the index may be loaded (it reads the database on its own connection);
    when not, and it is not loaded yet, the saved file's vectors are used instead.
    """
    held = [i for i, k in enumerate(keys) if k is not None]
    vectors, found, hashes = _stored(reg, kind, [int(keys[i] or 0) for i in held], can_load)
    out = np.zeros((len(texts), reg.rt.encoder.dim), dtype=np.float32)
    done = np.zeros(len(texts), dtype=bool)
    for row, i in enumerate(held):
        if found[row] and hashes[row] == text_hash(texts[i]):
            out[i], done[i] = vectors[row], True
    rest = np.flatnonzero(~done).tolist()
    if rest:
        out[rest] = reg.texts.get(reg.rt.encoder, [texts[i] for i in rest],
                                  documents=kind in DOCUMENT_KINDS)
    return out
