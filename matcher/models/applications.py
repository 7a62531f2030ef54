"""Applications of job seekers to vacancies, and the in-app inbox of notifications."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from matcher.models.base import Base, Timestamps, enum_column, utcnow


class ApplicationStatus(StrEnum):
    """Where an application stands (hired, rejected and withdrawn are final)."""

    APPLIED = "applied"
    SHORTLISTED = "shortlisted"
    INTERVIEW = "interview"
    OFFERED = "offered"
    HIRED = "hired"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"


class ApplicationSource(StrEnum):
    """Who started the application: the seeker, or an agency's recommendation."""

    SEEKER = "seeker"
    AGENCY = "agency"


class Application(Timestamps, Base):
    """A seeker's application to a vacancy; one per (seeker, vacancy), kept by the schema."""

    __tablename__ = "applications"
    __table_args__ = (
        UniqueConstraint("seeker_id", "vacancy_id"),
        CheckConstraint("source = 'seeker' OR agency_id IS NOT NULL", name="agency_named"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    seeker_id: Mapped[int] = mapped_column(ForeignKey("job_seekers.id"), index=True)
    vacancy_id: Mapped[int] = mapped_column(ForeignKey("vacancies.id"), index=True)
    source: Mapped[ApplicationSource] = enum_column(ApplicationSource,
                                                    default=ApplicationSource.SEEKER)
    agency_id: Mapped[int | None] = mapped_column(ForeignKey("hr_agencies.id"), index=True)
    recommendation_id: Mapped[int | None] = mapped_column(ForeignKey("recommendations.id"))
    placement_id: Mapped[int | None] = mapped_column(ForeignKey("placements.id"))
    status: Mapped[ApplicationStatus] = enum_column(ApplicationStatus,
                                                    default=ApplicationStatus.APPLIED, index=True)
    message: Mapped[str] = mapped_column(Text, default="")
    interview_at: Mapped[datetime | None] = mapped_column()
    interview_location: Mapped[str | None] = mapped_column(String(300))
    note: Mapped[str] = mapped_column(Text, default="")
    contract_reference: Mapped[str | None] = mapped_column(String(100))


class Notification(Base):
    """One message in a recipient's in-app inbox: a user, or every user of (role, owner)."""

    __tablename__ = "notifications"
    __table_args__ = (
        CheckConstraint("user_id IS NOT NULL OR (role IS NOT NULL AND owner_id IS NOT NULL)",
                        name="has_recipient"),
        Index("ix_notifications_recipient", "role", "owner_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    role: Mapped[str | None] = mapped_column(String(16))
    owner_id: Mapped[int | None] = mapped_column()
    kind: Mapped[str] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text, default="")
    entity: Mapped[str] = mapped_column(String(64), default="")
    entity_id: Mapped[str] = mapped_column(String(64), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    read_at: Mapped[datetime | None] = mapped_column()
