"""What agencies and bureau administrators do with placement subsidies.

Agencies recommend seekers and claim subsidies for their own placements; administrators
decide, pay and reverse claims and record rule versions. Each action is declared with its
roles (checked before the body); ownership is checked by the services through the
subsidy :class:`~matcher.principal.Actor` (``actor.actor()``) and by
:mod:`matcher.accounts.permissions`. Actions flush; the caller commits.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from matcher.accounts import permissions as perm
from matcher.action import action
from matcher.enums import ClaimantKind, Role
from matcher.errors import ValidationFailed
from matcher.principal import Principal
from matcher.runtime import Work
from matcher.subsidy import agency_applications, claims, eligibility, ledger, recommendations
from matcher.subsidy.evaluate import Claimant
from matcher.subsidy.rule_store import RecordedRule, current_rules
from matcher.subsidy.rule_store import record_rules as store_rules
from matcher.subsidy.rules import RuleSet
from matcher.subsidy.views import ClaimView, LedgerView, RecommendationView, SubmitResult
from matcher.words import msg


@dataclass(frozen=True)
class RecommendationInput:
    """An agency recommends a seeker for a vacancy (``agency_id`` only for the system)."""

    seeker_id: int
    vacancy_id: int
    note: str = ""
    agency_id: int | None = None


@dataclass(frozen=True)
class ClaimInput:
    """A claim for one tranche of one rule on one placement, with its idempotency key."""

    placement_id: int
    rule_code: str
    idempotency_key: str
    tranche: int = 1
    agency_id: int | None = None


def agency_of(actor: Principal, agency_id: int | None) -> int:
    """The agency the caller acts for: their own, or (system only) the one named."""
    if not actor.is_system:
        assert actor.agency_id is not None  # the role check refuses unlinked staff
        return actor.agency_id
    if agency_id is None:
        raise ValidationFailed(msg("Name the agency to act for."),
                               fields={"agency_id": [msg("Required when the system acts.")]})
    return agency_id


@action(Role.AGENCY)
def recommend(uow: Work, actor: Principal, data: RecommendationInput) -> RecommendationView:
    """Recommend a consenting job seeker for an open vacancy (it becomes an application)."""
    rec = recommendations.recommend(uow, agency_id=agency_of(actor, data.agency_id),
                                    seeker_id=data.seeker_id, vacancy_id=data.vacancy_id,
                                    actor=actor.actor(), note=data.note)
    agency_applications.application_from(uow.s, rec, actor=actor.actor_name)
    return rec


@action(Role.AGENCY)
def withdraw_recommendation(uow: Work, actor: Principal,
                            recommendation_id: int) -> RecommendationView:
    """Withdraw one of the agency's recommendations that no hire is attributed to."""
    perm.own_recommendation(uow.s, actor, recommendation_id)
    return recommendations.withdraw(uow, recommendation_id, actor=actor.actor())


@action(Role.AGENCY)
def submit_claim(uow: Work, actor: Principal, data: ClaimInput) -> SubmitResult:
    """Claim a subsidy for a placement; a retry with the same key returns the first claim."""
    req = claims.ClaimRequest(Claimant(ClaimantKind.AGENCY, agency_of(actor, data.agency_id)),
                              data.placement_id, data.rule_code, data.tranche)
    return claims.submit_claim(uow, current_rules(uow.rt), req,
                               idempotency_key=data.idempotency_key, actor=actor.actor())


@action(Role.ADMIN)
def approve_claim(uow: Work, actor: Principal, claim_id: int, note: str = "") -> ClaimView:
    """Approve a submitted claim (refused when a cap is full)."""
    return claims.approve_claim(uow, claim_id, actor=actor.actor(), note=note)


@action(Role.ADMIN)
def reject_claim(uow: Work, actor: Principal, claim_id: int, reason: str) -> ClaimView:
    """Reject a submitted claim with a reason."""
    return claims.reject_claim(uow, claim_id, actor=actor.actor(), reason=reason)


@action(Role.ADMIN)
def pay_claim(uow: Work, actor: Principal, claim_id: int,
              booked_on: date | None = None) -> LedgerView:
    """Pay an approved claim (one append-only ledger row)."""
    return ledger.pay_claim(uow, claim_id, actor=actor.actor(), booked_on=booked_on)


@action(Role.ADMIN)
def reverse_payment(uow: Work, actor: Principal, claim_id: int, reason: str,
                    booked_on: date | None = None) -> LedgerView:
    """Reverse a claim's payment with a negative ledger row; frees the caps."""
    return ledger.reverse_payment(uow, claim_id, actor=actor.actor(), reason=reason,
                                  booked_on=booked_on)


@action(Role.ADMIN)
def record_rules(uow: Work, actor: Principal, ruleset: RuleSet) -> list[RecordedRule]:
    """Record the rule versions of a validated rules file (unchanged ones are kept); a new
    version re-evaluates every placement's eligibility under the file's rules."""
    recorded = store_rules(uow.s, ruleset, actor=actor.actor_name)
    if any(r.newly_recorded for r in recorded):
        eligibility.evaluate_many(uow.s, ruleset, eligibility.placements_of(uow.s),
                                  actor=actor.actor_name)
    return recorded
