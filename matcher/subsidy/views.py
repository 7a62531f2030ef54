"""Plain results returned by the subsidy services (no ORM objects leave the package)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from matcher.models.subsidy import LedgerEntry, Placement, Recommendation, SubsidyClaim


@dataclass(frozen=True)
class RecommendationView:
    """An agency's recommendation of a seeker for a vacancy."""

    id: int
    agency_id: int
    seeker_id: int
    vacancy_id: int
    created_at: datetime
    withdrawn_at: datetime | None

    @classmethod
    def of(cls, r: Recommendation) -> RecommendationView:
        """Build from the ORM row."""
        return cls(r.id, r.agency_id, r.seeker_id, r.vacancy_id, r.created_at, r.withdrawn_at)


@dataclass(frozen=True)
class PlacementView:
    """A hire and the recommendation (and agency) it is attributed to."""

    id: int
    seeker_id: int
    vacancy_id: int
    enterprise_id: int
    agency_id: int | None
    recommendation_id: int | None
    hired_on: date
    contract_start: date
    contract_months: int
    social_insurance_months: int
    agency_charged_worker: bool
    attribution: list[dict[str, Any]] = field(default_factory=list)

    @classmethod
    def of(cls, p: Placement, attribution: list[dict[str, Any]] | None = None) -> PlacementView:
        """Build from the ORM row."""
        return cls(p.id, p.seeker_id, p.vacancy_id, p.enterprise_id, p.agency_id,
                   p.recommendation_id, p.hired_on, p.contract_start, p.contract_months,
                   p.social_insurance_months, p.agency_charged_worker, attribution or [])


@dataclass(frozen=True)
class ClaimView:
    """A subsidy claim with the values and trace it was decided on."""

    id: int
    placement_id: int
    rule_code: str
    rule_version: int
    tranche: int
    claimant_kind: str
    claimant_id: int
    amount_fen: int
    status: str
    reversed: bool
    claimed_on: date | None
    trace: dict[str, Any]
    decided_by: str | None
    decision_reason: str | None
    # who and what, for people reading the claim (filled by the queries; masked seeker name)
    claimant_name: str = ""
    seeker_name: str = ""
    vacancy_title: str = ""
    enterprise_name: str = ""
    decided_by_name: str = ""

    @classmethod
    def of(cls, c: SubsidyClaim) -> ClaimView:
        """Build from the ORM row."""
        claimant_id = {"agency": c.agency_id, "enterprise": c.enterprise_id,
                       "person": c.seeker_id}[c.claimant_kind.value]
        return cls(c.id, c.placement_id, c.rule_code, c.rule_version, c.tranche,
                   c.claimant_kind.value, int(claimant_id or 0), c.amount_fen, c.status.value,
                   c.reversed_at is not None, c.claimed_on, c.trace, c.decided_by,
                   c.decision_reason)


@dataclass(frozen=True)
class SubmitResult:
    """The answer to a submission; ``replayed`` when an earlier one with the key is returned."""

    claim: ClaimView
    replayed: bool


@dataclass(frozen=True)
class LedgerView:
    """One ledger row."""

    id: int
    claim_id: int
    kind: str
    amount_fen: int
    reverses_id: int | None
    agency_id: int | None
    booked_on: date | None

    @classmethod
    def of(cls, e: LedgerEntry) -> LedgerView:
        """Build from the ORM row."""
        return cls(e.id, e.claim_id, e.kind.value, e.amount_fen, e.reverses_id, e.agency_id,
                   e.booked_on)
