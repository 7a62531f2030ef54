"""Building an index kind from the database's stored vectors (``workbridge index build``),
encoding only rows without one, and attaching a loaded index file to fresh attributes.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any

import numpy as np
from tqdm import tqdm

from matcher.encoders.base import Encoder
from matcher.index import vector_store
from matcher.index.kinds import KINDS, Profile
from matcher.index.live import LiveIndex
from matcher.index.store import IndexMeta, make_index
from matcher.matching.embedding import text_hash
from matcher.matching.tables import Vocab
from matcher.runtime import Runtime
from matcher.skills import SkillMatcher

log = logging.getLogger(__name__)
Known = Callable[[Sequence[str]], list[np.ndarray | None]]

BATCH = 1024
TRAIN_SAMPLE = 100_000
#: Copy the stored vector of an identical text of another row (False: encode every row
#: without a vector of its own, for scripts/bench_embed.py).
REUSE_TEXTS = True


def now_iso() -> str:
    """The current UTC time as ISO 8601."""
    return datetime.now(UTC).isoformat()


def new_meta(kind: str, encoder: Encoder, index_type: str) -> IndexMeta:
    """The sidecar of a fresh index for the current encoder."""
    return IndexMeta(kind=kind, encoder=encoder.name, encoder_version=encoder.version,
                     dim=encoder.dim, index_type=index_type)


def build_live(
    rt: Runtime, kind: str, *, vocab: Vocab, skills: SkillMatcher, progress: bool = False,
    encode: bool = True, force: bool = False, known: Known | None = None,
) -> LiveIndex:
    """A new index of ``kind`` holding every row that belongs in it, from stored vectors.

    Rows whose current text has no stored vector are encoded in batches (each distinct text
    once, identical texts of other rows copied) and stored, chunk by chunk, each chunk
    committed; ``force`` re-encodes every row (``index build --reembed``); ``encode=False``
    leaves such rows out (a serving worker never encodes in bulk); ``known`` gives vectors
    of texts this process encoded earlier (by hash), taken instead of encoding.
    """
    spec = KINDS[kind]
    encoder = rt.encoder
    eid = vector_store.encoder_id(encoder)
    index_type = rt.settings.index_type
    synced_at = now_iso()
    with rt.reader() as uow:
        seq = vector_store.latest_seq(uow.s, kind)  # changes after this are applied later
        profiles: list[Profile] = spec.load(uow.s)
    meta = new_meta(kind, encoder, index_type).with_(synced_at=synced_at, change_seq=seq)
    table = spec.table_cls(capacity=max(len(profiles), 1))
    index: Any = None
    pending: list[tuple[Sequence[Profile], list[str], np.ndarray]] = []
    pending_rows = 0
    live: LiveIndex | None = None
    hashes = [text_hash(spec.text(p)) for p in profiles]
    encoded = stored = skipped = 0
    own: list[tuple[int, int]] = []  # seq ranges of the changes this build logged itself
    bar = tqdm(total=len(profiles), desc=f"index {kind}", unit="row", disable=not progress)
    with bar:
        for lo in range(0, len(profiles), BATCH):
            batch = profiles[lo : lo + BATCH]
            with rt.reader() as uow:
                plan = vector_store.Plan(kind, batch, hashes[lo : lo + BATCH], encoder.dim
                                         ).read(uow.s, eid, force=force, share=REUSE_TEXTS)
            if plan.missing and known is not None and not force:
                plan.take_known(known)
            if plan.missing and encode:
                plan.encode(encoder)
                encoded += plan.encoded
            left_out = set(plan.missing)
            keep = [i for i in range(len(batch)) if i not in left_out]
            skipped += len(batch) - len(keep)
            if plan.write and encode:
                count, written = _store(rt, kind, eid, plan.rows())
                stored += count
                own.append(written)
            batch = [batch[i] for i in keep]
            batch_hashes = [plan.hashes[i] for i in keep]
            vectors = np.ascontiguousarray(plan.vectors[keep], dtype=np.float32)
            bar.update(len(plan.profiles))
            if index is None:  # IVF trains on a sample before the first add
                pending.append((batch, batch_hashes, vectors))
                pending_rows += len(batch)
                if index_type == "ivf-sq8" and pending_rows < min(TRAIN_SAMPLE, len(profiles)):
                    continue
                sample = np.concatenate([v for _, _, v in pending]) \
                    if index_type == "ivf-sq8" else None
                index = make_index(index_type, encoder.dim, sample)
                live = LiveIndex(index, table, meta)
                for part, part_hashes, vecs in pending:
                    _add(live, spec, part, part_hashes, vecs, vocab, skills)
                pending = []
            else:
                assert live is not None
                _add(live, spec, batch, batch_hashes, vectors, vocab, skills)
    if live is None:
        live = LiveIndex(make_index(index_type, encoder.dim), table, meta)
    if own:
        live.meta = live.meta.with_(change_seq=_seen_through(rt, kind, seq, own))
    live.dirty = True
    live.encoded = encoded
    log.info("built %s index: %d vectors (%s, %s), %d texts encoded, %d vectors stored, "
             "%d rows left out (no stored vector)", kind, live.count, index_type,
             encoder.name, encoded, stored, skipped)
    return live


def _store(rt: Runtime, kind: str, eid: str, rows: list[tuple[int, str, np.ndarray]]
           ) -> tuple[int, tuple[int, int]]:
    """Store freshly encoded vectors in a unit of work of their own and log the change;
    returns how many were stored and the ``seq`` range of the change rows."""
    with rt.uow() as uow:
        keys = vector_store.store_verified(uow.s, kind, eid, rows)
        written = vector_store.record_changes(uow.s, kind, keys)
        uow.commit()
    return len(keys), written


def _seen_through(rt: Runtime, kind: str, start: int, own: list[tuple[int, int]]) -> int:
    """The last ``seq`` the new index reflects: past ``start``, the changes this build
    logged itself are reflected; the first change by anyone else is not."""
    with rt.reader() as uow:
        seqs = vector_store.change_seqs_after(uow.s, kind, start)
    seen = start
    for seq in seqs:
        if not any(lo < seq <= hi for lo, hi in own):
            break
        seen = seq
    return seen


def _add(live: LiveIndex, spec: Any, batch: Sequence[Profile], hashes: Sequence[str],
         vectors: np.ndarray, vocab: Vocab, skills: SkillMatcher) -> None:
    live.add([spec.key(p) for p in batch], vectors,
             [spec.record(p, vocab, skills) for p in batch], hashes)


def attach(
    rt: Runtime, kind: str, index: Any, meta: IndexMeta, *, vocab: Vocab, skills: SkillMatcher
) -> tuple[LiveIndex, list[int]]:
    """Wrap a loaded index with attributes read now; returns it and the keys it lacks.

    Slots whose row is gone or no longer belongs are marked dead.
    """
    spec = KINDS[kind]
    import faiss

    labels = faiss.vector_to_array(index.id_map) if index.ntotal else np.empty(0, np.int64)
    keys = [int(k) for k in labels if k >= 0]
    with rt.reader() as uow:
        profiles = {spec.key(p): p for p in spec.load(uow.s, keys) if spec.is_member(p)}
        members = spec.member_keys(uow.s)
    table = spec.table_cls(capacity=max(len(labels), 1))
    table.append([spec.record(profiles[int(k)], vocab, skills) if int(k) in profiles else None
                  for k in labels])
    live = LiveIndex(index, table, meta)
    gone = [k for k in keys if k not in profiles]
    live.remove(gone)
    missing = np.setdiff1d(members, live.keys()).tolist()
    if gone or missing:
        log.info("%s index: %d stale entries dropped, %d rows to add", kind, len(gone),
                 len(missing))
    return live, [int(k) for k in missing]
