"""Reading the caller's inbox, newest first (shared by every role)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, and_, func, select

from matcher.action import ALL_ROLES, query
from matcher.enums import Role
from matcher.inbox.notify import load
from matcher.models import Notification
from matcher.principal import Principal
from matcher.runtime import Work
from matcher.vacancies.queries import Page, paginate


@dataclass(frozen=True)
class NotificationView:
    """One notification as the inbox shows it."""

    id: int
    kind: str
    title: str  # a Msg when written as one (translate it where shown)
    body: str
    entity: str
    entity_id: str
    created_at: datetime
    read_at: datetime | None


def _view(n: Notification) -> NotificationView:
    return NotificationView(n.id, n.kind, load(n.title), load(n.body), n.entity, n.entity_id,
                            n.created_at, n.read_at)


def _owner(actor: Principal) -> int:
    owner = {Role.SEEKER: actor.seeker_id, Role.ENTERPRISE: actor.enterprise_id,
             Role.AGENCY: actor.agency_id}.get(actor.role, 0)
    return owner or 0


def mine(actor: Principal) -> ColumnElement[bool]:
    """The filter of the caller's notifications (their user, or their role and owner)."""
    by_owner = and_(Notification.role == actor.role.value,
                    Notification.owner_id == _owner(actor))
    if actor.is_system:
        return by_owner
    return by_owner | (Notification.user_id == actor.user_id)


@query(*ALL_ROLES, system=False)
def my_notifications(uow: Work, actor: Principal, page: int = 1,
                     per_page: int = 20) -> Page:
    """The caller's inbox, newest first."""
    stmt = select(Notification).where(mine(actor)).order_by(
        Notification.created_at.desc(), Notification.id.desc())
    return paginate(uow.s, stmt, page, per_page, _view)


@query(*ALL_ROLES, system=False)
def unread_count(uow: Work, actor: Principal) -> int:
    """How many of the caller's notifications are unread."""
    return uow.s.scalar(select(func.count()).select_from(Notification).where(
        mine(actor), Notification.read_at.is_(None))) or 0
