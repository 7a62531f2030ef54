"""Bureau desks: labor gaps, point-to-point cohorts, daily dispatch, outbox, early warning.

Rules that protect people and headcounts are constraints here: a cohort never holds more
people than its vehicle (``size <= capacity``), a registered group is one row with one
``cohort_id`` (so it cannot be split), a person is confirmed in at most one dispatch
assignment, an enterprise has at most one open watch-list entry, and a resolved entry
carries its note.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    CheckConstraint,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from matcher.enums import (
    CohortStatus,
    DispatchStatus,
    GapStatus,
    RiskReportKind,
    SupplySource,
    Urgency,
    WatchStatus,
)
from matcher.models.base import Base, Timestamps, enum_column, utcnow


class LaborGap(Timestamps, Base):
    """A key enterprise's reported labor shortage."""

    __tablename__ = "labor_gaps"
    __table_args__ = (CheckConstraint("headcount >= 1", name="headcount_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id"), index=True)
    vacancy_id: Mapped[int | None] = mapped_column(ForeignKey("vacancies.id"))
    title: Mapped[str] = mapped_column(String(200))
    skills: Mapped[list[str]] = mapped_column(default=list)
    headcount: Mapped[int] = mapped_column(Integer)
    deadline: Mapped[date] = mapped_column()
    urgency: Mapped[Urgency] = enum_column(Urgency, default=Urgency.NORMAL)
    site: Mapped[str | None] = mapped_column(String(200))
    district: Mapped[str | None] = mapped_column(String(64))
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    accepts_borrowed: Mapped[bool] = mapped_column(default=True)
    reported_on: Mapped[date] = mapped_column()
    status: Mapped[GapStatus] = enum_column(GapStatus, default=GapStatus.OPEN, index=True)
    closed_on: Mapped[date | None] = mapped_column()


class Cohort(Timestamps, Base):
    """One vehicle's point-to-point trip from an origin to a destination district."""

    __tablename__ = "cohorts"
    __table_args__ = (
        CheckConstraint("capacity >= 1", name="capacity_positive"),
        CheckConstraint("size >= 0 AND size <= capacity", name="size_within_capacity"),
        CheckConstraint("travel_date <= arrival_date", name="travel_order"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    origin_province: Mapped[str] = mapped_column(String(32))
    origin_city: Mapped[str] = mapped_column(String(64), default="")
    destination_district: Mapped[str] = mapped_column(String(64))
    travel_date: Mapped[date] = mapped_column()
    arrival_date: Mapped[date] = mapped_column()
    capacity: Mapped[int] = mapped_column(Integer)
    size: Mapped[int] = mapped_column(Integer, default=0)
    status: Mapped[CohortStatus] = enum_column(CohortStatus, default=CohortStatus.FORMED)
    departed_at: Mapped[datetime | None] = mapped_column()
    arrived_at: Mapped[datetime | None] = mapped_column()
    handed_over_at: Mapped[datetime | None] = mapped_column()


class CohortRegistration(Timestamps, Base):
    """People who registered together for a return trip; the whole group rides together."""

    __tablename__ = "cohort_registrations"
    __table_args__ = (
        CheckConstraint("group_size >= 1", name="group_size_positive"),
        CheckConstraint("window_from <= window_to", name="window_order"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    origin_province: Mapped[str] = mapped_column(String(32))
    origin_city: Mapped[str] = mapped_column(String(64), default="")
    destination_district: Mapped[str] = mapped_column(String(64))
    window_from: Mapped[date] = mapped_column()
    window_to: Mapped[date] = mapped_column()
    group_size: Mapped[int] = mapped_column(Integer)
    cohort_id: Mapped[int | None] = mapped_column(ForeignKey("cohorts.id"), index=True)


class CohortMember(Base):
    """One person of a registration, with the employer assignment, health check, handover."""

    __tablename__ = "cohort_members"

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_id: Mapped[int] = mapped_column(
        ForeignKey("cohort_registrations.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    id_number_enc: Mapped[str | None] = mapped_column(Text)
    id_number_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    id_number_masked: Mapped[str | None] = mapped_column(String(18))
    phone_enc: Mapped[str | None] = mapped_column(Text)
    phone_masked: Mapped[str | None] = mapped_column(String(20))
    skills: Mapped[list[str]] = mapped_column(default=list)
    vacancy_id: Mapped[int | None] = mapped_column(ForeignKey("vacancies.id"), index=True)
    health_checked: Mapped[bool] = mapped_column(default=False)
    health_checked_at: Mapped[datetime | None] = mapped_column()
    handed_over_at: Mapped[datetime | None] = mapped_column()


class DispatchProposal(Base):
    """A day's proposed dispatch, confirmed as a whole by an officer."""

    __tablename__ = "dispatch_proposals"

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(index=True)
    status: Mapped[DispatchStatus] = enum_column(DispatchStatus, default=DispatchStatus.PROPOSED)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by: Mapped[str] = mapped_column(String(100), default="")
    confirmed_at: Mapped[datetime | None] = mapped_column()
    confirmed_by: Mapped[str | None] = mapped_column(String(100))


class DispatchAssignment(Base):
    """One worker proposed for one gap; a person is confirmed at most once (partial index)."""

    __tablename__ = "dispatch_assignments"
    __table_args__ = (
        UniqueConstraint("proposal_id", "source", "person_id"),
        Index(
            "uq_dispatch_assignments_one_confirmed",
            "source", "person_id",
            unique=True,
            sqlite_where=text("status = 'confirmed'"),
            postgresql_where=text("status = 'confirmed'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("dispatch_proposals.id"), index=True)
    gap_id: Mapped[int] = mapped_column(ForeignKey("labor_gaps.id"), index=True)
    source: Mapped[SupplySource] = enum_column(SupplySource)
    person_id: Mapped[int] = mapped_column(Integer)
    score: Mapped[float] = mapped_column(Float)
    phase: Mapped[str] = mapped_column(String(16))
    status: Mapped[DispatchStatus] = enum_column(DispatchStatus, default=DispatchStatus.PROPOSED)
    confirmed_at: Mapped[datetime | None] = mapped_column()


class OutboxMessage(Base):
    """A notification waiting for a mailer (no mail server here): read, send, set sent_at."""

    __tablename__ = "outbox"

    id: Mapped[int] = mapped_column(primary_key=True)
    recipient: Mapped[str] = mapped_column(String(200))
    channel: Mapped[str] = mapped_column(String(16), default="sms")
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    entity: Mapped[str] = mapped_column(String(64), default="")
    entity_id: Mapped[str] = mapped_column(String(64), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    sent_at: Mapped[datetime | None] = mapped_column()


class EnterpriseRiskReport(Base):
    """An officer's report of wage arrears or layoffs at an enterprise."""

    __tablename__ = "enterprise_risk_reports"
    __table_args__ = (CheckConstraint("affected >= 0", name="affected"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id"), index=True)
    kind: Mapped[RiskReportKind] = enum_column(RiskReportKind)
    reported_on: Mapped[date] = mapped_column()
    affected: Mapped[int] = mapped_column(Integer, default=0)
    officer: Mapped[str] = mapped_column(String(100))
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class WatchEntry(Base):
    """An enterprise on the early-warning watch list, with the score and reasons that put it."""

    __tablename__ = "watch_entries"
    __table_args__ = (
        Index(
            "uq_watch_entries_one_open",
            "enterprise_id",
            unique=True,
            sqlite_where=text("status = 'open'"),
            postgresql_where=text("status = 'open'"),
        ),
        CheckConstraint(
            "status <> 'resolved' OR (resolution_note IS NOT NULL AND resolution_note <> '')",
            name="resolution_note",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id"), index=True)
    score: Mapped[float] = mapped_column(Float)
    details: Mapped[dict[str, Any]] = mapped_column(default=dict)  # {"reasons": [...]}
    added_on: Mapped[date] = mapped_column()
    status: Mapped[WatchStatus] = enum_column(WatchStatus, default=WatchStatus.OPEN)
    resolved_at: Mapped[datetime | None] = mapped_column()
    resolved_by: Mapped[str | None] = mapped_column(String(100))
    resolution_note: Mapped[str | None] = mapped_column(Text)
