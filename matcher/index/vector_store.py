"""Vectors stored in the database: each entity's text embedded once per encoder version.

Table ``embeddings`` (:class:`matcher.models.Embedding`): one row per (index kind, key,
encoder id) with the hash of the text embedded and the vector as little-endian float32
bytes (1,536 bytes at 384 dimensions). float32, not int8: the stored vector is exactly the
one the encoder gave, so a worker that loads it scores a pair exactly as the writer did,
and FAISS indexes built from it equal ones built by encoding (100,000 vacancies: 154 MB).

Table ``index_changes`` is the per-kind change log (:mod:`matcher.index.changes`, re-exported
here): a write appends the keys it touched in its own transaction (:func:`record_changes`),
and every serving worker compares its last applied ``seq`` with :func:`peek_seq` (one
indexed read) before an index read, applying the delta from stored vectors.

API used by the job queue: :func:`encoder_id`, :func:`load_vectors`, :func:`pending_keys`,
:func:`embed_and_store`.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import numpy as np
from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from matcher.encoders.base import Encoder
from matcher.index.changes import (
    ALL_KEYS,
    FULL_CHANGE,
    change_seqs_after,
    changes_after,
    latest_seq,
    peek_seq,
    prune_changes,
    record_changes,
)
from matcher.index.kinds import KINDS
from matcher.matching.embedding import text_hash
from matcher.models import Embedding
from matcher.models.base import utcnow
from matcher.runtime import Runtime

log = logging.getLogger(__name__)

__all__ = [
    "ALL_KEYS", "FULL_CHANGE", "Plan", "change_seqs_after", "changes_after", "embed_and_store",
    "encoder_id", "from_bytes", "latest_seq", "load_vectors", "peek_seq", "pending_keys",
    "prune_changes", "record_changes", "store_verified", "stored_since", "to_bytes", "upsert",
    "vectors_by_hash",
]

IN_CHUNK = 900  # keys per IN (...) list
UPSERT_CHUNK = 400  # rows per INSERT ... ON CONFLICT
ENCODE_BATCH = 256

Stored = dict[int, tuple[str, np.ndarray]]


def encoder_id(encoder: Encoder) -> str:
    """The encoder's name and a digest of its version and dimension, e.g.
    ``e5-small@3f2a9c1d0b7e`` (a new version re-embeds everything)."""
    digest = hashlib.blake2b(f"{encoder.version}/{encoder.dim}".encode(),
                             digest_size=6).hexdigest()
    return f"{encoder.name}@{digest}"[:100]


def to_bytes(vector: np.ndarray) -> bytes:
    """A vector as little-endian float32 bytes."""
    return np.ascontiguousarray(vector, dtype="<f4").tobytes()


def from_bytes(raw: bytes) -> np.ndarray:
    """The float32 vector stored as ``raw``."""
    return np.frombuffer(raw, dtype="<f4").astype(np.float32)


def _chunks(items: Sequence[Any], size: int) -> Iterable[Sequence[Any]]:
    for lo in range(0, len(items), size):
        yield items[lo : lo + size]


def load_vectors(session: Session, kind: str, keys: Iterable[int], encoder_id: str) -> Stored:
    """Stored ``(text_hash, vector)`` of each of ``keys`` that has one under ``encoder_id``."""
    wanted = sorted({int(k) for k in keys})
    out: Stored = {}
    for part in _chunks(wanted, IN_CHUNK):
        rows = session.execute(
            select(Embedding.key, Embedding.text_hash, Embedding.vector).where(
                Embedding.kind == kind, Embedding.encoder_id == encoder_id,
                Embedding.key.in_(part)))
        for key, digest, raw in rows:
            out[int(key)] = (digest, from_bytes(raw))
    return out


def vectors_by_hash(session: Session, kind: str, encoder_id: str,
                    hashes: Iterable[str]) -> dict[str, np.ndarray]:
    """Any stored vector of each text hash (identical texts share one vector)."""
    wanted = sorted(set(hashes))
    out: dict[str, np.ndarray] = {}
    for part in _chunks(wanted, IN_CHUNK):
        rows = session.execute(
            select(Embedding.text_hash, Embedding.vector).where(
                Embedding.kind == kind, Embedding.encoder_id == encoder_id,
                Embedding.text_hash.in_(part)))
        for digest, raw in rows:
            out.setdefault(digest, from_bytes(raw))
    return out


def upsert(session: Session, kind: str, encoder_id: str,
           rows: Sequence[tuple[int, str, np.ndarray]]) -> None:
    """Insert or replace ``(key, text_hash, vector)`` rows (PostgreSQL and SQLite)."""
    dialect = session.get_bind().dialect.name
    upsert_into = postgresql.insert if dialect == "postgresql" else sqlite.insert
    now = utcnow()
    for part in _chunks(rows, UPSERT_CHUNK):
        stmt = upsert_into(Embedding).values([
            {"kind": kind, "key": int(key), "encoder_id": encoder_id, "text_hash": digest,
             "vector": to_bytes(vector), "updated_at": now} for key, digest, vector in part])
        stmt = stmt.on_conflict_do_update(
            index_elements=["kind", "key", "encoder_id"],
            set_={"text_hash": stmt.excluded.text_hash, "vector": stmt.excluded.vector,
                  "updated_at": stmt.excluded.updated_at})
        session.execute(stmt)


def pending_keys(session: Session, kind: str, encoder_id: str, limit: int | None = None,
                 after_key: int | None = None) -> list[int]:
    """Keys of ``kind`` (members only, ascending, above ``after_key``) whose current text
    has no stored vector under ``encoder_id``; at most ``limit`` of them."""
    spec = KINDS[kind]
    keys = [int(k) for k in spec.member_keys(session).tolist()
            if after_key is None or k > after_key]
    out: list[int] = []
    for part in _chunks(keys, 4 * IN_CHUNK):
        profiles = spec.load(session, part)
        stored = _stored_hashes(session, kind, encoder_id, part)
        for p in profiles:
            key = spec.key(p)
            if spec.is_member(p) and stored.get(key) != text_hash(spec.text(p)):
                out.append(key)
                if limit is not None and len(out) >= limit:
                    return out
    return out


def _stored_hashes(session: Session, kind: str, encoder_id: str,
                   keys: Sequence[int]) -> dict[int, str]:
    out: dict[int, str] = {}
    for part in _chunks(keys, IN_CHUNK):
        rows = session.execute(select(Embedding.key, Embedding.text_hash).where(
            Embedding.kind == kind, Embedding.encoder_id == encoder_id,
            Embedding.key.in_(part)))
        out.update((int(k), h) for k, h in rows)
    return out


class Plan:
    """Vectors for some profiles of one kind: the stored ones, and which texts to encode."""

    def __init__(self, kind: str, profiles: Sequence[Any], hashes: Sequence[str], dim: int):
        self.kind = kind
        self.profiles = profiles
        self.hashes = list(hashes)
        self.vectors = np.zeros((len(profiles), dim), dtype=np.float32)
        self.missing: list[int] = []  # rows with no vector of their current text
        self.write: list[int] = []  # rows whose vector is to be stored
        self.encoded = 0

    def read(self, session: Session, eid: str, *, force: bool = False,
             share: bool = True) -> Plan:
        """Take stored vectors of the current texts (``share``: another key's vector of an
        identical text too); the rest is :attr:`missing`."""
        spec = KINDS[self.kind]
        keys = [spec.key(p) for p in self.profiles]
        stored = {} if force else load_vectors(session, self.kind, keys, eid)
        need = []
        for i, key in enumerate(keys):
            found = stored.get(key)
            if found is not None and found[0] == self.hashes[i]:
                self.vectors[i] = found[1]
            else:
                need.append(i)
        same = vectors_by_hash(session, self.kind, eid, [self.hashes[i] for i in need]) \
            if share and not force and need else {}
        for i in need:
            if self.hashes[i] in same:
                self.vectors[i] = same[self.hashes[i]]
            else:
                self.missing.append(i)
        self.write = need
        return self

    def take_known(self, known: Callable[[Sequence[str]], list[np.ndarray | None]]) -> Plan:
        """Take vectors of missing texts this process already encoded (by text hash)."""
        found = known([self.hashes[i] for i in self.missing])
        for i, vector in zip(self.missing, found, strict=True):
            if vector is not None:
                self.vectors[i] = vector
        self.missing = [i for i, v in zip(self.missing, found, strict=True) if v is None]
        return self

    def encode(self, encoder: Encoder, tick: Callable[[int], None] | None = None) -> Plan:
        """Encode the missing texts, each distinct text once, in batches."""
        spec = KINDS[self.kind]
        first: dict[str, int] = {}
        for i in self.missing:
            first.setdefault(self.hashes[i], i)
        todo = list(first.items())
        got: dict[str, np.ndarray] = {}
        for part in _chunks(todo, ENCODE_BATCH):
            vectors = spec.embed(encoder, [self.profiles[i] for _, i in part], False)
            got.update(zip([h for h, _ in part], vectors, strict=True))
            if tick:
                tick(len(part))
        for i in self.missing:
            self.vectors[i] = got[self.hashes[i]]
        self.encoded = len(todo)
        self.missing = []
        return self

    def rows(self) -> list[tuple[int, str, np.ndarray]]:
        """The ``(key, text_hash, vector)`` rows to store."""
        spec = KINDS[self.kind]
        return [(spec.key(self.profiles[i]), self.hashes[i], self.vectors[i])
                for i in self.write]


def store_verified(session: Session, kind: str, eid: str,
                   rows: Sequence[tuple[int, str, np.ndarray]]) -> list[int]:
    """Upsert the rows whose entity still has the text they were embedded from (a write
    that changed it meanwhile stored its own vector); returns the keys stored."""
    if not rows:
        return []
    spec = KINDS[kind]
    current = {spec.key(p): text_hash(spec.text(p))
               for p in spec.load(session, [k for k, _, _ in rows])}
    keep = [r for r in rows if current.get(r[0]) == r[1]]
    upsert(session, kind, eid, keep)
    return [k for k, _, _ in keep]


def embed_and_store(rt: Runtime, kind: str, keys: Iterable[int], *, force: bool = False) -> int:
    """Encode the members among ``keys`` whose current text has no stored vector (``force``:
    all of them), store the vectors and log the change, in a unit of work of its own that
    commits; returns how many texts were encoded. Reading and encoding hold no write lock."""
    spec = KINDS[kind]
    encoder = rt.encoder
    eid = encoder_id(encoder)
    with rt.reader() as uow:
        profiles = [p for p in spec.load(uow.s, sorted({int(k) for k in keys}))
                    if spec.is_member(p)]
        plan = Plan(kind, profiles, [text_hash(spec.text(p)) for p in profiles],
                    encoder.dim).read(uow.s, eid, force=force)
    plan.encode(encoder)
    rows = plan.rows()
    if not rows:
        return 0
    with rt.uow() as uow:
        stored = store_verified(uow.s, kind, eid, rows)
        record_changes(uow.s, kind, stored)
        uow.commit()
    log.info("%s: %d texts encoded, %d vectors stored", kind, plan.encoded, len(stored))
    return plan.encoded


def stored_since(session: Session, kind: str, encoder_id: str, since: Any
                 ) -> list[tuple[int, str]]:
    """Keys of ``kind`` whose vector was stored after ``since``, with the text hash stored
    (for the sync)."""
    return [(int(k), str(h)) for k, h in session.execute(select(
        Embedding.key, Embedding.text_hash).where(
        Embedding.kind == kind, Embedding.encoder_id == encoder_id,
        Embedding.updated_at > since))]
