"""Subsidy claims: draft -> submitted -> approved | rejected; payment is in :mod:`.ledger`.

Protection lives in the schema: UNIQUE (placement, rule, tranche) makes a second claim
impossible, UNIQUE idempotency_key makes a retried submission find the first one, and the
cap counters (:mod:`.caps`) refuse an approval that does not fit. State changes are
conditional UPDATEs (``WHERE status = 'submitted'``), so two admins cannot both decide.
Every change writes an audit row in the same transaction.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from matcher import audit
from matcher.db import UnitOfWork
from matcher.enums import ClaimStatus
from matcher.errors import Conflict, Forbidden, NotFound, Refused, ValidationFailed
from matcher.models.base import utcnow
from matcher.models.subsidy import SubsidyClaim
from matcher.subsidy import caps
from matcher.subsidy.actors import Actor, require_admin
from matcher.subsidy.clock import today
from matcher.subsidy.evaluate import Claimant, Evaluation, PlacementFacts, evaluate
from matcher.subsidy.placements import load_facts
from matcher.subsidy.rule_store import record_rule
from matcher.subsidy.rules import RuleSet
from matcher.subsidy.views import ClaimView, SubmitResult
from matcher.subsidy.wording import sentence
from matcher.words import msg, word

ENTITY = "subsidy_claim"


@dataclass(frozen=True)
class ClaimRequest:
    """What a claimant asks for: one tranche of one rule on one placement."""

    claimant: Claimant
    placement_id: int
    rule_code: str
    tranche: int = 1

    def fingerprint(self) -> str:
        """Hash of the request content (an idempotency key must always carry the same)."""
        blob = json.dumps([self.claimant.kind.value, self.claimant.id, self.placement_id,
                           self.rule_code, self.tranche])
        return hashlib.sha256(blob.encode()).hexdigest()


def draft_claim(uow: UnitOfWork, rules: RuleSet, req: ClaimRequest, *, actor: Actor,
                on_date: date | None = None) -> ClaimView:
    """Save a draft with its evaluation (eligible or not) for the claimant to review."""
    _may_claim(actor, req)
    s = uow.s
    ev, facts = _evaluate(s, rules, req, on_date or today(), actor)
    # A draft may still miss conditions (e.g. months of insurance), but only the party
    # the rule pays may hold the (placement, rule, tranche) slot.
    wrong = [c for c in ev.failed if c.condition in ("claimant_kind", "claimant_is_party")]
    if wrong:
        raise Refused(msg("You cannot claim this subsidy for this hire."),
                      code="not_eligible",
                      fields={c.condition: [sentence(c.as_dict())] for c in wrong})
    claim = _new_claim(req, ev, facts, ClaimStatus.DRAFT)
    _insert(s, claim, req)
    audit.record(s, actor.name, "claim.drafted", ENTITY, claim.id, _audit_data(claim))
    return ClaimView.of(claim)


def submit_claim(uow: UnitOfWork, rules: RuleSet, req: ClaimRequest, *, idempotency_key: str,
                 actor: Actor, on_date: date | None = None) -> SubmitResult:
    """Submit a claim (promoting the claimant's draft if any); a retried key gets the first."""
    if not isinstance(idempotency_key, str) or not 1 <= len(idempotency_key) <= 128:
        raise ValidationFailed(msg("The request key is not valid."), fields={
            "idempotency_key": [msg("Must be text of 1 to 128 characters.")]})
    _may_claim(actor, req)
    s = uow.s
    fingerprint = req.fingerprint()
    ev, facts = _evaluate(s, rules, req, on_date or today(), actor)
    if not ev.eligible or ev.amount_fen <= 0:
        replay = _replay(s, idempotency_key, fingerprint)
        if replay is not None:
            return replay
        raise Refused(msg("The claim does not meet the subsidy's conditions."),
                      code="not_eligible",
                      fields={c.condition: [sentence(c.as_dict())] for c in ev.failed})
    claim = _promote_draft(s, req, ev, idempotency_key, fingerprint)
    if claim is None:
        claim = _new_claim(req, ev, facts, ClaimStatus.SUBMITTED)
        claim.idempotency_key, claim.request_hash = idempotency_key, fingerprint
        claim.submitted_at = utcnow()
        try:
            with s.begin_nested():
                s.add(claim)
                s.flush()
        except IntegrityError:
            replay = _replay(s, idempotency_key, fingerprint)
            if replay is not None:
                return replay
            raise _duplicate(s, req) from None
    audit.record(s, actor.name, "claim.submitted", ENTITY, claim.id,
                 {**_audit_data(claim), "idempotency_key": idempotency_key})
    return SubmitResult(ClaimView.of(claim), replayed=False)


def approve_claim(uow: UnitOfWork, claim_id: int, *, actor: Actor, note: str = "") -> ClaimView:
    """Approve a submitted claim and count it against its caps (refused if one is full)."""
    require_admin(actor, "approve claims")
    s = uow.s
    claim = _transition(s, claim_id, ClaimStatus.SUBMITTED, ClaimStatus.APPROVED, actor, note)
    keys = caps.keys_for(claim)
    caps.reserve(s, keys, claim.amount_fen, "approved")
    audit.record(s, actor.name, "claim.approved", ENTITY, claim.id,
                 {**_audit_data(claim), "caps": [k.describe() for k in keys], "note": note})
    return ClaimView.of(claim)


def reject_claim(uow: UnitOfWork, claim_id: int, *, actor: Actor, reason: str) -> ClaimView:
    """Reject a submitted claim with a reason."""
    require_admin(actor, "reject claims")
    if not isinstance(reason, str) or not reason.strip():
        raise ValidationFailed(msg("A reason is required."),
                               fields={"reason": [msg("Please give a reason.")]})
    s = uow.s
    claim = _transition(s, claim_id, ClaimStatus.SUBMITTED, ClaimStatus.REJECTED, actor,
                        reason.strip())
    audit.record(s, actor.name, "claim.rejected", ENTITY, claim.id,
                 {**_audit_data(claim), "reason": reason.strip()})
    return ClaimView.of(claim)


def get_claim(uow: UnitOfWork, claim_id: int, *, actor: Actor) -> ClaimView:
    """One claim with its trace, for an admin or the claimant (others: not found)."""
    claim = uow.s.get(SubsidyClaim, claim_id)
    if claim is None:
        raise NotFound(msg("No claim %(id)s.", id=claim_id))
    view = ClaimView.of(claim)
    if not actor.speaks_for(claim.claimant_kind, view.claimant_id):
        raise NotFound(msg("No claim %(id)s.", id=claim_id))
    return view


def _transition(s: Session, claim_id: int, source: ClaimStatus, target: ClaimStatus,
                actor: Actor, reason: str) -> SubsidyClaim:
    claim = s.get(SubsidyClaim, claim_id)
    if claim is None:
        raise NotFound(msg("No claim %(id)s.", id=claim_id))
    done = s.execute(
        update(SubsidyClaim)
        .where(SubsidyClaim.id == claim_id, SubsidyClaim.status == source)
        .values(status=target, decided_by=actor.name, decided_at=utcnow(),
                decision_reason=reason or None, updated_at=utcnow())
        .execution_options(synchronize_session=False)
    ).rowcount  # type: ignore[attr-defined]
    s.refresh(claim)
    if not done:
        raise Conflict(msg("Claim %(id)s is %(status)s, not %(expected)s.", id=claim_id,
                           status=word(claim.status.value), expected=word(source.value)),
                       code="invalid_transition")
    return claim


def _may_claim(actor: Actor, req: ClaimRequest) -> None:
    if not actor.speaks_for(req.claimant.kind, req.claimant.id):
        raise Forbidden(msg("You may only claim in your own name."), code="not_your_claim")


def _evaluate(s: Session, rules: RuleSet, req: ClaimRequest, on_date: date,
              actor: Actor) -> tuple[Evaluation, PlacementFacts]:
    rule = rules.get(req.rule_code)
    if rule is None:
        raise ValidationFailed(msg("No subsidy rule %(code)s.", code=req.rule_code),
                               fields={"rule_code": [msg("Choose a subsidy from the list.")]})
    facts = load_facts(s, req.placement_id)
    record_rule(s, rule, actor.name)
    return evaluate(req.claimant, facts, rule, on_date, req.tranche), facts


def _new_claim(req: ClaimRequest, ev: Evaluation, facts: PlacementFacts,
               status: ClaimStatus) -> SubsidyClaim:
    # The placement's parties (caps count per seeker, agency, enterprise); the claimant's
    # own column always holds the claimant.
    parties = {"agency": facts.agency_id, "enterprise": facts.enterprise_id,
               "person": facts.seeker_id}
    parties[req.claimant.kind.value] = req.claimant.id
    return SubsidyClaim(
        placement_id=req.placement_id, rule_code=ev.rule_code, rule_version=ev.rule_version,
        tranche=req.tranche, claimant_kind=req.claimant.kind, agency_id=parties["agency"],
        enterprise_id=parties["enterprise"], seeker_id=parties["person"],
        amount_fen=ev.amount_fen, status=status, trace=ev.trace(), claimed_on=ev.on_date,
    )


def _insert(s: Session, claim: SubsidyClaim, req: ClaimRequest) -> None:
    try:
        with s.begin_nested():
            s.add(claim)
            s.flush()
    except IntegrityError:
        raise _duplicate(s, req) from None


def _promote_draft(s: Session, req: ClaimRequest, ev: Evaluation, key: str,
                   fingerprint: str) -> SubsidyClaim | None:
    draft = s.scalar(select(SubsidyClaim).where(
        SubsidyClaim.placement_id == req.placement_id, SubsidyClaim.rule_code == req.rule_code,
        SubsidyClaim.tranche == req.tranche, SubsidyClaim.status == ClaimStatus.DRAFT))
    if draft is None or draft.claimant_kind != req.claimant.kind \
            or ClaimView.of(draft).claimant_id != req.claimant.id:
        return None
    try:
        with s.begin_nested():
            done = s.execute(
                update(SubsidyClaim)
                .where(SubsidyClaim.id == draft.id, SubsidyClaim.status == ClaimStatus.DRAFT)
                .values(status=ClaimStatus.SUBMITTED, idempotency_key=key,
                        request_hash=fingerprint, amount_fen=ev.amount_fen,
                        rule_version=ev.rule_version, trace=ev.trace(), claimed_on=ev.on_date,
                        submitted_at=utcnow(), updated_at=utcnow())
                .execution_options(synchronize_session=False)
            ).rowcount  # type: ignore[attr-defined]
    except IntegrityError:
        done = 0
    s.refresh(draft)
    return draft if done else None


def _replay(s: Session, key: str, fingerprint: str) -> SubmitResult | None:
    first = s.scalar(select(SubsidyClaim).where(SubsidyClaim.idempotency_key == key))
    if first is None:
        return None
    if first.request_hash != fingerprint:
        raise ValidationFailed(
            msg("This request key was already used for a different claim."),
            code="idempotency_mismatch",
            fields={"idempotency_key": [msg("Already used with different content.")]})
    return SubmitResult(ClaimView.of(first), replayed=True)


def _duplicate(s: Session, req: ClaimRequest) -> Conflict:
    existing = s.scalar(select(SubsidyClaim).where(
        SubsidyClaim.placement_id == req.placement_id, SubsidyClaim.rule_code == req.rule_code,
        SubsidyClaim.tranche == req.tranche))
    if existing is None:
        return Conflict(msg("This hire already has a claim for %(rule)s, instalment %(n)s.",
                            rule=word(req.rule_code), n=req.tranche), code="duplicate_claim")
    return Conflict(
        msg("This hire already has a claim for %(rule)s, instalment %(n)s "
            "(claim %(id)s, %(status)s).", rule=word(req.rule_code), n=req.tranche,
            id=existing.id, status=word(existing.status.value)), code="duplicate_claim")


def _audit_data(claim: SubsidyClaim) -> dict[str, Any]:
    return {"placement_id": claim.placement_id, "rule_code": claim.rule_code,
            "rule_version": claim.rule_version, "tranche": claim.tranche,
            "claimant_kind": claim.claimant_kind.value, "amount_fen": claim.amount_fen,
            "status": claim.status.value}
