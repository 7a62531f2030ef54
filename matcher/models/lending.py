"""Shared employment: borrowing requests and lending agreements between enterprises."""

from __future__ import annotations

from datetime import date, datetime

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
from sqlalchemy.orm import Mapped, mapped_column, relationship

from matcher.enums import AgreementStatus, RequestStatus
from matcher.models.base import Base, Timestamps, enum_column, utcnow
from matcher.models.enterprise import Enterprise
from matcher.models.people import SurplusEmployee


class BorrowingRequest(Timestamps, Base):
    """An enterprise asks to borrow staff: skills, headcount, period, site."""

    __tablename__ = "borrowing_requests"
    __table_args__ = (
        CheckConstraint("headcount >= 1", name="headcount_positive"),
        CheckConstraint("start_date <= end_date", name="period_order"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    external_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id"), index=True)
    vacancy_id: Mapped[int | None] = mapped_column(ForeignKey("vacancies.id"))
    title: Mapped[str] = mapped_column(String(200))
    skills: Mapped[list[str]] = mapped_column(default=list)
    headcount: Mapped[int] = mapped_column(Integer, default=1)
    start_date: Mapped[date] = mapped_column()
    end_date: Mapped[date] = mapped_column()
    site: Mapped[str | None] = mapped_column(String(200))
    district: Mapped[str | None] = mapped_column(String(64))
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    status: Mapped[RequestStatus] = enum_column(RequestStatus, default=RequestStatus.OPEN)

    enterprise: Mapped[Enterprise] = relationship(lazy="joined")


class Agreement(Timestamps, Base):
    """A three-party lending agreement: lender keeps wages and social insurance."""

    __tablename__ = "agreements"
    __table_args__ = (
        CheckConstraint("lender_id <> borrower_id", name="lender_not_borrower"),
        CheckConstraint("start_date <= end_date", name="period_order"),
        CheckConstraint("reimbursement_per_day >= 0", name="reimbursement"),
        CheckConstraint("daily_hours > 0 AND daily_hours <= 12", name="daily_hours"),
        CheckConstraint(
            "wages_paid_by = 'lender' AND social_insurance_paid_by = 'lender'", name="lender_pays"
        ),
        CheckConstraint(
            "status <> 'terminated' OR "
            "(termination_reason IS NOT NULL AND termination_reason <> '')",
            name="termination_reason",
        ),
        CheckConstraint(
            "status NOT IN ('signed', 'active', 'returned') OR "
            "(lender_signed_at IS NOT NULL AND borrower_signed_at IS NOT NULL)",
            name="signed_by_both",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    lender_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id"), index=True)
    borrower_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id"), index=True)
    request_id: Mapped[int | None] = mapped_column(ForeignKey("borrowing_requests.id"))
    vacancy_id: Mapped[int | None] = mapped_column(ForeignKey("vacancies.id"))
    start_date: Mapped[date] = mapped_column()
    end_date: Mapped[date] = mapped_column()
    site: Mapped[str] = mapped_column(String(200), default="")
    daily_hours: Mapped[float] = mapped_column(Float, default=8.0)
    reimbursement_per_day: Mapped[int] = mapped_column(Integer, default=0)  # fen/person/day
    wages_paid_by: Mapped[str] = mapped_column(String(16), default="lender")
    social_insurance_paid_by: Mapped[str] = mapped_column(String(16), default="lender")
    status: Mapped[AgreementStatus] = enum_column(AgreementStatus, default=AgreementStatus.PROPOSED)
    accepted_at: Mapped[datetime | None] = mapped_column()
    lender_signed_at: Mapped[datetime | None] = mapped_column()
    borrower_signed_at: Mapped[datetime | None] = mapped_column()
    lender_signed_by: Mapped[str | None] = mapped_column(String(100))
    borrower_signed_by: Mapped[str | None] = mapped_column(String(100))
    activated_at: Mapped[datetime | None] = mapped_column()
    ended_at: Mapped[datetime | None] = mapped_column()
    termination_reason: Mapped[str | None] = mapped_column(Text)
    #: optimistic lock: a concurrent state change of the same agreement fails (StaleDataError)
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    __mapper_args__ = {"version_id_col": version}

    lender: Mapped[Enterprise] = relationship(foreign_keys=[lender_id], lazy="joined")
    borrower: Mapped[Enterprise] = relationship(foreign_keys=[borrower_id], lazy="joined")
    employees: Mapped[list[AgreementEmployee]] = relationship(
        back_populates="agreement", cascade="all, delete-orphan", order_by="AgreementEmployee.id"
    )


class AgreementEmployee(Base):
    """One employee on an agreement; ``is_active`` is set while the agreement runs.

    The partial unique index ``uq_agreement_employees_one_active`` makes "an employee is
    in at most one active agreement" a database guarantee.
    """

    __tablename__ = "agreement_employees"
    __table_args__ = (
        UniqueConstraint("agreement_id", "employee_id"),
        CheckConstraint(
            "reimbursement_per_day >= 0 AND reimbursement_per_day <= declared_daily_cost",
            name="no_profit",
        ),
        Index(
            "uq_agreement_employees_one_active",
            "employee_id",
            unique=True,
            sqlite_where=text("is_active = 1"),
            postgresql_where=text("is_active"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    agreement_id: Mapped[int] = mapped_column(ForeignKey("agreements.id", ondelete="CASCADE"))
    employee_id: Mapped[int] = mapped_column(ForeignKey("surplus_employees.id"), index=True)
    #: the lender's declared cost of this employee when proposed (fen/day), kept for audit
    declared_daily_cost: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    #: copy of the agreement's rate; the CHECK ``no_profit`` keeps it <= the declared cost
    reimbursement_per_day: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    acknowledged_at: Mapped[datetime | None] = mapped_column()
    is_active: Mapped[bool] = mapped_column(default=False)

    agreement: Mapped[Agreement] = relationship(back_populates="employees")
    employee: Mapped[SurplusEmployee] = relationship(lazy="joined")


class AckLink(Base):
    """An employee's one-time link to acknowledge an agreement; only the token's hash is kept.

    The token itself is an HMAC of the nonce under the server's secret key, so the server
    can show it again to the lender, and a copy of the database alone cannot use it.
    """

    __tablename__ = "agreement_ack_links"
    __table_args__ = (
        UniqueConstraint("agreement_id", "employee_id"),
        CheckConstraint("attempts >= 0", name="attempts"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    agreement_id: Mapped[int] = mapped_column(ForeignKey("agreements.id", ondelete="CASCADE"))
    employee_id: Mapped[int] = mapped_column(ForeignKey("surplus_employees.id"), index=True)
    nonce: Mapped[str] = mapped_column(String(64))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    expires_at: Mapped[datetime] = mapped_column()
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    locked_at: Mapped[datetime | None] = mapped_column()
    used_at: Mapped[datetime | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    agreement: Mapped[Agreement] = relationship()
    employee: Mapped[SurplusEmployee] = relationship(lazy="joined")
