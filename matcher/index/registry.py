"""The per-process registry of indexes: load or rebuild, search, keep in step with the DB.

One :class:`Registry` per :class:`~matcher.runtime.Runtime` (``get_registry(rt)``). For each
kind it holds a :class:`LiveIndex`, a readers-writer lock (searches share it; applying a
change takes it alone) and a mutation lock that serializes changers, so embedding new text
happens while searches go on. Rebuilds and compactions build beside and swap.

Keeping in step: services call :meth:`Registry.changed` inside their unit of work; after
the commit the touched keys are re-read and re-embedded if their text changed. Changes made
by other processes are picked up by :meth:`Registry.sync` (rows updated since the last
sync; called on load, after imports, and by searches every ``sync_interval`` seconds).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
from sqlalchemy.exc import IntegrityError

from matcher.db import UnitOfWork
from matcher.index import store
from matcher.index.builder import attach, build_live, new_meta, now_iso
from matcher.index.hits import Hits, MaskMemo
from matcher.index.kinds import KINDS
from matcher.index.live import LiveIndex
from matcher.index.rwlock import RWLock
from matcher.index.text_vectors import DOCUMENT_KINDS, TextVectors
from matcher.matching.embedding import text_hash
from matcher.matching.tables import Table, Vocab
from matcher.models import IndexState
from matcher.runtime import Runtime
from matcher.skills import get_skill_matcher

log = logging.getLogger(__name__)

SYNC_MARGIN = timedelta(seconds=60)  # re-read rows updated shortly before the last sync
_REGISTRY_LOCK = threading.Lock()


class Registry:
    """Indexes of one process; see the module docstring."""

    def __init__(self, rt: Runtime, *, sync_interval: float | None = 30.0,
                 autosave_interval: float | None = 300.0):
        self.rt = rt
        self.vocab = Vocab()
        self.skills = get_skill_matcher()
        self.sync_interval = sync_interval
        self.autosave_interval = autosave_interval
        self._live: dict[str, LiveIndex] = {}
        self._rw = {kind: RWLock() for kind in KINDS}
        self._mutate = {kind: threading.RLock() for kind in KINDS}
        self._last_sync = dict.fromkeys(KINDS, 0.0)
        self._last_save = dict.fromkeys(KINDS, time.monotonic())
        self.texts = TextVectors()  # texts with no index row, encoded once per process

    # -- loading -----------------------------------------------------------------------
    def live(self, kind: str) -> LiveIndex:
        """The index of ``kind``, loaded (or rebuilt) on first use."""
        found = self._live.get(kind)
        if found is not None:
            return found
        with self._mutate[kind]:
            if kind not in self._live:
                self._live[kind] = self._load_or_build(kind)
            return self._live[kind]

    def loaded(self, kind: str) -> bool:
        """Whether ``kind`` is in memory."""
        return kind in self._live

    def _load_or_build(self, kind: str) -> LiveIndex:
        encoder = self.rt.encoder
        folder = self.rt.settings.index_dir
        try:
            index, meta = store.load_files(
                folder, kind, encoder=encoder.name, encoder_version=encoder.version,
                dim=encoder.dim, index_type=self.rt.settings.index_type)
        except store.IndexFileProblem as problem:
            log.warning("index %s: %s; rebuilding from the database", kind, problem.reason)
            live = build_live(self.rt, kind, vocab=self.vocab, skills=self.skills,
                              known=self._known(kind))
            self._save(kind, live)
            self._last_sync[kind] = time.monotonic()
            return live
        recorded = self._state_version(kind)
        if recorded != meta.version:
            log.warning("index %s: file version %d, database records %s; syncing", kind,
                        meta.version, recorded)
        live, missing = attach(self.rt, kind, index, meta, vocab=self.vocab, skills=self.skills)
        live.set_hashes(store.load_hashes(folder, meta))  # unchanged texts are not re-embedded
        self._live[kind] = live
        self.sync(kind, extra=missing)
        log.info("index %s loaded: %d vectors, version %d", kind, live.count, meta.version)
        return live

    def _known(self, kind: str) -> Callable[[Sequence[str]], list[np.ndarray | None]]:
        """Texts of ``kind`` this process already encoded for a scoring grid (by hash)."""
        return lambda hashes: self.texts.peek(hashes, documents=kind in DOCUMENT_KINDS)

    def rebuild(self, kind: str, *, progress: bool = False) -> LiveIndex:
        """Build ``kind`` from the database beside the current one, swap, and save."""
        with self._mutate[kind]:
            live = build_live(self.rt, kind, vocab=self.vocab, skills=self.skills,
                              progress=progress, known=self._known(kind))
            with self._rw[kind].write():
                self._live[kind] = live
            self._save(kind, live)
            self._last_sync[kind] = time.monotonic()
            return live

    # -- searching ---------------------------------------------------------------------
    def search(self, kind: str, query: np.ndarray, mask: Callable[[Table, Vocab], np.ndarray],
               n: int) -> list[tuple[int, float]]:
        """Best ``n`` (key, similarity) pairs among slots allowed by ``mask(table, vocab)``."""
        hits = self.search_hits(kind, query, mask, n)
        return list(zip(hits.keys.tolist(), hits.sims.tolist(), strict=True))

    def search_hits(self, kind: str, query: np.ndarray,
                    mask: Callable[[Table, Vocab], np.ndarray], n: int,
                    memo: MaskMemo | None = None) -> Hits:
        """As :meth:`search`, with a copy of the hits' table rows (for scoring them without
        the lock); ``memo`` reuses the mask of an earlier call while the table is unchanged."""
        self.live(kind)
        self._maybe_sync(kind)
        with self._rw[kind].read():
            live = self._live[kind]
            table = live.table
            allowed = memo.get(table, lambda: mask(table, self.vocab)) if memo \
                else mask(table, self.vocab)
            slots, keys, sims = live.search_slots(query, allowed, n)
            return Hits(keys, sims, table.take(slots))

    def vector(self, kind: str, key: int) -> np.ndarray | None:
        """The stored vector of ``key`` (None if not in the index)."""
        self.live(kind)
        with self._rw[kind].read():
            return self._live[kind].vector(key)

    def stored(self, kind: str, keys: Sequence[int]
               ) -> tuple[np.ndarray, np.ndarray, list[str | None]]:
        """Stored vectors of ``keys`` (zero rows where not held), which are held, and the text
        hash each was embedded from. Reads no database (callers may be inside a transaction):
        nothing is held while ``kind`` is not loaded, and a row changed since the last sync
        shows as a hash that is not its current text's."""
        if kind not in self._live:
            return (np.zeros((len(keys), self.rt.encoder.dim), dtype=np.float32),
                    np.zeros(len(keys), dtype=bool), [None] * len(keys))
        with self._rw[kind].read():
            live = self._live[kind]
            vectors, found = live.vectors(keys)
            hashes = [live.text_hashes.get(int(k)) if ok else None
                      for k, ok in zip(keys, found, strict=True)]
        return vectors, found, hashes

    def vectors(self, kind: str, keys: Sequence[int]) -> np.ndarray:
        """Stored vectors of ``keys``, ``(n, dim)`` float32 in order, loading and syncing
        ``kind`` first like a search; KeyError if one is not held."""
        self.live(kind)
        self._maybe_sync(kind)
        vectors, found, _ = self.stored(kind, keys)
        if not found.all():
            missing = [int(k) for k, ok in zip(keys, found, strict=True) if not ok]
            raise KeyError(f"index {kind} does not hold {missing[:5]}")
        return vectors

    def keys(self, kind: str) -> np.ndarray:
        """Sorted keys held by ``kind``."""
        self.live(kind)
        with self._rw[kind].read():
            return self._live[kind].keys()

    # -- keeping in step with the database ----------------------------------------------
    def changed(self, uow: UnitOfWork, kind: str, keys: Iterable[int]) -> None:
        """After ``uow`` commits, refresh ``keys`` of ``kind`` (if loaded in this process)."""
        wanted = sorted({int(k) for k in keys})
        if wanted:
            uow.on_commit(lambda: self._after_commit(kind, wanted))

    def _after_commit(self, kind: str, keys: list[int]) -> None:
        try:
            self.refresh(kind, keys)
        except Exception:  # the commit stands; the next sync repairs the index
            log.exception("index %s: refresh after commit failed; forcing a sync", kind)
            self._last_sync[kind] = 0.0

    def refresh(self, kind: str, keys: Iterable[int]) -> None:
        """Re-read ``keys`` from the database: add, re-embed, update or drop each."""
        if kind not in self._live:
            return  # not loaded here: the file is brought up to date when it is loaded
        spec = KINDS[kind]
        wanted = sorted({int(k) for k in keys})
        with self._mutate[kind]:
            live = self._live[kind]
            with self.rt.uow() as uow:
                found = {spec.key(p): p for p in spec.load(uow.s, wanted)}
            drop, embed, update = [], [], []
            for key in wanted:
                p = found.get(key)
                if p is None or not spec.is_member(p):
                    drop.append(key)
                elif key in live and live.text_hashes.get(key) == text_hash(spec.text(p)):
                    update.append(p)
                else:
                    embed.append(p)
            vectors = spec.embed(self.rt.encoder, embed, False)
            added = [spec.record(p, self.vocab, self.skills) for p in embed]
            updated = [spec.record(p, self.vocab, self.skills) for p in update]
            with self._rw[kind].write():
                live.remove(drop + [spec.key(p) for p in embed])
                live.add([spec.key(p) for p in embed], vectors, added,
                         [text_hash(spec.text(p)) for p in embed])
                for p, record in zip(update, updated, strict=True):
                    live.set_record(spec.key(p), record)
            if live.needs_compaction():
                self._compact(kind)
            self._maybe_autosave(kind)

    def sync(self, kind: str, *, full: bool = False, extra: Iterable[int] = ()) -> None:
        """Refresh rows updated since the last sync (``full``: also diff the key sets)."""
        if kind not in self._live:
            return
        spec = KINDS[kind]
        with self._mutate[kind]:
            live = self._live[kind]
            started = now_iso()
            since = _parse(live.meta.synced_at) - SYNC_MARGIN
            keys = set(extra)
            with self.rt.uow() as uow:
                keys.update(spec.changed_since(uow.s, since))
                if full:
                    members, held = spec.member_keys(uow.s), live.keys()
                    keys.update(np.setxor1d(members, held).tolist())
            if keys:
                log.info("index %s: syncing %d changed rows", kind, len(keys))
                self.refresh(kind, keys)
            live = self._live[kind]
            live.meta = live.meta.with_(synced_at=started)
            self._last_sync[kind] = time.monotonic()

    def _maybe_sync(self, kind: str) -> None:
        if self.sync_interval is None:
            return
        if time.monotonic() - self._last_sync[kind] < self.sync_interval:
            return
        if self._mutate[kind].acquire(blocking=False):  # someone else is already at it
            try:
                self.sync(kind)
            finally:
                self._mutate[kind].release()

    def _compact(self, kind: str) -> None:
        with self._mutate[kind]:
            fresh = self._live[kind].compacted()
            with self._rw[kind].write():
                self._live[kind] = fresh
            log.info("index %s compacted to %d slots", kind, fresh.slots)

    # -- saving -----------------------------------------------------------------------
    def save(self, kind: str) -> store.IndexMeta:
        """Write ``kind``'s file and sidecar atomically and record the version."""
        with self._mutate[kind]:
            return self._save(kind, self.live(kind))

    def flush(self) -> None:
        """Save every loaded kind with unsaved changes."""
        for kind in list(self._live):
            if self._live[kind].dirty:
                self.save(kind)

    def _maybe_autosave(self, kind: str) -> None:
        if self.autosave_interval is None:
            return
        if time.monotonic() - self._last_save[kind] >= self.autosave_interval:
            self._save(kind, self._live[kind])

    def _state_version(self, kind: str) -> int | None:
        with self.rt.uow() as uow:
            state = uow.s.get(IndexState, kind)
            return state.version if state else None

    def _save(self, kind: str, live: LiveIndex) -> store.IndexMeta:
        version = max(self._state_version(kind) or 0, live.meta.version) + 1
        meta = live.meta.with_(count=live.count, slots=live.slots, version=version,
                               saved_at=now_iso())
        meta = store.save_files(self.rt.settings.index_dir, live.index, meta, live.hash_array())
        self._record_state(meta)
        live.meta, live.dirty = meta, False
        self._last_save[kind] = time.monotonic()
        log.info("index %s saved: version %d, %d vectors", kind, meta.version, meta.count)
        return meta

    def _record_state(self, meta: store.IndexMeta) -> None:
        for _ in range(2):
            with self.rt.uow() as uow:
                state = uow.s.get(IndexState, meta.kind)
                if state is None:
                    state = IndexState(kind=meta.kind)
                    uow.s.add(state)
                state.version = max(state.version or 0, meta.version)
                state.encoder, state.dim = f"{meta.encoder}@{meta.encoder_version}", meta.dim
                state.index_type, state.count = meta.index_type, meta.count
                state.built_at = datetime.now(UTC)
                try:
                    uow.commit()
                    return
                except IntegrityError:  # another process inserted the row first
                    continue

    def describe(self, kind: str) -> dict[str, Any]:
        """Facts about a loaded kind (for ``index status`` and tests)."""
        live = self.live(kind)
        return {"kind": kind, "count": live.count, "slots": live.slots,
                "index_type": live.index_type, "version": live.meta.version,
                "encoder": live.meta.encoder, "dim": live.meta.dim}


def _parse(value: str) -> datetime:
    if not value:
        return datetime(1970, 1, 1, tzinfo=UTC)
    parsed = datetime.fromisoformat(value)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def get_registry(rt: Runtime) -> Registry:
    """The registry of ``rt`` (created on first use, kept in ``rt.index_registry``)."""
    with _REGISTRY_LOCK:
        if rt.index_registry is None:
            rt.index_registry = Registry(rt)
        return rt.index_registry


__all__ = ["Hits", "MaskMemo", "Registry", "get_registry", "new_meta"]
