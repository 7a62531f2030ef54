"""Agreement terms and views: what is proposed, and what callers get back (plain values)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from matcher.errors import ValidationFailed
from matcher.models import Agreement
from matcher.words import Msg, msg


@dataclass(frozen=True)
class AgreementInput:
    """The terms a lender and a borrower agree on."""

    lender_id: int
    borrower_id: int
    employee_ids: tuple[int, ...]
    start_date: date
    end_date: date
    site: str
    daily_hours: float = 8.0
    reimbursement_per_day: int = 0  # fen per person per day
    request_id: int | None = None
    vacancy_id: int | None = None


@dataclass(frozen=True)
class Proposal:
    """Terms as one enterprise proposes them to another (its side, amounts in yuan)."""

    counterparty_enterprise_id: int
    role: str  # the caller's side: "lender" or "borrower"
    employee_ids: tuple[int, ...]
    start_date: date
    end_date: date
    site: str
    daily_hours: float
    reimbursement_yuan_per_day: Decimal
    request_id: int | None = None
    vacancy_id: int | None = None


def terms_of(own_enterprise_id: int, p: Proposal) -> AgreementInput:
    """The :class:`AgreementInput` of a proposal made by ``own_enterprise_id``."""
    if p.role not in ("lender", "borrower"):
        raise ValidationFailed(msg("Unknown side."), fields={
            "role": [msg("Choose the lender or the borrower.")]})
    fen = Decimal(p.reimbursement_yuan_per_day) * 100
    if not fen.is_finite() or fen != fen.to_integral_value() or not 0 <= fen <= 10**8:
        raise ValidationFailed(msg("Invalid amount."), fields={
            "reimbursement_yuan_per_day": [
                msg("Enter an amount in yuan with at most two decimals, not negative.")]})
    lender, borrower = ((own_enterprise_id, p.counterparty_enterprise_id) if p.role == "lender"
                        else (p.counterparty_enterprise_id, own_enterprise_id))
    return AgreementInput(
        lender_id=lender, borrower_id=borrower, employee_ids=tuple(p.employee_ids),
        start_date=p.start_date, end_date=p.end_date, site=p.site, daily_hours=p.daily_hours,
        reimbursement_per_day=int(fen), request_id=p.request_id, vacancy_id=p.vacancy_id)


@dataclass(frozen=True)
class AgreementEmployeeView:
    """One employee on an agreement (ID number only ever masked)."""

    employee_id: int
    external_id: str
    name: str | None
    id_number_masked: str | None
    declared_daily_cost: int
    acknowledged_at: datetime | None
    is_active: bool


@dataclass(frozen=True)
class AgreementView:
    """An agreement with both parties and its employees."""

    id: int
    status: str
    lender_id: int
    lender_name: str
    borrower_id: int
    borrower_name: str
    request_id: int | None
    vacancy_id: int | None
    start_date: date
    end_date: date
    site: str
    daily_hours: float
    reimbursement_per_day: int
    wages_paid_by: str
    social_insurance_paid_by: str
    accepted_at: datetime | None
    lender_signed_at: datetime | None
    borrower_signed_at: datetime | None
    lender_signed_by: str | None
    borrower_signed_by: str | None
    activated_at: datetime | None
    ended_at: datetime | None
    termination_reason: str | None
    employees: tuple[AgreementEmployeeView, ...]


def to_view(a: Agreement) -> AgreementView:
    """Plain view of an ORM agreement."""
    staff = tuple(
        AgreementEmployeeView(
            employee_id=row.employee_id, external_id=row.employee.external_id,
            name=row.employee.name,
            id_number_masked=getattr(row.employee, "id_number_masked", None),
            declared_daily_cost=row.declared_daily_cost, acknowledged_at=row.acknowledged_at,
            is_active=row.is_active,
        ) for row in a.employees
    )
    return AgreementView(
        id=a.id, status=str(a.status), lender_id=a.lender_id, lender_name=a.lender.name,
        borrower_id=a.borrower_id, borrower_name=a.borrower.name, request_id=a.request_id,
        vacancy_id=a.vacancy_id, start_date=a.start_date, end_date=a.end_date, site=a.site,
        daily_hours=a.daily_hours, reimbursement_per_day=a.reimbursement_per_day,
        wages_paid_by=a.wages_paid_by, social_insurance_paid_by=a.social_insurance_paid_by,
        accepted_at=a.accepted_at, lender_signed_at=a.lender_signed_at,
        borrower_signed_at=a.borrower_signed_at, lender_signed_by=a.lender_signed_by,
        borrower_signed_by=a.borrower_signed_by, activated_at=a.activated_at,
        ended_at=a.ended_at, termination_reason=a.termination_reason, employees=staff,
    )


def validate_terms(data: AgreementInput) -> None:
    """Field-level checks of proposed terms (ValidationFailed with field messages)."""
    fields: dict[str, list[Msg]] = {}
    if not data.employee_ids:
        fields["employee_ids"] = [msg("Choose at least one employee.")]
    elif len(set(data.employee_ids)) != len(data.employee_ids):
        fields["employee_ids"] = [msg("An employee is listed twice.")]
    if data.start_date > data.end_date:
        fields["end_date"] = [msg("Must be on or after the start date.")]
    if not 0 < data.daily_hours <= 12:
        fields["daily_hours"] = [msg("Must be more than 0 and at most 12 hours.")]
    if data.reimbursement_per_day < 0:
        fields["reimbursement_per_day"] = [msg("Must not be negative.")]
    if not data.site.strip():
        fields["site"] = [msg("This field is required.")]
    if fields:
        raise ValidationFailed(msg("Some agreement terms are invalid."), fields=dict(fields))
