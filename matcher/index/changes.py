"""The per-kind index change log (``index_changes``): writes append the keys they touched
in their own transaction; every serving process compares the last ``seq`` with the one its
index reflects before a read (:func:`peek_seq`, one indexed read) and applies the delta.

Pruning (``index build``, ``workbridge index prune-changes``): rows up to the ``seq`` every
known index reflects (the saved file's sidecar, the builder's own index) and older than
:data:`RETENTION` are deleted, the last of them turned into a "sync everything" marker, so an
index older than the cutoff still catches up, by a full sync (:func:`prune_changes`).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from sqlalchemy import Engine, delete, func, insert, select, text, update
from sqlalchemy.orm import Session

from matcher.index.kinds import KINDS
from matcher.models import IndexChange
from matcher.models.base import utcnow

#: A change touching more keys than this is logged as one "sync everything" row (key -1).
FULL_CHANGE = 1_000
ALL_KEYS = -1
#: Change rows younger than this are never pruned, whatever the saved indexes reflect: a
#: worker started from an index file saved elsewhere (another machine's index folder)
#: within this window still applies a delta rather than a full sync.
RETENTION = timedelta(hours=24)
_LOCK_BASE = 0x5742_4958  # PostgreSQL advisory lock ids: this + the kind's position


def record_changes(session: Session, kind: str, keys: Iterable[int]) -> tuple[int, int]:
    """Append ``keys`` of ``kind`` to the change log (many keys: one "all" row).

    On PostgreSQL a transaction-scoped advisory lock per kind makes change rows commit in
    ``seq`` order, so a worker that has seen ``seq`` N never misses a later-committing
    N - 1 (SQLite serializes writers anyway). Returns the ``seq`` range written,
    ``(first - 1, last)`` (empty when no keys).
    """
    wanted = sorted({int(k) for k in keys})
    if not wanted:
        return 0, 0
    if session.get_bind().dialect.name == "postgresql":
        lock = _LOCK_BASE + list(KINDS).index(kind)
        session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": lock})
    if len(wanted) > FULL_CHANGE:
        wanted = [ALL_KEYS]
    before = int(session.scalar(select(func.max(IndexChange.seq))) or 0)
    now = utcnow()
    session.execute(insert(IndexChange),
                    [{"kind": kind, "key": key, "at": now} for key in wanted])
    return before, latest_seq(session, kind)


def latest_seq(session: Session, kind: str) -> int:
    """The last change ``seq`` of ``kind`` (0: none); one index lookup."""
    found = session.scalar(select(func.max(IndexChange.seq)).where(IndexChange.kind == kind))
    return int(found or 0)


def peek_seq(engine: Engine, kind: str) -> int:
    """:func:`latest_seq` on a pooled DBAPI connection outside any SQLAlchemy transaction:
    on SQLite no ``BEGIN IMMEDIATE``, so the check before each read takes no write lock."""
    if kind not in KINDS:
        raise ValueError(f"unknown index kind {kind!r}")
    conn = engine.raw_connection()
    try:
        cur = conn.cursor()
        cur.execute(f"SELECT max(seq) FROM index_changes WHERE kind = '{kind}'")  # noqa: S608
        row = cur.fetchone()
        cur.close()
        if engine.dialect.name != "sqlite":
            conn.rollback()
        return int(row[0] or 0) if row else 0
    finally:
        conn.close()


def change_seqs_after(session: Session, kind: str, seq: int) -> list[int]:
    """The ``seq`` of every change of ``kind`` after ``seq``, ascending."""
    return [int(s) for s in session.scalars(select(IndexChange.seq).where(
        IndexChange.kind == kind, IndexChange.seq > seq).order_by(IndexChange.seq))]


def changes_after(session: Session, kind: str, seq: int) -> tuple[int, set[int]]:
    """The keys changed after ``seq`` (``ALL_KEYS`` among them: sync everything) and the
    last ``seq`` read."""
    rows = session.execute(select(IndexChange.seq, IndexChange.key).where(
        IndexChange.kind == kind, IndexChange.seq > seq).order_by(IndexChange.seq)).all()
    last = max((int(s) for s, _ in rows), default=seq)
    return last, {int(k) for _, k in rows}


def prune_cutoff(session: Session, kind: str, seen: Iterable[int], *,
                 keep: timedelta = RETENTION, now: datetime | None = None) -> int:
    """The last ``seq`` of ``kind`` that may be pruned: at most every ``seen`` (the change
    ``seq`` of each saved or loaded index known), and logged over ``keep`` ago (0: none)."""
    seen = list(seen)
    if not seen:
        return 0
    before = (now or utcnow()) - keep
    old = session.scalar(select(func.max(IndexChange.seq)).where(
        IndexChange.kind == kind, IndexChange.at <= before))
    return min(int(old or 0), *seen)


def prune_changes(session: Session, kind: str, upto: int) -> int:
    """Delete change rows of ``kind`` up to ``seq`` ``upto``; returns how many.

    The last of them is kept as a "sync everything" marker (key ``ALL_KEYS``): an index
    that reflects less than ``upto`` (an older file, a long-running worker) cannot tell
    which keys the deleted rows named, so it finds the marker after its ``seq`` and makes a
    full sync instead of a delta; indexes at ``upto`` or later never read it.
    """
    marker = session.scalar(select(func.max(IndexChange.seq)).where(
        IndexChange.kind == kind, IndexChange.seq <= upto))
    if marker is None:
        return 0
    done = session.execute(delete(IndexChange).where(IndexChange.kind == kind,
                                                     IndexChange.seq < marker))
    session.execute(update(IndexChange).where(IndexChange.seq == marker, IndexChange.key
                                              != ALL_KEYS).values(key=ALL_KEYS))
    return int(getattr(done, "rowcount", 0) or 0)
