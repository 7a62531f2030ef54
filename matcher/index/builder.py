"""Building an index kind from the database (``workbridge index build``), and attaching a
loaded index file to fresh attributes from the database.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any

import numpy as np
from tqdm import tqdm

from matcher.encoders.base import Encoder
from matcher.index.kinds import KINDS, Profile
from matcher.index.live import LiveIndex
from matcher.index.store import IndexMeta, make_index
from matcher.matching.embedding import ReuseCache, text_hash
from matcher.matching.tables import Vocab
from matcher.runtime import Runtime
from matcher.skills import SkillMatcher

log = logging.getLogger(__name__)
Known = Callable[[Sequence[str]], list[np.ndarray | None]]

BATCH = 512
TRAIN_SAMPLE = 100_000
#: Encode each distinct text once per build (False: every row, for scripts/bench_embed.py).
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
    known: Known | None = None,
) -> LiveIndex:
    """A new index of ``kind`` holding every row that belongs in it, embedded in batches;
    ``known`` gives the vectors of texts encoded earlier in this process (by hash)."""
    spec = KINDS[kind]
    encoder = rt.encoder

    def embed(ps: Sequence[Profile]) -> np.ndarray:
        found = known([text_hash(spec.text(p)) for p in ps]) if known else [None] * len(ps)
        new = [p for p, v in zip(ps, found, strict=True) if v is None]
        fresh = iter(spec.embed(encoder, new, False) if new else ())
        rows = [next(fresh) if v is None else v for v in found]
        return np.ascontiguousarray(np.stack(rows) if rows else
                                    np.zeros((0, encoder.dim)), dtype=np.float32)

    index_type = rt.settings.index_type
    synced_at = now_iso()
    with rt.uow() as uow:
        profiles: list[Profile] = spec.load(uow.s)
    meta = new_meta(kind, encoder, index_type).with_(synced_at=synced_at)
    table = spec.table_cls(capacity=max(len(profiles), 1))
    index: Any = None
    pending: list[tuple[Sequence[Profile], list[str], np.ndarray]] = []
    pending_rows = 0
    live: LiveIndex | None = None
    hashes = [text_hash(spec.text(p)) for p in profiles]
    reuse = ReuseCache(hashes)  # identical texts (one chain's postings) are encoded once
    bar = tqdm(total=len(profiles), desc=f"index {kind}", unit="row", disable=not progress)
    with bar:
        for lo in range(0, len(profiles), BATCH):
            batch = profiles[lo : lo + BATCH]
            batch_hashes = hashes[lo : lo + BATCH]
            vectors = reuse.embed(batch, batch_hashes, embed) \
                if REUSE_TEXTS else spec.embed(encoder, batch, False)
            bar.update(len(batch))
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
    live.dirty = True
    log.info("built %s index: %d vectors (%s, %s), %d texts encoded, %d reused", kind,
             live.count, index_type, encoder.name, reuse.encoded, reuse.reused)
    return live


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
    with rt.uow() as uow:
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
