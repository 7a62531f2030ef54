"""The per-process registry of indexes: load or rebuild, search, keep in step with the DB.

One :class:`Registry` per :class:`~matcher.runtime.Runtime` (``get_registry(rt)``). For each
kind it holds a :class:`LiveIndex`, a readers-writer lock (searches share it; applying a
change takes it alone) and a mutation lock that serializes changers. Rebuilds and
compactions build beside and swap.

Keeping in step (read-your-writes across processes): a service calls :meth:`Registry.changed`
inside its unit of work; just before the commit the touched rows are embedded if their text
has no stored vector, the vectors stored and the keys appended to the ``index_changes`` log,
all in that transaction (:mod:`matcher.index.inline`). Before every index read a process
compares the log's last ``seq`` for the kind with the one its index reflects (one indexed
read) and applies the delta from stored vectors (:meth:`Registry.catch_up`). Reads never
encode: a row with no stored vector of its current text keeps its previous vector, or stays
out of the index until ``index build`` or the job queue embeds it. A slow full sync (rows
and vectors updated since the last one) runs every ``sync_interval`` seconds as a safety net.

Beside each FAISS index a lexical term index of the same texts is kept by slot (when
``lexical``, by default :func:`~matcher.matching.text_score.fusion_enabled`): built from the
database's rows when the index is built or loaded, updated by the same delta path, read by
:meth:`Registry.search_texts` for the fetched candidates only.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime, timedelta

import numpy as np

from matcher.db import UnitOfWork
from matcher.index import inline, store, vector_store
from matcher.index.builder import attach, build_live, new_meta, now_iso
from matcher.index.hits import Hits, MaskMemo
from matcher.index.kinds import KINDS
from matcher.index.lexical_index import row_text
from matcher.index.live import LiveIndex
from matcher.index.rwlock import RWLock
from matcher.index.saving import Saving
from matcher.index.text_vectors import DOCUMENT_KINDS, TextVectors
from matcher.matching.tables import Table, Vocab
from matcher.matching.text_score import fusion_enabled
from matcher.runtime import Runtime
from matcher.skills import get_skill_matcher

log = logging.getLogger(__name__)

SYNC_MARGIN = timedelta(seconds=60)  # re-read rows updated shortly before the last sync
LOAD_EMBED_LIMIT = 2_000  # rows a loading process embeds itself (more: `index build`)
_REGISTRY_LOCK = threading.Lock()


class Registry(Saving):
    """Indexes of one process; see the module docstring."""

    def __init__(self, rt: Runtime, *, sync_interval: float | None = 600.0,
                 autosave_interval: float | None = 300.0, check_changes: bool = True,
                 lexical: bool | None = None):
        self.rt = rt
        self.lexical = fusion_enabled() if lexical is None else lexical
        self.vocab = Vocab()
        self.skills = get_skill_matcher()
        self.sync_interval = sync_interval
        self.autosave_interval = autosave_interval
        self._live: dict[str, LiveIndex] = {}
        self._rw = {kind: RWLock() for kind in KINDS}
        self._mutate = {kind: threading.RLock() for kind in KINDS}
        self._last_sync = dict.fromkeys(KINDS, 0.0)
        self.check_changes = check_changes
        self.encoder_id = ""  # set on first load (the encoder loads lazily)
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
        self.encoder_id = vector_store.encoder_id(encoder)
        folder = self.rt.settings.index_dir
        try:
            index, meta = store.load_files(
                folder, kind, encoder=encoder.name, encoder_version=encoder.version,
                dim=encoder.dim, index_type=self.rt.settings.index_type)
        except store.IndexFileProblem as problem:
            log.warning("index %s: %s; rebuilding from the database (stored vectors)", kind,
                        problem.reason)
            live = build_live(self.rt, kind, vocab=self.vocab, skills=self.skills,
                              known=self._known(kind))
            self._attach_texts(kind, live)
            self._save(kind, live)
            self._last_sync[kind] = time.monotonic()
            return live
        recorded = self._state_version(kind)
        if recorded != meta.version:
            log.warning("index %s: file version %d, database records %s; syncing", kind,
                        meta.version, recorded)
        live, missing = attach(self.rt, kind, index, meta, vocab=self.vocab, skills=self.skills)
        live.set_hashes(store.load_hashes(folder, meta))
        self._attach_texts(kind, live)
        self._live[kind] = live
        self.sync(kind, extra=missing, embed=True)
        self.catch_up(kind)
        log.info("index %s loaded: %d vectors, version %d, change %d", kind, live.count,
                 meta.version, self._live[kind].meta.change_seq)
        return self._live[kind]

    def _known(self, kind: str) -> Callable[[Sequence[str]], list[np.ndarray | None]]:
        """Texts of ``kind`` this process already encoded for a scoring grid (by hash)."""
        return lambda hashes: self.texts.peek(hashes, documents=kind in DOCUMENT_KINDS)

    def _attach_texts(self, kind: str, live: LiveIndex) -> None:
        """Build ``live``'s lexical terms from the current texts of its rows (if kept)."""
        if not self.lexical:
            return
        spec = KINDS[kind]
        with self.rt.reader() as uow:
            texts = {spec.key(p): row_text(kind, p)
                     for p in spec.load(uow.s, live.keys().tolist())}
        live.attach_lexicon(texts)

    def rebuild(self, kind: str, *, progress: bool = False, reembed: bool = False
                ) -> LiveIndex:
        """Build ``kind`` from stored vectors (encoding rows without one; ``reembed``: all)
        beside the current one, swap, and save."""
        with self._mutate[kind]:
            self.encoder_id = vector_store.encoder_id(self.rt.encoder)
            live = build_live(self.rt, kind, vocab=self.vocab, skills=self.skills,
                              progress=progress, force=reembed, known=self._known(kind))
            self._attach_texts(kind, live)
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
        return self.search_texts(kind, query, mask, n, memo)[0]

    def search_texts(self, kind: str, query: np.ndarray,
                     mask: Callable[[Table, Vocab], np.ndarray], n: int,
                     memo: MaskMemo | None = None, text: str | None = None
                     ) -> tuple[Hits, np.ndarray | None]:
        """As :meth:`search_hits`, with the lexical (BM25) scores of ``text`` against the
        hits' texts (None without ``text`` or when no lexical index is kept)."""
        self.live(kind)
        self._maybe_sync(kind)
        self.catch_up(kind)
        with self._rw[kind].read():
            live = self._live[kind]
            table = live.table
            allowed = memo.get(table, lambda: mask(table, self.vocab)) if memo \
                else mask(table, self.vocab)
            slots, keys, sims = live.search_slots(query, allowed, n)
            lexical = live.lexical(text, slots) if text else None
            return Hits(keys, sims, table.take(slots)), lexical

    def vector(self, kind: str, key: int) -> np.ndarray | None:
        """The stored vector of ``key`` (None if not in the index), after catching up."""
        self.live(kind)
        self.catch_up(kind)
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
        self.catch_up(kind)
        vectors, found, _ = self.stored(kind, keys)
        if not found.all():
            missing = [int(k) for k, ok in zip(keys, found, strict=True) if not ok]
            raise KeyError(f"index {kind} does not hold {missing[:5]}")
        return vectors

    def keys(self, kind: str) -> np.ndarray:
        """Sorted keys held by ``kind`` (after catching up)."""
        self.live(kind)
        self.catch_up(kind)
        with self._rw[kind].read():
            return self._live[kind].keys()

    # -- keeping in step with the database ----------------------------------------------
    def changed(self, uow: UnitOfWork, kind: str, keys: Iterable[int]) -> None:
        """In ``uow``: embed and store ``keys``' vectors and log the change before it commits;
        after the commit, apply it here (other processes apply it on their next read)."""
        wanted = sorted({int(k) for k in keys})
        if wanted:
            inline.embed_before_commit(self.rt, uow, kind, wanted)
            uow.on_commit(lambda: self._after_commit(kind, wanted))

    def _after_commit(self, kind: str, keys: list[int]) -> None:
        try:
            self.catch_up(kind)
        except Exception:  # the commit stands; the next read or sync repairs the index
            log.exception("index %s: applying the change after commit failed", kind)
            self._last_sync[kind] = 0.0

    def catch_up(self, kind: str) -> None:
        """Apply the changes logged for ``kind`` since this index last did (one indexed read
        when there are none)."""
        if not self.check_changes or kind not in self._live:
            return
        if vector_store.peek_seq(self.rt.engine, kind) <= self._live[kind].meta.change_seq:
            return
        with self._mutate[kind]:
            live = self._live[kind]
            with self.rt.reader() as uow:
                last, keys = vector_store.changes_after(uow.s, kind, live.meta.change_seq)
            if vector_store.ALL_KEYS in keys:
                self.sync(kind, full=True, extra=keys - {vector_store.ALL_KEYS})
            elif keys:
                self.refresh(kind, keys)
            live = self._live[kind]  # a compaction may have replaced it
            live.meta = live.meta.with_(change_seq=max(last, live.meta.change_seq))
            log.debug("index %s: changes up to %d applied (%d keys)", kind, last, len(keys))

    def refresh(self, kind: str, keys: Iterable[int]) -> None:
        """Re-read ``keys`` and their stored vectors: add, replace, update or drop each.
        Nothing is encoded: a row whose current text has no stored vector keeps the vector
        it has (the previous text's), or stays out until one is stored."""
        if kind not in self._live:
            return  # not loaded here: the file is brought up to date when it is loaded
        spec = KINDS[kind]
        wanted = sorted({int(k) for k in keys})
        with self._mutate[kind]:
            live = self._live[kind]
            with self.rt.reader() as uow:
                found = {spec.key(p): p for p in spec.load(uow.s, wanted)}
                members = [k for k, p in found.items() if spec.is_member(p)]
                stored = vector_store.load_vectors(uow.s, kind, members, self.encoder_id)
            drop, put, update = [], [], []
            retext = []  # updated rows whose text may differ from the indexed one
            for key in wanted:
                p = found.get(key)
                vec = stored.get(key)
                if p is None or not spec.is_member(p):
                    drop.append(key)
                elif key in live and (vec is None or live.text_hashes.get(key) == vec[0]):
                    update.append(p)
                    if vec is None:
                        retext.append(p)
                elif vec is not None:
                    put.append(p)
            records = [spec.record(p, self.vocab, self.skills) for p in put]
            updated = [spec.record(p, self.vocab, self.skills) for p in update]
            put_keys = [spec.key(p) for p in put]
            vectors = (np.stack([stored[k][1] for k in put_keys]) if put_keys
                       else np.zeros((0, live.meta.dim), dtype=np.float32))
            texts = {spec.key(p): row_text(kind, p) for p in put + retext} \
                if live.lexicon is not None else None
            with self._rw[kind].write():
                live.remove(drop + put_keys)
                live.add(put_keys, vectors, records, [stored[k][0] for k in put_keys],
                         None if texts is None else [texts[k] for k in put_keys])
                for p, record in zip(update, updated, strict=True):
                    live.set_record(spec.key(p), record,
                                    None if texts is None else texts.get(spec.key(p)))
            if live.needs_compaction():
                self._compact(kind)
            self._maybe_autosave(kind)

    def sync(self, kind: str, *, full: bool = False, extra: Iterable[int] = (),
             embed: bool = False) -> None:
        """Refresh rows updated since the last sync (``full``: also diff the key sets).

        ``embed`` (loading only, never a read): first store vectors for up to
        ``LOAD_EMBED_LIMIT`` of those rows changed behind the index's back with no vector of
        their current text (more are left to ``index build`` / the job queue)."""
        if kind not in self._live:
            return
        spec = KINDS[kind]
        with self._mutate[kind]:
            live = self._live[kind]
            started = now_iso()
            since = _parse(live.meta.synced_at) - SYNC_MARGIN
            keys = set(extra)
            with self.rt.reader() as uow:
                keys.update(spec.changed_since(uow.s, since))
                # a vector stored since whose text the index already holds for that key (the
                # build's own, another worker's delta) changes nothing: not re-read at load
                keys.update(k for k, digest in vector_store.stored_since(
                    uow.s, kind, self.encoder_id, since) if live.text_hashes.get(k) != digest)
                if full:
                    members, held = spec.member_keys(uow.s), live.keys()
                    keys.update(np.setxor1d(members, held).tolist())
            if keys and embed and len(keys) <= LOAD_EMBED_LIMIT:
                vector_store.embed_and_store(self.rt, kind, keys)
            elif keys and embed:
                log.warning("index %s: %d rows changed since the file was saved; rows without "
                            "a stored vector wait for `workbridge index build`", kind, len(keys))
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
            fresh.meta = self._live[kind].meta
            with self._rw[kind].write():
                self._live[kind] = fresh
            log.info("index %s compacted to %d slots", kind, fresh.slots)

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
