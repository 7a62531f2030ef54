"""Marking the caller's notifications read."""

from __future__ import annotations

from sqlalchemy import update

from matcher.action import ALL_ROLES, action
from matcher.inbox.queries import mine
from matcher.models import Notification
from matcher.models.base import utcnow
from matcher.principal import Principal
from matcher.runtime import Work


@action(*ALL_ROLES, system=False)
def mark_all_read(uow: Work, actor: Principal) -> int:
    """Mark every unread notification of the caller read; returns how many."""
    result = uow.s.execute(update(Notification).where(
        mine(actor), Notification.read_at.is_(None)).values(read_at=utcnow())
        .execution_options(synchronize_session=False))
    return int(result.rowcount)  # type: ignore[attr-defined]
