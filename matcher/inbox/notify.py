"""Writing notifications: one inbox row per recipient plus an outbox row for the gateway.

A recipient is ``(role, owner id)``: a seeker's id, an enterprise's or an agency's id (all
of its staff share the inbox), or ``("admin", 0)`` for the bureau. Rows are added in the
caller's transaction, so a refused action notifies nobody.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from matcher.bureau import outbox
from matcher.enums import Role
from matcher.models import Notification


@dataclass(frozen=True)
class Recipient:
    """Who receives a notification: a role and the id of what it acts for."""

    role: Role
    owner_id: int

    @property
    def address(self) -> str:
        """The outbox address a mailer/SMS gateway resolves."""
        return f"{self.role.value}:{self.owner_id}"


def seeker(seeker_id: int) -> Recipient:
    """A job seeker."""
    return Recipient(Role.SEEKER, seeker_id)


def enterprise(enterprise_id: int) -> Recipient:
    """Every staff user of an enterprise."""
    return Recipient(Role.ENTERPRISE, enterprise_id)


def agency(agency_id: int) -> Recipient:
    """Every staff user of an HR agency."""
    return Recipient(Role.AGENCY, agency_id)


def notify(s: Session, to: Recipient, kind: str, title: str, body: str = "", *,
           entity: str = "", entity_id: object = "") -> Notification:
    """Add one inbox notification and its outbox message (sent only if the caller commits)."""
    row = Notification(role=to.role.value, owner_id=to.owner_id, kind=kind, title=title[:200],
                       body=body, entity=entity, entity_id=str(entity_id))
    s.add(row)
    outbox.enqueue(s, to.address, title[:200], body or title, channel="inbox", entity=entity,
                   entity_id=entity_id)
    return row
