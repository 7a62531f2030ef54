"""Employees acknowledge an agreement themselves, through a one-time link.

Each employee on a proposed agreement gets a link ``/ack/<token>``. The token is an HMAC of
a random nonce under the server's secret key: the database keeps the nonce and only the
token's SHA-256 (for lookup), so the server can show the link to the lender again while a
copy of the database alone cannot use it. A link expires after :data:`ACK_TTL`, is used
once, and locks after :data:`MAX_ATTEMPTS` wrong names. Confirming calls
:func:`matcher.lending.agreements.acknowledge`, which moves the agreement to ``signed``
once both enterprises signed and every employee acknowledged.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import unicodedata
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from matcher import audit
from matcher.db import UnitOfWork
from matcher.enums import AgreementStatus
from matcher.errors import NotFound, Refused
from matcher.lending import agreements
from matcher.models import AckLink, Agreement, OutboxMessage
from matcher.models.base import utcnow
from matcher.runtime import Runtime
from matcher.words import N_, msg

ACK_TTL = timedelta(days=14)
MAX_ATTEMPTS = 5
ACK_PREFIX = "/ack/"


@dataclass(frozen=True)
class AckPage:
    """What the employee reads before confirming (plain values)."""

    state: str  # open | used | expired | locked | closed
    employee_name: str
    lender_name: str
    borrower_name: str
    site: str
    start_date: date
    end_date: date
    daily_hours: float
    attempts_left: int


@dataclass(frozen=True)
class AckOutcome:
    """The result of one confirmation try; ``error`` is raised by the caller after commit."""

    page: AckPage
    error: Refused | None


def _aware(t: datetime) -> datetime:
    return t if t.tzinfo is not None else t.replace(tzinfo=UTC)


def token_for(secret: str, nonce: str) -> str:
    """The link token of a nonce under the server's secret."""
    return hmac.new(secret.encode(), f"ack:{nonce}".encode(), hashlib.sha256).hexdigest()


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def ack_path(secret: str, link: AckLink) -> str:
    """The absolute path of a link (to hand over, print or text)."""
    return ACK_PREFIX + token_for(secret, link.nonce)


def issue_links(rt: Runtime, uow: UnitOfWork, agreement_id: int, *, actor: str
                ) -> list[AckLink]:
    """One link per employee of a new agreement, each written to the SMS outbox."""
    a = uow.s.get(Agreement, agreement_id)
    if a is None:
        raise NotFound(msg("No agreement %(id)s.", id=agreement_id))
    secret = rt.settings.secret_key
    out = []
    for row in a.employees:
        nonce = secrets.token_hex(16)
        link = AckLink(agreement_id=a.id, employee_id=row.employee_id, nonce=nonce,
                       token_hash=_hash(token_for(secret, nonce)),
                       expires_at=utcnow() + ACK_TTL, attempts=0)
        uow.s.add(link)
        out.append(link)
        emp = row.employee
        uow.s.add(OutboxMessage(  # the bureau's outbox (it imports lending, not back)
            recipient=f"employee:{emp.external_id}", channel="sms",
            subject="借调协议确认 Lending agreement",
            body=f"{a.borrower.name} 拟借调您 {a.start_date}~{a.end_date}，请打开链接确认 / "
                 f"please confirm: {ack_path(secret, link)}",
            entity="agreement", entity_id=str(a.id)))
    uow.s.flush()
    audit.record(uow.s, actor, "agreement.ack_links_issued", "agreement", a.id,
                 {"employee_ids": [r.employee_id for r in a.employees]})
    return out


def links_of(session: Session, agreement_id: int) -> dict[int, AckLink]:
    """The links of one agreement by employee id."""
    rows = session.scalars(select(AckLink).where(AckLink.agreement_id == agreement_id))
    return {link.employee_id: link for link in rows}


def _find(session: Session, token: str) -> AckLink:
    link = session.scalar(select(AckLink).where(AckLink.token_hash == _hash(token or "")))
    if link is None:
        raise NotFound(msg("This link is not valid."))
    return link


def _state(link: AckLink, now: datetime) -> str:
    if link.used_at is not None:
        return "used"
    if link.locked_at is not None:
        return "locked"
    if _aware(link.expires_at) <= now:
        return "expired"
    if link.agreement.status not in (AgreementStatus.PROPOSED, AgreementStatus.ACCEPTED):
        return "closed"
    return "open"


def _page(link: AckLink, now: datetime) -> AckPage:
    a, emp = link.agreement, link.employee
    return AckPage(
        state=_state(link, now), employee_name=emp.name or emp.external_id,
        lender_name=a.lender.name, borrower_name=a.borrower.name, site=a.site,
        start_date=a.start_date, end_date=a.end_date, daily_hours=a.daily_hours,
        attempts_left=max(MAX_ATTEMPTS - link.attempts, 0))


def page(session: Session, token: str, now: datetime | None = None) -> AckPage:
    """The plain-language page of a link (its state says whether it can still be used)."""
    return _page(_find(session, token), now or utcnow())


REFUSALS = {
    "used": ("ack_link_used", N_("This link has already been used.")),
    "locked": ("ack_link_locked", N_("Too many wrong names: the link is locked. Ask your "
                                     "employer for help.")),
    "expired": ("ack_link_expired", N_("This link has expired. Ask your employer for a new "
                                       "one.")),
    "closed": ("ack_agreement_closed", N_("This agreement can no longer be acknowledged.")),
}


def _same_name(typed: str, name: str) -> bool:
    def norm(s: str) -> str:
        return "".join(unicodedata.normalize("NFKC", s).casefold().split())
    return bool(norm(typed)) and norm(typed) == norm(name)


def confirm(rt: Runtime, uow: UnitOfWork, token: str, name: str,
            now: datetime | None = None) -> AckOutcome:
    """Confirm with the employee's own name; a wrong name counts (and is kept) as a try."""
    moment = now or utcnow()
    link = _find(uow.s, token)
    state = _state(link, moment)
    if state != "open":
        code, message = REFUSALS[state]
        return AckOutcome(_page(link, moment), Refused(msg(message), code=code))
    emp = link.employee
    if not _same_name(name, emp.name or emp.external_id):
        link.attempts += 1
        if link.attempts >= MAX_ATTEMPTS:
            link.locked_at = moment
        uow.s.flush()
        audit.record(uow.s, "employee-link", "agreement.ack_wrong_name", "agreement",
                     link.agreement_id, {"employee_id": emp.id, "attempts": link.attempts})
        left = max(MAX_ATTEMPTS - link.attempts, 0)
        return AckOutcome(_page(link, moment), Refused(
            msg("The name does not match. %(left)s tries left.", left=left),
            code="ack_wrong_name" if left else "ack_link_locked"))
    link.used_at = moment
    agreements.acknowledge(rt, uow, link.agreement_id, emp.id,
                           actor=f"employee:{emp.external_id}")
    return AckOutcome(_page(link, moment), None)
