"""The notification outbox: rows a mailer reads and marks sent (no mail server here)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from matcher.models import OutboxMessage
from matcher.models.base import utcnow


@dataclass(frozen=True)
class Message:
    """One outbox row as plain values."""

    id: int
    recipient: str
    channel: str
    subject: str
    body: str
    entity: str
    entity_id: str
    created_at: datetime
    sent_at: datetime | None


def _view(m: OutboxMessage) -> Message:
    return Message(m.id, m.recipient, m.channel, m.subject, m.body, m.entity, m.entity_id,
                   m.created_at, m.sent_at)


def enqueue(session: Session, recipient: str, subject: str, body: str, *, channel: str = "sms",
            entity: str = "", entity_id: object = "") -> OutboxMessage:
    """Add a notification in the caller's transaction (it is sent only if that commits)."""
    row = OutboxMessage(recipient=recipient, channel=channel, subject=subject, body=body,
                        entity=entity, entity_id=str(entity_id))
    session.add(row)
    return row


def pending(session: Session, limit: int = 100) -> list[Message]:
    """Unsent messages, oldest first."""
    stmt = (select(OutboxMessage).where(OutboxMessage.sent_at.is_(None))
            .order_by(OutboxMessage.id).limit(limit))
    return [_view(m) for m in session.scalars(stmt)]


def messages(session: Session, entity: str | None = None) -> list[Message]:
    """All messages (optionally about one entity kind), oldest first."""
    stmt = select(OutboxMessage).order_by(OutboxMessage.id)
    if entity:
        stmt = stmt.where(OutboxMessage.entity == entity)
    return [_view(m) for m in session.scalars(stmt)]


def mark_sent(session: Session, ids: list[int]) -> int:
    """Set ``sent_at`` on the given unsent messages; returns how many were marked."""
    rows = list(session.scalars(select(OutboxMessage).where(
        OutboxMessage.id.in_(ids), OutboxMessage.sent_at.is_(None))))
    now = utcnow()
    for m in rows:
        m.sent_at = now
    return len(rows)
