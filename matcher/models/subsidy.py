"""HR agency recommendations, placements, subsidy rules, claims and the payment ledger.

Money is integer fen (1 yuan = 100 fen). Uniqueness that protects money lives in the
schema: one placement per (seeker, vacancy); one claim per (placement, rule, tranche);
one payment per claim; a reversal reverses exactly one payment, once; and the running
total under each cap is a counter row whose CHECK refuses to exceed the cap.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from matcher.enums import ClaimantKind, ClaimStatus, LedgerKind
from matcher.models.base import Base, Timestamps, enum_column, utcnow


class Recommendation(Base):
    """An agency recommends a seeker for a vacancy.

    ``attributed_at`` is set once, when a hire is attributed to it; the CHECK keeps an
    attributed recommendation from being withdrawn (and a withdrawn one from counting).
    """

    __tablename__ = "recommendations"
    __table_args__ = (
        CheckConstraint("withdrawn_at IS NULL OR attributed_at IS NULL",
                        name="withdrawn_or_attributed"),
        # one standing (not withdrawn) recommendation per agency and pair
        Index("uq_recommendations_one_standing", "agency_id", "seeker_id", "vacancy_id",
              unique=True, sqlite_where=text("withdrawn_at IS NULL"),
              postgresql_where=text("withdrawn_at IS NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("hr_agencies.id"), index=True)
    seeker_id: Mapped[int] = mapped_column(ForeignKey("job_seekers.id"), index=True)
    vacancy_id: Mapped[int] = mapped_column(ForeignKey("vacancies.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    withdrawn_at: Mapped[datetime | None] = mapped_column()
    attributed_at: Mapped[datetime | None] = mapped_column()
    note: Mapped[str] = mapped_column(Text, default="")


class Placement(Timestamps, Base):
    """A hire: the seeker took the vacancy; evidence for subsidy rules."""

    __tablename__ = "placements"
    __table_args__ = (
        UniqueConstraint("seeker_id", "vacancy_id"),
        CheckConstraint("contract_months >= 0", name="contract_months"),
        CheckConstraint("social_insurance_months >= 0", name="si_months"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    seeker_id: Mapped[int] = mapped_column(ForeignKey("job_seekers.id"), index=True)
    vacancy_id: Mapped[int] = mapped_column(ForeignKey("vacancies.id"), index=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id"), index=True)
    agency_id: Mapped[int | None] = mapped_column(ForeignKey("hr_agencies.id"), index=True)
    recommendation_id: Mapped[int | None] = mapped_column(
        ForeignKey("recommendations.id"), unique=True
    )
    hired_on: Mapped[date] = mapped_column()
    contract_start: Mapped[date] = mapped_column()
    contract_months: Mapped[int] = mapped_column(Integer, default=0)
    social_insurance_months: Mapped[int] = mapped_column(Integer, default=0)
    agency_charged_worker: Mapped[bool] = mapped_column(default=False)


class SubsidyRule(Base):
    """A loaded version of a subsidy rule (the YAML file is the source; this is the record)."""

    __tablename__ = "subsidy_rules"
    __table_args__ = (UniqueConstraint("code", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64))
    version: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(200))
    claimant_kind: Mapped[ClaimantKind] = enum_column(ClaimantKind)
    definition: Mapped[dict[str, Any]] = mapped_column()
    checksum: Mapped[str] = mapped_column(String(64))
    loaded_at: Mapped[datetime] = mapped_column(default=utcnow)


class SubsidyClaim(Timestamps, Base):
    """A claim for one tranche of one rule on one placement."""

    __tablename__ = "subsidy_claims"
    __table_args__ = (
        UniqueConstraint("placement_id", "rule_code", "tranche"),
        CheckConstraint("amount_fen >= 0", name="amount"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    placement_id: Mapped[int] = mapped_column(ForeignKey("placements.id"), index=True)
    rule_code: Mapped[str] = mapped_column(String(64))
    rule_version: Mapped[int] = mapped_column(Integer)
    tranche: Mapped[int] = mapped_column(Integer, default=1)
    claimant_kind: Mapped[ClaimantKind] = enum_column(ClaimantKind)
    agency_id: Mapped[int | None] = mapped_column(ForeignKey("hr_agencies.id"), index=True)
    enterprise_id: Mapped[int | None] = mapped_column(ForeignKey("enterprises.id"))
    seeker_id: Mapped[int | None] = mapped_column(ForeignKey("job_seekers.id"))
    amount_fen: Mapped[int] = mapped_column(BigInteger)
    status: Mapped[ClaimStatus] = enum_column(ClaimStatus, default=ClaimStatus.DRAFT)
    idempotency_key: Mapped[str | None] = mapped_column(String(128), unique=True)
    request_hash: Mapped[str | None] = mapped_column(String(64))
    trace: Mapped[dict[str, Any]] = mapped_column(default=dict)
    decided_by: Mapped[str | None] = mapped_column(String(100))
    decision_reason: Mapped[str | None] = mapped_column(Text)
    submitted_at: Mapped[datetime | None] = mapped_column()
    decided_at: Mapped[datetime | None] = mapped_column()
    claimed_on: Mapped[date | None] = mapped_column()  # the date the rule was evaluated on
    paid_at: Mapped[datetime | None] = mapped_column()
    reversed_at: Mapped[datetime | None] = mapped_column()


class LedgerEntry(Base):
    """An append-only money movement: a payment (positive) or its reversal (negative)."""

    __tablename__ = "ledger_entries"
    __table_args__ = (
        Index(
            "uq_ledger_entries_one_payment_per_claim",
            "claim_id",
            unique=True,
            sqlite_where=text("kind = 'payment'"),
            postgresql_where=text("kind = 'payment'"),
        ),
        CheckConstraint(
            "(kind = 'payment' AND amount_fen > 0 AND reverses_id IS NULL) OR "
            "(kind = 'reversal' AND amount_fen < 0 AND reverses_id IS NOT NULL)",
            name="sign_matches_kind",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    claim_id: Mapped[int] = mapped_column(ForeignKey("subsidy_claims.id"), index=True)
    kind: Mapped[LedgerKind] = enum_column(LedgerKind)
    amount_fen: Mapped[int] = mapped_column(BigInteger)
    reverses_id: Mapped[int | None] = mapped_column(ForeignKey("ledger_entries.id"), unique=True)
    agency_id: Mapped[int | None] = mapped_column(ForeignKey("hr_agencies.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    booked_on: Mapped[date | None] = mapped_column()  # accounting date (bureau's local day)
    note: Mapped[str] = mapped_column(Text, default="")


class SubsidyCapCounter(Base):
    """Running total of one cap (rule, scope, subject, period) at one stage.

    ``stage`` is ``approved`` (approved or paid, not reversed) or ``paid``. Services add
    with one ``UPDATE ... SET used_fen = used_fen + :amount``; the CHECK refuses a total
    above ``cap_fen``, so concurrent approvals or payments can never exceed a cap.
    """

    __tablename__ = "subsidy_cap_counters"
    __table_args__ = (
        UniqueConstraint("rule_code", "scope", "subject", "period", "stage"),
        CheckConstraint("used_fen >= 0 AND used_fen <= cap_fen", name="within_cap"),
        CheckConstraint("stage IN ('approved', 'paid')", name="stage"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    rule_code: Mapped[str] = mapped_column(String(64))
    scope: Mapped[str] = mapped_column(String(32))  # per_person, per_agency_per_year, ...
    subject: Mapped[str] = mapped_column(String(64))  # e.g. "agency:12", "seeker:7"
    period: Mapped[int] = mapped_column(Integer)  # the claim year, or 0 for lifetime caps
    stage: Mapped[str] = mapped_column(String(16))
    cap_fen: Mapped[int] = mapped_column(BigInteger)
    used_fen: Mapped[int] = mapped_column(BigInteger, default=0)


class SubsidyEligibility(Base):
    """What the engine found for one party of one placement under one rule tranche.

    One row per (placement, rule, tranche, party kind), updated in place by every
    re-evaluation; ``notified_at`` is set once, by a conditional UPDATE, when the party
    is first told it qualifies (so a re-evaluation never notifies twice).
    """

    __tablename__ = "subsidy_eligibility"
    __table_args__ = (
        UniqueConstraint("placement_id", "rule_code", "tranche", "party_kind"),
        CheckConstraint("amount_fen >= 0", name="amount"),
        CheckConstraint("eligible OR amount_fen = 0", name="amount_only_if_eligible"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    placement_id: Mapped[int] = mapped_column(ForeignKey("placements.id"), index=True)
    rule_code: Mapped[str] = mapped_column(String(64), index=True)
    rule_version: Mapped[int] = mapped_column(Integer)
    tranche: Mapped[int] = mapped_column(Integer, default=1)
    party_kind: Mapped[ClaimantKind] = enum_column(ClaimantKind)
    party_id: Mapped[int] = mapped_column(Integer)
    eligible: Mapped[bool] = mapped_column(default=False)
    amount_fen: Mapped[int] = mapped_column(BigInteger, default=0)
    trace: Mapped[dict[str, Any]] = mapped_column(default=dict)
    evaluated_on: Mapped[date] = mapped_column()
    evaluated_at: Mapped[datetime] = mapped_column(default=utcnow)
    notified_at: Mapped[datetime | None] = mapped_column()
