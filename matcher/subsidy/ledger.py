"""Payments and reversals: append-only ledger rows, never edited.

Paying an approved claim writes one ``payment`` row (a partial UNIQUE index allows one per
claim) and counts the amount against the claim's caps at stage ``paid``. A reversal is a
new ``reversal`` row with the negative amount and ``reverses_id`` (UNIQUE: once); it frees
the caps again. The database refuses UPDATE and DELETE on ledger_entries.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from matcher import audit
from matcher.db import UnitOfWork
from matcher.enums import ClaimantKind, ClaimStatus, LedgerKind
from matcher.errors import Conflict, NotFound, ValidationFailed
from matcher.models.base import utcnow
from matcher.models.subsidy import LedgerEntry, SubsidyClaim
from matcher.subsidy import caps
from matcher.subsidy.actors import Actor, require_admin
from matcher.subsidy.claims import ENTITY
from matcher.subsidy.clock import today
from matcher.subsidy.views import LedgerView
from matcher.words import msg, word


def pay_claim(uow: UnitOfWork, claim_id: int, *, actor: Actor,
              booked_on: date | None = None) -> LedgerView:
    """Pay an approved claim: ledger row, caps at stage ``paid``, status paid."""
    require_admin(actor, "pay claims")
    s = uow.s
    claim = _claim(s, claim_id)
    done = s.execute(
        update(SubsidyClaim)
        .where(SubsidyClaim.id == claim_id, SubsidyClaim.status == ClaimStatus.APPROVED)
        .values(status=ClaimStatus.PAID, paid_at=utcnow(), updated_at=utcnow())
        .execution_options(synchronize_session=False)
    ).rowcount  # type: ignore[attr-defined]
    s.refresh(claim)
    if not done:
        raise Conflict(msg("Claim %(id)s is %(status)s, not %(expected)s.", id=claim_id,
                           status=word(claim.status.value), expected=word("approved")),
                       code="invalid_transition")
    caps.reserve(s, caps.keys_for(claim), claim.amount_fen, "paid")
    entry = LedgerEntry(
        claim_id=claim.id, kind=LedgerKind.PAYMENT, amount_fen=claim.amount_fen,
        agency_id=claim.agency_id if claim.claimant_kind == ClaimantKind.AGENCY else None,
        booked_on=booked_on or today(),
        note=f"{claim.rule_code} v{claim.rule_version} tranche {claim.tranche}",
    )
    try:
        with s.begin_nested():
            s.add(entry)
            s.flush()
    except IntegrityError:
        raise Conflict(msg("Claim %(id)s is already paid.", id=claim_id),
                       code="already_paid") from None
    audit.record(s, actor.name, "claim.paid", ENTITY, claim.id,
                 {"ledger_entry_id": entry.id, "amount_fen": entry.amount_fen,
                  "booked_on": entry.booked_on.isoformat() if entry.booked_on else None})
    s.flush()
    return LedgerView.of(entry)


def reverse_payment(uow: UnitOfWork, claim_id: int, *, actor: Actor, reason: str,
                    booked_on: date | None = None) -> LedgerView:
    """Reverse a claim's payment with a new negative row and free its caps."""
    require_admin(actor, "reverse payments")
    if not isinstance(reason, str) or not reason.strip():
        raise ValidationFailed(msg("A reason is required."),
                               fields={"reason": [msg("Please give a reason.")]})
    s = uow.s
    claim = _claim(s, claim_id)
    done = s.execute(
        update(SubsidyClaim)
        .where(SubsidyClaim.id == claim_id, SubsidyClaim.status == ClaimStatus.PAID,
               SubsidyClaim.reversed_at.is_(None))
        .values(reversed_at=utcnow(), updated_at=utcnow())
        .execution_options(synchronize_session=False)
    ).rowcount  # type: ignore[attr-defined]
    s.refresh(claim)
    if not done:
        raise Conflict(msg("Claim %(id)s is not paid, or its payment is already reversed.",
                           id=claim_id), code="not_reversible")
    payment = s.scalar(select(LedgerEntry).where(LedgerEntry.claim_id == claim_id,
                                                 LedgerEntry.kind == LedgerKind.PAYMENT))
    if payment is None:
        raise Conflict(msg("Claim %(id)s has no payment to reverse.", id=claim_id),
                       code="not_reversible")
    entry = LedgerEntry(claim_id=claim.id, kind=LedgerKind.REVERSAL,
                        amount_fen=-payment.amount_fen, reverses_id=payment.id,
                        agency_id=payment.agency_id, booked_on=booked_on or today(),
                        note=reason.strip())
    try:
        with s.begin_nested():
            s.add(entry)
            s.flush()
    except IntegrityError:
        raise Conflict(msg("The payment of claim %(id)s is already reversed.", id=claim_id),
                       code="already_reversed") from None
    caps.release(s, caps.keys_for(claim), payment.amount_fen)
    audit.record(s, actor.name, "claim.reversed", ENTITY, claim.id,
                 {"ledger_entry_id": entry.id, "reverses_id": payment.id,
                  "amount_fen": entry.amount_fen, "reason": reason.strip()})
    s.flush()
    return LedgerView.of(entry)


def entries_for(uow: UnitOfWork, claim_id: int) -> list[LedgerView]:
    """A claim's ledger rows, oldest first."""
    rows = uow.s.scalars(select(LedgerEntry).where(LedgerEntry.claim_id == claim_id)
                         .order_by(LedgerEntry.id))
    return [LedgerView.of(e) for e in rows]


def balance(session: Session, *, claim_ids: list[int] | None = None,
            agency_id: int | None = None) -> int:
    """Net fen paid (payments minus reversals), optionally for some claims or one agency."""
    stmt = select(func.coalesce(func.sum(LedgerEntry.amount_fen), 0))
    if claim_ids is not None:
        stmt = stmt.where(LedgerEntry.claim_id.in_(claim_ids))
    if agency_id is not None:
        stmt = stmt.where(LedgerEntry.agency_id == agency_id)
    return int(session.scalar(stmt) or 0)


def _claim(s: Session, claim_id: int) -> SubsidyClaim:
    claim = s.get(SubsidyClaim, claim_id)
    if claim is None:
        raise NotFound(msg("No claim %(id)s.", id=claim_id))
    return claim
