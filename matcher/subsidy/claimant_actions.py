"""What enterprises and persons do with subsidies, eligibility evaluation, direct payment.

Enterprises and persons claim for their own placements through the same claim service as
agencies (idempotency key, UNIQUE slot, caps at approval and payment, audit, ledger);
another's placement is a 404. :func:`evaluate_eligibility` is the one action every trigger
calls (a hire, a social-insurance record, a category or rule change). :func:`direct_pay`
creates, approves and pays the claims of a ``direct_payment`` rule (免申即享) in one batch:
each claim's idempotency key is derived from its slot, so a second run finds the first.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from matcher import audit
from matcher.action import action
from matcher.enums import ClaimantKind, ClaimStatus, Role, SizeClass
from matcher.errors import Conflict, NotFound, Refused, ValidationFailed
from matcher.models import Enterprise
from matcher.models.subsidy import Placement
from matcher.principal import Principal
from matcher.runtime import Work
from matcher.subsidy import claims, eligibility, ledger
from matcher.subsidy.evaluate import Claimant
from matcher.subsidy.placements import load_facts
from matcher.subsidy.rule_store import current_rules
from matcher.subsidy.views import ClaimView, SubmitResult
from matcher.words import msg, word, words

PARTY_ROLES = {Role.ENTERPRISE: ClaimantKind.ENTERPRISE, Role.SEEKER: ClaimantKind.PERSON,
               Role.AGENCY: ClaimantKind.AGENCY}


@dataclass(frozen=True)
class OwnClaimInput:
    """A claim by the caller (enterprise or person) for one tranche of one rule."""

    placement_id: int
    rule_code: str
    idempotency_key: str
    tranche: int = 1


@dataclass(frozen=True)
class DirectPayResult:
    """A batch: claims created and paid now, ones paid before, and slots skipped (why)."""

    paid: list[ClaimView] = field(default_factory=list)
    already: list[ClaimView] = field(default_factory=list)
    skipped: list[dict[str, Any]] = field(default_factory=list)


def caller_party(actor: Principal) -> Claimant:
    """The claimant the (non-admin) caller acts as."""
    kind = PARTY_ROLES[actor.role]
    party = {ClaimantKind.ENTERPRISE: actor.enterprise_id, ClaimantKind.PERSON: actor.seeker_id,
             ClaimantKind.AGENCY: actor.agency_id}[kind]
    assert party is not None  # the role check refuses unlinked users
    return Claimant(kind, party)


def own_placement(uow: Work, actor: Principal, placement_id: int) -> None:
    """Not found unless the caller is a party of the placement (admins see every one)."""
    p = uow.s.get(Placement, placement_id)
    if p is not None and actor.is_admin:
        return
    if p is not None:
        me = caller_party(actor)
        owner = {ClaimantKind.ENTERPRISE: p.enterprise_id, ClaimantKind.PERSON: p.seeker_id,
                 ClaimantKind.AGENCY: p.agency_id}[me.kind]
        if owner == me.id:
            return
    raise NotFound(msg("No hire %(id)s.", id=placement_id), code="placement_not_found")


def _submit_own(uow: Work, actor: Principal, data: OwnClaimInput) -> SubmitResult:
    own_placement(uow, actor, data.placement_id)
    req = claims.ClaimRequest(caller_party(actor), data.placement_id, data.rule_code,
                              data.tranche)
    return claims.submit_claim(uow, current_rules(uow.rt), req,
                               idempotency_key=data.idempotency_key, actor=actor.actor())


@action(Role.ENTERPRISE, system=False)
def submit_enterprise_claim(uow: Work, actor: Principal, data: OwnClaimInput) -> SubmitResult:
    """The enterprise claims for one of its placements; a retried key returns the first."""
    return _submit_own(uow, actor, data)


@action(Role.SEEKER, system=False)
def submit_person_claim(uow: Work, actor: Principal, data: OwnClaimInput) -> SubmitResult:
    """The person claims for their own placement; a retried key returns the first."""
    return _submit_own(uow, actor, data)


@action(Role.ADMIN, Role.ENTERPRISE, Role.SEEKER, Role.AGENCY)
def evaluate_eligibility(uow: Work, actor: Principal,
                         placement_id: int) -> list[eligibility.EligibilityView]:
    """Evaluate every rule for every party of a placement; store it; tell newcomers once."""
    own_placement(uow, actor, placement_id)
    return eligibility.evaluate_placement(uow.s, current_rules(uow.rt), placement_id,
                                          actor=actor.actor_name)


def evaluate_for(uow: Work, actor: Principal, *, seeker_id: int | None = None,
                 enterprise_id: int | None = None) -> int:
    """Re-evaluate the placements of one person or enterprise (or all) after a change."""
    ids = eligibility.placements_of(uow.s, seeker_id=seeker_id, enterprise_id=enterprise_id)
    for pid in ids:
        evaluate_eligibility(uow, actor, pid)
    return len(ids)


@action(Role.ADMIN)
def set_enterprise_category(uow: Work, actor: Principal, enterprise_id: int,
                            size_class: str | None = None,
                            is_leading_industrial: bool | None = None) -> dict[str, Any]:
    """The bureau sets an enterprise's size and leading-industrial flag; re-evaluates."""
    ent = uow.s.get(Enterprise, enterprise_id)
    if ent is None:
        raise NotFound(msg("No enterprise %(id)s.", id=enterprise_id),
                       code="enterprise_not_found")
    before = {"size_class": ent.size_class.value,
              "is_leading_industrial": ent.is_leading_industrial}
    if size_class is not None:
        if size_class not in {s.value for s in SizeClass}:
            raise ValidationFailed(msg("Unknown enterprise size."), fields={"size_class": [
                msg("One of: %(sizes)s", sizes=words([s.value for s in SizeClass]))]})
        ent.size_class = SizeClass(size_class)
    if is_leading_industrial is not None:
        ent.is_leading_industrial = bool(is_leading_industrial)
    uow.s.flush()
    audit.record(uow.s, actor.actor_name, "enterprise.category", "enterprise", enterprise_id,
                 {"before": before, "after": {"size_class": ent.size_class.value,
                                              "is_leading_industrial": ent.is_leading_industrial}})
    return {"enterprise_id": enterprise_id, "size_class": ent.size_class.value,
            "is_leading_industrial": ent.is_leading_industrial,
            "placements_evaluated": evaluate_for(uow, actor, enterprise_id=enterprise_id)}


@action(Role.ADMIN)
def direct_pay(uow: Work, actor: Principal, rule_code: str,
               placement_ids: list[int]) -> DirectPayResult:
    """免申即享: create, approve and pay the claims of eligible parties; twice pays once."""
    rules = current_rules(uow.rt)
    rule = rules.get(rule_code)
    if rule is None:
        raise ValidationFailed(msg("No subsidy rule %(code)s.", code=rule_code),
                               fields={"rule_code": [msg("Choose a subsidy from the list.")]})
    if not rule.direct_payment:
        raise Refused(msg("%(rule)s is not paid directly: its claimants apply for it.",
                          rule=word(rule_code)), code="not_direct_payment",
                      fields={"rule_code": [msg("Choose a subsidy the bureau pays directly.")]})
    result = DirectPayResult()
    for pid in sorted(set(placement_ids)):
        party = eligibility.party_of(load_facts(uow.s, pid), rule.claimant)
        for step in rule.tranches:
            slot = {"placement_id": pid, "tranche": step.number}
            if party is None:
                result.skipped.append({**slot, "code": "no_party",
                                       "reason": msg("Nobody to pay for this hire.")})
                continue
            req = claims.ClaimRequest(Claimant(rule.claimant, party), pid, rule_code,
                                      step.number)
            try:
                sub = claims.submit_claim(uow, rules, req, actor=actor.actor(),
                                          idempotency_key=f"direct:{rule_code}:{pid}:{step.number}")
                _approve_and_pay(uow, actor, sub, result)
            except (Refused, Conflict) as exc:
                result.skipped.append({**slot, "code": exc.code, "reason": exc.message})
    audit.record(uow.s, actor.actor_name, "subsidy.direct_pay", "subsidy_rule", rule_code,
                 {"placement_ids": sorted(set(placement_ids)),
                  "paid": [c.id for c in result.paid], "already": [c.id for c in result.already],
                  "skipped": len(result.skipped)})
    return result


def _approve_and_pay(uow: Work, actor: Principal, sub: SubmitResult,
                     result: DirectPayResult) -> None:
    status = sub.claim.status
    if status not in (ClaimStatus.SUBMITTED.value, ClaimStatus.APPROVED.value):
        result.already.append(sub.claim)
        return
    if status == ClaimStatus.SUBMITTED.value:
        claims.approve_claim(uow, sub.claim.id, actor=actor.actor(), note="direct payment")
    ledger.pay_claim(uow, sub.claim.id, actor=actor.actor())
    result.paid.append(claims.get_claim(uow, sub.claim.id, actor=actor.actor()))
