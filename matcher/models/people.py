"""People: job seekers and the surplus (idle) employees enterprises offer to lend.

Identity fields are never stored in clear: ``id_number_enc`` / ``phone_enc`` hold Fernet
ciphertext (see :mod:`matcher.pii`), ``*_masked`` what may be shown to others, and
``id_number_hash`` a keyed hash that makes one person one profile.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Float, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from matcher.enums import PersonStatus
from matcher.models.base import Base, Timestamps, enum_column
from matcher.models.enterprise import Enterprise


class JobSeeker(Timestamps, Base):
    """A person looking for work."""

    __tablename__ = "job_seekers"
    __table_args__ = (CheckConstraint("travel_km IS NULL OR travel_km >= 0", name="travel_km"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    external_id: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str | None] = mapped_column(String(100))
    id_number_enc: Mapped[str | None] = mapped_column(Text)
    id_number_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    id_number_masked: Mapped[str | None] = mapped_column(String(18))
    phone_enc: Mapped[str | None] = mapped_column(Text)
    phone_masked: Mapped[str | None] = mapped_column(String(20))
    district: Mapped[str | None] = mapped_column(String(64))
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    travel_km: Mapped[float | None] = mapped_column(Float)
    skills: Mapped[list[str]] = mapped_column(default=list)
    experience: Mapped[str] = mapped_column(Text, default="")
    desired_positions: Mapped[list[str]] = mapped_column(default=list)
    categories: Mapped[list[str]] = mapped_column(default=list)
    graduation_year: Mapped[int | None] = mapped_column(Integer)
    # highest degree (matcher.subsidy rules: associate < bachelor < master < doctor)
    degree_level: Mapped[str | None] = mapped_column(String(16))
    origin_province: Mapped[str | None] = mapped_column(String(32))
    available_from: Mapped[date | None] = mapped_column()
    available_to: Mapped[date | None] = mapped_column()
    consent_matching: Mapped[bool] = mapped_column(default=True)
    consent_share_with_agencies: Mapped[bool] = mapped_column(default=True)
    status: Mapped[PersonStatus] = enum_column(PersonStatus, default=PersonStatus.ACTIVE)
    deleted_at: Mapped[datetime | None] = mapped_column()

    @property
    def is_matchable(self) -> bool:
        """Active and consenting to be matched."""
        return self.status == PersonStatus.ACTIVE and self.consent_matching


class SurplusEmployee(Timestamps, Base):
    """An idle employee an enterprise declares lendable, with the employee's consent."""

    __tablename__ = "surplus_employees"
    __table_args__ = (
        CheckConstraint(
            "available_to IS NULL OR available_from IS NULL OR available_from <= available_to",
            name="window_order",
        ),
        CheckConstraint("daily_cost IS NULL OR daily_cost >= 0", name="daily_cost"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    external_id: Mapped[str] = mapped_column(String(64), unique=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id"), index=True)
    name: Mapped[str | None] = mapped_column(String(100))
    skills: Mapped[list[str]] = mapped_column(default=list)
    experience: Mapped[str] = mapped_column(Text, default="")
    district: Mapped[str | None] = mapped_column(String(64))
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    available_from: Mapped[date | None] = mapped_column()
    available_to: Mapped[date | None] = mapped_column()
    consent: Mapped[bool] = mapped_column(default=False)
    consent_recorded_at: Mapped[datetime | None] = mapped_column()
    daily_cost: Mapped[int | None] = mapped_column(Integer)  # lender's cost, fen per day
    status: Mapped[PersonStatus] = enum_column(PersonStatus, default=PersonStatus.ACTIVE)

    enterprise: Mapped[Enterprise] = relationship(lazy="joined")

    def is_lendable_on(self, day: date) -> bool:
        """Active, consenting, and ``day`` inside the lending window."""
        if self.status != PersonStatus.ACTIVE or not self.consent:
            return False
        if self.available_from and day < self.available_from:
            return False
        return not (self.available_to and day > self.available_to)
