"""One kind's in-memory index: FAISS vectors and constraint attributes, both by slot.

Vectors are only ever appended. Replacing or removing an entity marks its slot dead (key -1
in the ``IndexIDMap2`` id map, ``live`` false in the table); :meth:`LiveIndex.compacted`
builds a copy without dead slots once they pile up. Searches run the FAISS search under a
bitmap ``IDSelector`` over allowed slots, so filtering happens inside the search: when few
slots are allowed (or the approximate index finds fewer than asked for), the allowed vectors
are scored exactly instead, so a 1%-selective filter still yields k results when k exist.
An optional :class:`~matcher.index.lexical_index.SlotLexicon` (``lexicon``) holds the
lexical terms of each slot's text, kept in step by the same add/remove/set calls, so the
candidates a search fetched can be scored lexically by slot (:meth:`LiveIndex.lexical`).
This class does no locking: :class:`matcher.index.registry.Registry` serializes writers and
lets readers share it.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

import numpy as np

from matcher.index.lexical_index import SlotLexicon
from matcher.index.store import IndexMeta, index_type_of, make_index, train_ivf
from matcher.matching.tables import Table

log = logging.getLogger(__name__)

#: Allowed slots up to which approximate indexes are bypassed for an exact scan.
EXACT_LIMIT = 20_000
COMPACT_MIN_DEAD = 1_000
COMPACT_RATIO = 0.25
HNSW_EF_SEARCH = 64
HNSW_EF_MAX = 4096
IVF_NPROBE = 16


class LiveIndex:
    """FAISS ``IndexIDMap2`` (slot -> key) plus a slot-aligned attribute :class:`Table`."""

    def __init__(self, index: Any, table: Table, meta: IndexMeta):
        import faiss

        if index.ntotal != len(table):
            raise ValueError(f"index has {index.ntotal} slots but the table {len(table)} rows")
        self.index = index
        self.base: Any = faiss.downcast_index(index.index)
        self.table = table
        self.meta = meta
        self.index_type = index_type_of(index)
        labels = self.labels()
        self._slot = {int(k): i for i, k in enumerate(labels.tolist()) if k >= 0}
        self.text_hashes: dict[int, str] = {}
        self._slot_list: np.ndarray | None = None  # IVF: the list of every slot, built lazily
        self.dirty = False
        self.encoded = 0  # texts encoded to build it (0 when built from stored vectors)
        self.lexicon: SlotLexicon | None = None  # lexical terms by slot (None: not kept)

    @classmethod
    def empty(cls, meta: IndexMeta, table: Table) -> LiveIndex:
        """A new, empty index of ``meta.index_type``."""
        return cls(make_index(meta.index_type, meta.dim), table, meta)

    def labels(self) -> np.ndarray:
        """The key of every slot, -1 for dead slots (a view: do not keep across writes)."""
        import faiss

        size = self.index.id_map.size()
        if size == 0:
            return np.empty(0, dtype=np.int64)
        return faiss.rev_swig_ptr(self.index.id_map.data(), size)

    @property
    def count(self) -> int:
        """Live entities."""
        return len(self._slot)

    @property
    def slots(self) -> int:
        """Slots, dead ones included."""
        return int(self.index.ntotal)

    def keys(self) -> np.ndarray:
        """Sorted keys of the live entities."""
        return np.array(sorted(self._slot), dtype=np.int64)

    def hash_array(self) -> np.ndarray:
        """The text hash of every slot as uint64 (0: dead or unknown), for saving."""
        out = np.zeros(self.slots, dtype=np.uint64)
        for key, slot in self._slot.items():
            found = self.text_hashes.get(key)
            if found:
                out[slot] = int(found, 16)
        return out

    def set_hashes(self, hashes: np.ndarray | None) -> None:
        """Take the saved text hash of every live slot (see :meth:`hash_array`)."""
        if hashes is None or len(hashes) != self.slots:
            return
        for key, slot in self._slot.items():
            if hashes[slot]:
                self.text_hashes[key] = f"{int(hashes[slot]):016x}"

    def __contains__(self, key: int) -> bool:
        return key in self._slot

    def attach_lexicon(self, texts: dict[int, str]) -> None:
        """Keep lexical terms beside the vectors: ``texts`` by key (live keys missing from
        it get an empty row until their next change)."""
        labels = self.labels()
        self.lexicon = SlotLexicon.build([texts.get(int(k)) if k >= 0 else None
                                          for k in labels.tolist()])

    def lexical(self, text: str, slots: np.ndarray) -> np.ndarray | None:
        """BM25 of ``text`` against the rows of ``slots`` (None when no lexicon is kept)."""
        return None if self.lexicon is None else self.lexicon.scores(text, slots)

    def add(self, keys: Sequence[int], vectors: np.ndarray, records: Sequence[dict[str, Any]],
            hashes: Sequence[str], texts: Sequence[str] | None = None) -> None:
        """Append entities that are not live yet (``texts``: for the lexicon, if kept)."""
        if not len(keys):
            return
        clash = [k for k in keys if k in self._slot]
        if clash:
            raise ValueError(f"keys already live: {clash[:5]}")
        vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        if self.index_type == "ivf-sq8" and not self.base.is_trained:
            train_ivf(self.base, vectors)
        start = self.slots
        self.index.add_with_ids(vectors, np.asarray(keys, dtype=np.int64))
        self.table.append(list(records))
        if self.lexicon is not None:
            self.lexicon.append(list(texts) if texts is not None else [None] * len(keys))
        for i, key in enumerate(keys):
            self._slot[int(key)] = start + i
            self.text_hashes[int(key)] = hashes[i]
        self.dirty = True

    def remove(self, keys: Sequence[int]) -> int:
        """Mark the slots of ``keys`` dead; returns how many were live."""
        labels = self.labels()
        removed = 0
        for key in keys:
            slot = self._slot.pop(int(key), None)
            if slot is None:
                continue
            labels[slot] = -1
            self.table.set(slot, None)
            if self.lexicon is not None:
                self.lexicon.clear(slot)
            self.text_hashes.pop(int(key), None)
            removed += 1
        self.dirty = self.dirty or removed > 0
        return removed

    def set_record(self, key: int, record: dict[str, Any], text: str | None = None) -> None:
        """Replace the attributes of a live entity (its vector is unchanged; ``text``: its
        current text, for the lexicon)."""
        self.table.set(self._slot[key], record)
        if text is not None and self.lexicon is not None:
            self.lexicon.set(self._slot[key], text)
        self.dirty = True

    def vector(self, key: int) -> np.ndarray | None:
        """The stored vector of ``key`` (decoded for IVF-SQ8), or None."""
        slot = self._slot.get(key)
        return None if slot is None else self.base.reconstruct(slot)

    def vectors(self, keys: Sequence[int]) -> tuple[np.ndarray, np.ndarray]:
        """Stored vectors of ``keys`` (``(n, dim)`` float32, zero rows for keys not held)
        and a boolean array saying which keys are held; one batch reconstruct."""
        slots = [self._slot.get(int(k), -1) for k in keys]
        found = np.array([s >= 0 for s in slots], dtype=bool)
        out = np.zeros((len(slots), self.meta.dim), dtype=np.float32)
        if found.any():
            held = np.array([s for s in slots if s >= 0], dtype=np.int64)
            out[found] = self.base.reconstruct_batch(held)
        return out, found

    def _selector(self, mask: np.ndarray) -> tuple[Any, np.ndarray]:
        import faiss

        bitmap = np.packbits(mask, bitorder="little")  # kept alive by the caller
        return faiss.IDSelectorBitmap(len(mask), faiss.swig_ptr(bitmap)), bitmap

    def _exact(self, query: np.ndarray, mask: np.ndarray, want: int) -> tuple[Any, Any]:
        """Score every allowed slot: one FAISS scan under the bitmap selector (HNSW: of its
        flat storage; IVF-SQ8: of only the lists holding allowed slots), no vector copied
        (benchmarked in scripts/bench_search.py: 5-15x faster than ``reconstruct_batch`` +
        matmul)."""
        import faiss

        sel, _bitmap = self._selector(mask)
        index: Any = self.base
        params: Any
        if self.index_type == "hnsw":
            index = faiss.downcast_index(self.base.storage)
            params = faiss.SearchParameters(sel=sel)  # type: ignore[call-arg]
        elif self.index_type == "ivf-sq8":
            if not self.base.by_residual:
                return self._scan_lists(query, mask, want, sel)
            params = faiss.SearchParametersIVF(sel=sel, nprobe=self.base.nlist)  # type: ignore
        else:
            params = faiss.SearchParameters(sel=sel)  # type: ignore[call-arg]
        dist, found = index.search(query.reshape(1, -1), want, params=params)
        ok = found[0] >= 0
        return found[0][ok], dist[0][ok]

    def slot_lists(self) -> np.ndarray:
        """IVF: the inverted list holding each slot (int32 by slot), rebuilt when slots grew.

        About 25 ms at 1M slots, paid by the first exact search after an add. Concurrent
        readers may both rebuild it; each assigns a complete array, so that is harmless.
        """
        import faiss

        if self._slot_list is not None and len(self._slot_list) == self.slots:
            return self._slot_list
        out = np.full(self.slots, -1, dtype=np.int32)
        invlists = self.base.invlists
        for lst in range(self.base.nlist):
            size = invlists.list_size(lst)
            if size:
                ids = faiss.rev_swig_ptr(invlists.get_ids(lst), size)
                out[ids] = lst
        self._slot_list = out
        return out

    def _scan_lists(self, query: np.ndarray, mask: np.ndarray, want: int,
                    sel: Any) -> tuple[Any, Any]:
        """IVF exact path: scan, under the selector, only the lists that hold allowed slots
        (at 1% of 1M the full scan walked all 4,000 lists; the answer is the same)."""
        import faiss

        lists = np.unique(self.slot_lists()[np.flatnonzero(mask)]).astype(np.int64)
        lists = lists[lists >= 0].reshape(1, -1)
        nprobe = lists.shape[1]
        dist = np.empty((1, want), dtype=np.float32)
        found = np.empty((1, want), dtype=np.int64)
        if nprobe == 0:
            return found[0][:0], dist[0][:0]
        coarse = np.zeros(lists.shape, dtype=np.float32)  # not by residual: unused
        params = faiss.SearchParametersIVF(sel=sel, nprobe=nprobe)  # type: ignore[call-arg]
        x = np.ascontiguousarray(query.reshape(1, -1), dtype=np.float32)
        self.base.search_preassigned_c(
            1, faiss.swig_ptr(x), want, faiss.swig_ptr(lists), faiss.swig_ptr(coarse),
            faiss.swig_ptr(dist), faiss.swig_ptr(found), False, params, None)
        ok = found[0] >= 0
        return found[0][ok], dist[0][ok]

    def _faiss(self, query: np.ndarray, mask: np.ndarray, want: int) -> Any:
        import faiss

        allowed = max(int(mask.sum()), 1)
        sel, _bitmap = self._selector(mask)
        if self.index_type == "hnsw":
            # A selective filter starves the graph walk: widen it with the selectivity.
            ef = min(max(HNSW_EF_SEARCH, 2 * want, want * len(mask) // allowed), HNSW_EF_MAX)
            params: Any = faiss.SearchParametersHNSW(sel=sel, efSearch=ef)  # type: ignore
        elif self.index_type == "ivf-sq8":
            # The same for IVF: a filter keeping 1/s of the slots probes s times more lists.
            nprobe = min(max(IVF_NPROBE, IVF_NPROBE * len(mask) // allowed), self.base.nlist)
            params = faiss.SearchParametersIVF(sel=sel, nprobe=nprobe)  # type: ignore[call-arg]
        else:
            params = faiss.SearchParameters(sel=sel)  # type: ignore[call-arg]
        dist, found = self.base.search(query.reshape(1, -1), want, params=params)
        ok = found[0] >= 0
        return found[0][ok], dist[0][ok]

    def search(self, query: np.ndarray, mask: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
        """Keys and similarities of the best ``n`` allowed slots, best first (ties: key)."""
        _, keys, sims = self.search_slots(query, mask, n)
        return keys, sims

    def search_slots(self, query: np.ndarray, mask: np.ndarray, n: int
                     ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Slots, keys and similarities of the best ``n`` allowed slots (as :meth:`search`)."""
        if len(mask) != self.slots:
            raise ValueError(f"mask has {len(mask)} entries for {self.slots} slots")
        query = np.ascontiguousarray(query, dtype=np.float32).reshape(-1)
        allowed = int(mask.sum())
        want = min(n, allowed)
        if want <= 0:
            empty = np.empty(0, dtype=np.int64)
            return empty, empty.copy(), np.empty(0, dtype=np.float32)
        if self.index_type != "flat" and allowed <= EXACT_LIMIT:
            slots, sims = self._exact(query, mask, want)
        else:
            slots, sims = self._faiss(query, mask, want)
            if len(slots) < want:  # the graph walk or the probed lists missed allowed slots
                log.debug("%s: approximate search found %d of %d, scanning exactly",
                          self.meta.kind, len(slots), want)
                slots, sims = self._exact(query, mask, want)
        keys = self.labels()[slots].copy()
        order = np.lexsort((keys, -sims))
        return np.asarray(slots)[order], keys[order], sims[order].astype(np.float32)

    def needs_compaction(self) -> bool:
        """Many dead slots."""
        dead = self.slots - self.count
        return dead >= COMPACT_MIN_DEAD and dead > COMPACT_RATIO * self.slots

    def compacted(self) -> LiveIndex:
        """A copy without dead slots (vectors are copied, not re-encoded)."""
        import faiss

        live = np.flatnonzero(self.labels() >= 0)
        keys = self.labels()[live].copy()
        vectors = (self.base.reconstruct_batch(live) if len(live)
                   else np.zeros((0, self.meta.dim), dtype=np.float32))
        if self.index_type == "ivf-sq8" and self.base.is_trained:
            base = faiss.clone_index(self.base)
            base.reset()
            index = faiss.IndexIDMap2(base)
        else:
            index = make_index(self.index_type, self.meta.dim, vectors)
        if len(live):
            index.add_with_ids(np.ascontiguousarray(vectors), keys)
        out = LiveIndex(index, self.table.take(live), self.meta)
        out.text_hashes = dict(self.text_hashes)
        if self.lexicon is not None:
            out.lexicon = self.lexicon.take(live)
        out.dirty = True
        return out
