"""Embedding a changed row inside its own write, just before the transaction commits.

:meth:`matcher.index.registry.Registry.changed` calls :func:`embed_before_commit`; the keys
of each kind are gathered on the session and, in SQLAlchemy's ``before_commit`` event (the
service has finished changing the rows by then), each touched row that belongs in its index
and whose current text has no stored vector is encoded (one or a few texts: milliseconds),
its vector upserted, and every touched key appended to the change log, all in the same
transaction. If encoding fails the write still commits with the change logged; the row then
keeps its previous vector (or stays out) until ``index build`` or the job queue embeds it.
"""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session

from matcher.db import UnitOfWork
from matcher.index import vector_store
from matcher.index.kinds import KINDS
from matcher.matching.embedding import text_hash
from matcher.runtime import Runtime

log = logging.getLogger(__name__)

_PENDING = "workbridge_index_pending"  # session.info key: {kind: set of keys}


def embed_before_commit(rt: Runtime, uow: UnitOfWork, kind: str, keys: list[int]) -> None:
    """Embed, store and log ``keys`` of ``kind`` when ``uow``'s transaction commits."""
    session = uow.s
    pending: dict[str, set[int]] | None = session.info.get(_PENDING)
    if pending is None:
        pending = session.info[_PENDING] = {}
        event.listen(session, "before_commit", lambda s: _flush(rt, s))
    pending.setdefault(kind, set()).update(keys)


def _flush(rt: Runtime, session: Session) -> None:
    pending: dict[str, set[int]] = session.info.pop(_PENDING, None) or {}
    if pending:
        session.info[_PENDING] = {}  # later changes on this session gather anew
    for kind, keys in sorted(pending.items()):
        embed_in_session(rt, session, kind, sorted(keys))


def embed_in_session(rt: Runtime, session: Session, kind: str, keys: list[int]) -> int:
    """Encode (if needed) and store the vectors of ``keys`` and log them, in ``session``'s
    transaction; returns how many texts were encoded."""
    spec = KINDS[kind]
    encoded = 0
    try:
        encoder = rt.encoder
        eid = vector_store.encoder_id(encoder)
        profiles: list[Any] = [p for p in spec.load(session, keys) if spec.is_member(p)]
        plan = vector_store.Plan(kind, profiles, [text_hash(spec.text(p)) for p in profiles],
                                 encoder.dim).read(session, eid)
        if plan.missing:
            plan.encode(encoder)
            encoded = plan.encoded
        vector_store.upsert(session, kind, eid, plan.rows())
    except Exception:  # the write stands; the row waits for `index build` / the job queue
        log.exception("index %s: embedding %d changed rows failed; logged for later", kind,
                      len(keys))
    vector_store.record_changes(session, kind, keys)
    return encoded
