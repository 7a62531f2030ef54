"""Closed vocabularies shared by the domain, storage and API (plain ``StrEnum``)."""

from __future__ import annotations

from enum import StrEnum


class SizeClass(StrEnum):
    """Enterprise size class (national classification of SMEs)."""

    MICRO = "micro"
    SMALL = "small"
    MEDIUM = "medium"
    LARGE = "large"


class KeyTier(StrEnum):
    """Key-enterprise tier set by the bureau; ``none`` for ordinary enterprises."""

    NONE = "none"
    INCLUSIVE = "inclusive"
    KEY = "key"
    PRIORITY = "priority"

    @property
    def rank(self) -> int:
        """0 for none up to 3 for priority."""
        return list(KeyTier).index(self)


class EmploymentType(StrEnum):
    """How a vacancy employs: long-term contract, short-term flexible, or borrowed staff."""

    LONG_TERM = "long_term"
    SHORT_TERM = "short_term"
    SHARED = "shared"  # accepts borrowed staff (shared employment)


class Urgency(StrEnum):
    """How urgently a vacancy or gap must be filled."""

    NORMAL = "normal"
    URGENT = "urgent"
    CRITICAL = "critical"

    @property
    def rank(self) -> int:
        """0 for normal up to 2 for critical."""
        return list(Urgency).index(self)


class VacancyStatus(StrEnum):
    """Lifecycle of a vacancy; only ``open`` vacancies are matched."""

    OPEN = "open"
    CLOSED = "closed"
    FILLED = "filled"


class SeekerCategory(StrEnum):
    """Categories of job seekers that subsidy rules and priorities refer to."""

    GRADUATE = "graduate"
    REGISTERED_UNEMPLOYED = "registered_unemployed"
    MIGRANT_WORKER = "migrant_worker"
    EMPLOYMENT_DIFFICULTY = "employment_difficulty"


class PersonStatus(StrEnum):
    """A seeker or surplus employee: active, or removed (anonymized / withdrawn)."""

    ACTIVE = "active"
    DELETED = "deleted"


class RequestStatus(StrEnum):
    """Borrowing request lifecycle."""

    OPEN = "open"
    FILLED = "filled"
    CLOSED = "closed"


class AgreementStatus(StrEnum):
    """Shared-employment agreement lifecycle."""

    PROPOSED = "proposed"
    ACCEPTED = "accepted"
    SIGNED = "signed"
    ACTIVE = "active"
    RETURNED = "returned"
    TERMINATED = "terminated"


class Role(StrEnum):
    """User roles."""

    SEEKER = "seeker"
    ENTERPRISE = "enterprise"
    AGENCY = "agency"
    ADMIN = "admin"


class ClaimantKind(StrEnum):
    """Who may claim a subsidy."""

    AGENCY = "agency"
    ENTERPRISE = "enterprise"
    PERSON = "person"


class ClaimStatus(StrEnum):
    """Subsidy claim lifecycle."""

    DRAFT = "draft"
    SUBMITTED = "submitted"
    APPROVED = "approved"
    REJECTED = "rejected"
    PAID = "paid"


class LedgerKind(StrEnum):
    """A ledger row is a payment or the reversal of one."""

    PAYMENT = "payment"
    REVERSAL = "reversal"


# --- bureau desks (shortage desk, point-to-point cohorts, early warning) ---------------


class GapStatus(StrEnum):
    """A labor gap is open until filled or closed by the desk."""

    OPEN = "open"
    FILLED = "filled"
    CLOSED = "closed"


class CohortStatus(StrEnum):
    """Point-to-point cohort lifecycle (only forward, one step at a time)."""

    FORMED = "formed"
    DEPARTED = "departed"
    ARRIVED = "arrived"
    HANDED_OVER = "handed_over"


class DispatchStatus(StrEnum):
    """A dispatch proposal or assignment: proposed, then confirmed (or discarded)."""

    PROPOSED = "proposed"
    CONFIRMED = "confirmed"
    DISCARDED = "discarded"


class SupplySource(StrEnum):
    """Where a dispatched worker comes from."""

    SEEKER = "seeker"
    SURPLUS = "surplus"
    COHORT = "cohort"


class RiskReportKind(StrEnum):
    """What an officer reports about an enterprise."""

    WAGE_ARREARS = "wage_arrears"
    LAYOFF = "layoff"


class WatchStatus(StrEnum):
    """A watch-list entry is open until an officer resolves it."""

    OPEN = "open"
    RESOLVED = "resolved"
