"""Writing to the append-only audit log (the database refuses UPDATE and DELETE)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from matcher.models import AuditLog
from matcher.pii import mask_text


def record(
    session: Session, actor: str, action: str, entity: str, entity_id: object,
    data: dict[str, Any] | None = None,
) -> AuditLog:
    """Add an audit entry in the caller's transaction (committed with the change it records)."""
    entry = AuditLog(
        actor=mask_text(actor), action=action, entity=entity, entity_id=str(entity_id),
        data=data or {},
    )
    session.add(entry)
    return entry


def entries(session: Session, entity: str | None = None, limit: int = 100) -> list[AuditLog]:
    """The newest audit entries, optionally for one entity kind."""
    stmt = select(AuditLog).order_by(AuditLog.id.desc()).limit(limit)
    if entity:
        stmt = stmt.where(AuditLog.entity == entity)
    return list(session.scalars(stmt))
