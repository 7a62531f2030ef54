"""Writing notifications: one inbox row per recipient plus an outbox row for the gateway.

A recipient is ``(role, owner id)``: a seeker's id, an enterprise's or an agency's id (all
of its staff share the inbox), or ``("admin", 0)`` for the bureau. Rows are added in the
caller's transaction, so a refused action notifies nobody.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from matcher.bureau import outbox
from matcher.enums import Role
from matcher.models import Notification
from matcher.words import Msg

#: a stored title/body that is a message (translated when read), not plain text
STORED_MSG = "@msg "
TITLE_MAX = 200


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


def _plain(value: Any) -> Any:
    if isinstance(value, Msg):
        return {"m": value.msgid, "p": {k: _plain(v) for k, v in value.params.items()}}
    return value if isinstance(value, (int, float)) else str(value)


def _revive(value: Any) -> Any:
    if isinstance(value, dict) and "m" in value:
        return Msg(value["m"], {k: _revive(v) for k, v in (value.get("p") or {}).items()})
    return value


def store(text: str, limit: int | None = None) -> str:
    """How a title or body is stored: a :class:`Msg` as ``@msg {json}`` (translated when
    read, see :func:`load`) when it fits in ``limit``, else its English text; text as is."""
    if isinstance(text, Msg):
        packed = STORED_MSG + json.dumps(_plain(text), ensure_ascii=False)
        if limit is None or len(packed) <= limit:
            return packed
    return str.__str__(text)[:limit] if limit else str.__str__(text)


def load(stored: str) -> str:
    """A stored title or body as written: a :class:`Msg` again, or the plain text."""
    if stored and stored.startswith(STORED_MSG):
        try:
            return _revive(json.loads(stored[len(STORED_MSG):]))
        except (ValueError, TypeError, KeyError):
            return stored
    return stored


def notify(s: Session, to: Recipient, kind: str, title: str, body: str = "", *,
           entity: str = "", entity_id: object = "") -> Notification:
    """Add one inbox notification and its outbox message (sent only if the caller commits).

    ``title`` and ``body`` may be :func:`~matcher.words.msg` messages: the inbox shows them
    in the reader's language; the outbox (a gateway) gets the English text."""
    row = Notification(role=to.role.value, owner_id=to.owner_id, kind=kind,
                       title=store(title, TITLE_MAX), body=store(body), entity=entity,
                       entity_id=str(entity_id))
    s.add(row)
    outbox.enqueue(s, to.address, str.__str__(title)[:TITLE_MAX], str.__str__(body or title),
                   channel="inbox", entity=entity, entity_id=entity_id)
    return row
