"""Vacancies posted by enterprises."""

from __future__ import annotations

from datetime import date

from sqlalchemy import CheckConstraint, Float, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from matcher.enums import EmploymentType, Urgency, VacancyStatus
from matcher.models.base import Base, Timestamps, enum_column
from matcher.models.enterprise import Enterprise


class Vacancy(Timestamps, Base):
    """A position an enterprise wants filled; ``filled`` counts hires against ``headcount``."""

    __tablename__ = "vacancies"
    __table_args__ = (
        CheckConstraint("headcount >= 1", name="headcount_positive"),
        CheckConstraint("filled >= 0 AND filled <= headcount", name="filled_within_headcount"),
        CheckConstraint(
            "wage_min IS NULL OR wage_max IS NULL OR wage_min <= wage_max", name="wage_range"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    external_id: Mapped[str] = mapped_column(String(64), unique=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    required_skills: Mapped[list[str]] = mapped_column(default=list)
    preferred_skills: Mapped[list[str]] = mapped_column(default=list)
    district: Mapped[str | None] = mapped_column(String(64))
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    headcount: Mapped[int] = mapped_column(Integer, default=1)
    filled: Mapped[int] = mapped_column(Integer, default=0)
    wage_min: Mapped[int | None] = mapped_column(Integer)
    wage_max: Mapped[int | None] = mapped_column(Integer)
    shift: Mapped[str | None] = mapped_column(String(64))
    employment_type: Mapped[EmploymentType] = enum_column(
        EmploymentType, default=EmploymentType.LONG_TERM
    )
    accepts_borrowed: Mapped[bool] = mapped_column(default=False)
    borrow_from: Mapped[date | None] = mapped_column()
    borrow_to: Mapped[date | None] = mapped_column()
    start_date: Mapped[date | None] = mapped_column()
    urgency: Mapped[Urgency] = enum_column(Urgency, default=Urgency.NORMAL)
    status: Mapped[VacancyStatus] = enum_column(
        VacancyStatus, default=VacancyStatus.OPEN, index=True
    )

    enterprise: Mapped[Enterprise] = relationship(lazy="joined")

    @property
    def remaining(self) -> int:
        """Positions still to fill."""
        return max(self.headcount - self.filled, 0)

    @property
    def is_matchable(self) -> bool:
        """Open with headcount left."""
        return self.status == VacancyStatus.OPEN and self.remaining > 0
