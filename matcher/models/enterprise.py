"""Enterprises (employers, lenders, borrowers) and HR service agencies."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Float, String, false
from sqlalchemy.orm import Mapped, mapped_column

from matcher.enums import KeyTier, SizeClass
from matcher.models.base import Base, Timestamps, enum_column

#: An organisation's account state: registered on the web (pending) until the bureau decides.
APPROVAL_STATES = ("pending", "approved", "rejected")


def _approval_column() -> Mapped[str]:
    return mapped_column(String(16), default="approved", server_default="approved")


class Enterprise(Timestamps, Base):
    """An employer registered with the bureau."""

    __tablename__ = "enterprises"

    id: Mapped[int] = mapped_column(primary_key=True)
    external_id: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    credit_code: Mapped[str | None] = mapped_column(String(18), unique=True)
    district: Mapped[str | None] = mapped_column(String(64))
    city: Mapped[str] = mapped_column(String(64), default="北京市")
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    industry: Mapped[str | None] = mapped_column(String(100))
    size_class: Mapped[SizeClass] = enum_column(SizeClass, default=SizeClass.SMALL)
    key_tier: Mapped[KeyTier] = enum_column(KeyTier, default=KeyTier.NONE)
    # one of the city's leading industrial enterprises (graduate job-seeking subsidy)
    is_leading_industrial: Mapped[bool] = mapped_column(default=False, server_default=false())
    key_tier_set_on: Mapped[date | None] = mapped_column()
    approval_status: Mapped[str] = _approval_column()

    def __repr__(self) -> str:
        return f"<Enterprise {self.id} {self.external_id}>"


class HRAgency(Timestamps, Base):
    """A human-resources service agency that recommends candidates and claims subsidies."""

    __tablename__ = "hr_agencies"

    id: Mapped[int] = mapped_column(primary_key=True)
    external_id: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    credit_code: Mapped[str | None] = mapped_column(String(18), unique=True)
    license_no: Mapped[str | None] = mapped_column(String(64))
    district: Mapped[str | None] = mapped_column(String(64))
    approval_status: Mapped[str] = _approval_column()
