"""Lending agreements: proposal with compliance checks, signatures, activation, return.

Lifecycle: ``proposed`` -> ``accepted`` (by the borrower) -> ``signed`` (both enterprises
signed and every employee acknowledged) -> ``active`` (``is_active`` set on each employee;
the partial unique index allows one active agreement per employee) -> ``returned`` at the
end date (:func:`return_due`), or ``terminated`` early with a reason from any live state.
Every change writes the audit log in the same transaction; functions flush, the caller
commits. Refusals come from :mod:`matcher.lending.compliance`.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from matcher import audit
from matcher.db import UnitOfWork
from matcher.enums import AgreementStatus as S
from matcher.errors import Conflict, NotFound, Refused, ValidationFailed
from matcher.index.hooks import people_changed
from matcher.lending import compliance
from matcher.lending.terms import (
    AgreementEmployeeView,
    AgreementInput,
    AgreementView,
    to_view,
    validate_terms,
)
from matcher.models import Agreement, AgreementEmployee, BorrowingRequest, Enterprise, Vacancy
from matcher.models import SurplusEmployee as Employee
from matcher.models.base import utcnow
from matcher.runtime import Runtime
from matcher.words import msg, word


def _load(session: Session, agreement_id: int) -> Agreement:
    agreement = session.get(Agreement, agreement_id)
    if agreement is None:
        raise NotFound(msg("No agreement %(id)s.", id=agreement_id))
    return agreement


def _require(a: Agreement, allowed: Iterable[S], action: str) -> None:
    if a.status not in set(allowed):
        raise compliance.transition_refusal(str(a.status), action)


def _flush(uow: UnitOfWork, agreement_id: int | None, employee_ids: list[int]) -> None:
    """Flush, turning a lost race into the same refusals the checks give."""
    try:
        uow.s.flush()
    except StaleDataError:
        uow.rollback()
        raise Conflict(msg("The agreement changed meanwhile. Reload the page and try again."),
                       code="agreement_changed") from None
    except IntegrityError as exc:
        if not compliance.is_one_active_violation(exc):
            raise
        uow.rollback()
        busy = compliance.busy_employees(uow.s, employee_ids, exclude_agreement=agreement_id)
        if not busy:
            raise Conflict(msg("Please try again."), code="agreement_changed") from None
        raise compliance.busy_refusal(busy) from None


def _record(uow: UnitOfWork, actor: str, a: Agreement, action: str, **data: object) -> None:
    audit.record(uow.s, actor, f"agreement.{action}", "agreement", a.id,
                 {"status": str(a.status), **data})


def propose(rt: Runtime, uow: UnitOfWork, data: AgreementInput, *, actor: str) -> AgreementView:
    """Propose an agreement after every compliance check (see module docstring)."""
    validate_terms(data)
    compliance.check_parties(data.lender_id, data.borrower_id)
    for ent_id in (data.lender_id, data.borrower_id):
        if uow.s.get(Enterprise, ent_id) is None:
            raise NotFound(msg("No enterprise %(id)s.", id=ent_id))
    if data.request_id is not None:
        req = uow.s.get(BorrowingRequest, data.request_id)
        if req is None or req.enterprise_id != data.borrower_id:
            raise NotFound(msg("The borrower has no borrowing request %(id)s.", id=data.request_id))
    if data.vacancy_id is not None:
        vac = uow.s.get(Vacancy, data.vacancy_id)
        if vac is None or vac.enterprise_id != data.borrower_id:
            raise NotFound(msg("The borrower has no vacancy %(id)s.", id=data.vacancy_id))
    staff = []
    for emp_id in data.employee_ids:
        emp = uow.s.get(Employee, emp_id)
        if emp is None:
            raise NotFound(msg("No idle employee %(id)s.", id=emp_id))
        compliance.check_employee(emp, lender_id=data.lender_id, start=data.start_date,
                                  end=data.end_date, rate=data.reimbursement_per_day)
        staff.append(emp)
    compliance.check_not_busy(uow.s, data.employee_ids, during=(data.start_date, data.end_date))
    agreement = Agreement(
        lender_id=data.lender_id, borrower_id=data.borrower_id, request_id=data.request_id,
        vacancy_id=data.vacancy_id, start_date=data.start_date, end_date=data.end_date,
        site=data.site.strip(), daily_hours=data.daily_hours,
        reimbursement_per_day=data.reimbursement_per_day,
        wages_paid_by="lender", social_insurance_paid_by="lender", status=S.PROPOSED,
        employees=[
            AgreementEmployee(employee_id=e.id, declared_daily_cost=e.daily_cost or 0,
                              reimbursement_per_day=data.reimbursement_per_day)
            for e in staff
        ],
    )
    uow.s.add(agreement)
    _flush(uow, None, list(data.employee_ids))
    _record(uow, actor, agreement, "proposed", employee_ids=list(data.employee_ids),
            reimbursement_per_day=data.reimbursement_per_day)
    return to_view(agreement)


def accept(rt: Runtime, uow: UnitOfWork, agreement_id: int, *, actor: str) -> AgreementView:
    """The borrower accepts a proposed agreement."""
    a = _load(uow.s, agreement_id)
    _require(a, [S.PROPOSED], "accept")
    a.status, a.accepted_at = S.ACCEPTED, utcnow()
    _flush(uow, a.id, [])
    _record(uow, actor, a, "accepted")
    return to_view(_maybe_signed(uow, a, actor))


def sign(
    rt: Runtime, uow: UnitOfWork, agreement_id: int, party: str, *, actor: str,
    signer: str | None = None,
) -> AgreementView:
    """The lender or the borrower (``party``) signs an accepted agreement; ``signer`` is the
    name of the person who signs for it (recorded with the time)."""
    if party not in compliance.PARTIES:
        raise ValidationFailed(msg("Unknown party."), fields={
            "party": [msg("Choose the lender or the borrower.")]})
    a = _load(uow.s, agreement_id)
    _require(a, [S.ACCEPTED], "sign")
    attr = f"{party}_signed_at"
    if getattr(a, attr) is not None:
        raise compliance.refusal("already_signed", party=word(party))
    name = (signer or "").strip()[:100] or actor
    setattr(a, attr, utcnow())
    setattr(a, f"{party}_signed_by", name)
    _flush(uow, a.id, [])
    _record(uow, actor, a, f"signed_by_{party}", signer=name)
    return to_view(_maybe_signed(uow, a, actor))


def acknowledge(
    rt: Runtime, uow: UnitOfWork, agreement_id: int, employee_id: int, *, actor: str
) -> AgreementView:
    """An employee on the agreement acknowledges it (consent is checked again)."""
    a = _load(uow.s, agreement_id)
    _require(a, [S.PROPOSED, S.ACCEPTED], "acknowledge")
    row = next((r for r in a.employees if r.employee_id == employee_id), None)
    if row is None:
        emp = uow.s.get(Employee, employee_id)
        name = compliance.display_name(emp) if emp else str(employee_id)
        raise compliance.refusal("not_on_agreement", name=name)
    if not row.employee.consent:
        raise compliance.refusal("no_consent", name=compliance.display_name(row.employee))
    if row.acknowledged_at is None:
        row.acknowledged_at = utcnow()
        a.updated_at = utcnow()  # bumps the version: races with other changes are caught
        _flush(uow, a.id, [])
        _record(uow, actor, a, "acknowledged", employee_id=employee_id)
    return to_view(_maybe_signed(uow, a, actor))


def _maybe_signed(uow: UnitOfWork, a: Agreement, actor: str) -> Agreement:
    """Move an accepted agreement to ``signed`` once every signature is in."""
    if (a.status == S.ACCEPTED and a.lender_signed_at and a.borrower_signed_at
            and all(r.acknowledged_at for r in a.employees)):
        a.status = S.SIGNED
        _flush(uow, a.id, [])
        _record(uow, actor, a, "signed")
    return a


def activate(
    rt: Runtime, uow: UnitOfWork, agreement_id: int, *, actor: str, today: date | None = None
) -> AgreementView:
    """Start a signed agreement: its employees leave the pool (one active agreement each)."""
    day = today or date.today()
    a = _load(uow.s, agreement_id)
    _require(a, [S.SIGNED], "activate")
    if day < a.start_date:
        raise compliance.refusal("not_started", start=a.start_date.isoformat())
    if day > a.end_date:
        raise compliance.refusal("already_ended", end=a.end_date.isoformat())
    for row in a.employees:
        compliance.check_employee(row.employee, lender_id=a.lender_id, start=a.start_date,
                                  end=a.end_date, rate=a.reimbursement_per_day)
    ids = [r.employee_id for r in a.employees]
    compliance.check_not_busy(uow.s, ids, exclude_agreement=a.id)
    a.status, a.activated_at = S.ACTIVE, utcnow()
    for row in a.employees:
        row.is_active = True
    _flush(uow, a.id, ids)
    _record(uow, actor, a, "activated", employee_ids=ids)
    people_changed(rt, uow, surplus_ids=ids)
    return to_view(a)


def _end(rt: Runtime, uow: UnitOfWork, a: Agreement, status: S, actor: str, **data: object) -> None:
    was_active = a.status == S.ACTIVE
    ids = [r.employee_id for r in a.employees]
    a.status, a.ended_at = status, utcnow()
    for row in a.employees:
        row.is_active = False
    _flush(uow, a.id, [])
    _record(uow, actor, a, str(status), **data)
    if was_active:
        people_changed(rt, uow, surplus_ids=ids)


def return_agreement(
    rt: Runtime, uow: UnitOfWork, agreement_id: int, *, actor: str, today: date | None = None
) -> AgreementView:
    """End an active agreement on or after its end date; employees return to the pool."""
    day = today or date.today()
    a = _load(uow.s, agreement_id)
    _require(a, [S.ACTIVE], "return")
    if day < a.end_date:
        raise compliance.refusal("not_ended", end=a.end_date.isoformat())
    _end(rt, uow, a, S.RETURNED, actor, on=day.isoformat())
    return to_view(a)


def terminate(
    rt: Runtime, uow: UnitOfWork, agreement_id: int, reason: str, *, actor: str
) -> AgreementView:
    """End a live agreement early with a reason; employees return to the pool."""
    if not reason or not reason.strip():
        raise ValidationFailed(msg("A reason is required to terminate an agreement."),
                               fields={"reason": [msg("This field is required.")]})
    a = _load(uow.s, agreement_id)
    _require(a, [S.PROPOSED, S.ACCEPTED, S.SIGNED, S.ACTIVE], "terminate")
    a.termination_reason = reason.strip()
    _end(rt, uow, a, S.TERMINATED, actor, reason=reason.strip())
    return to_view(a)


def return_due(rt: Runtime, uow: UnitOfWork, today: date, *, actor: str = "scheduler") -> list[int]:
    """Return every active agreement whose end date is before ``today``; their ids."""
    due = list(uow.s.scalars(
        select(Agreement).where(Agreement.status == S.ACTIVE, Agreement.end_date < today)
        .order_by(Agreement.id)
    ).unique())
    for a in due:
        _end(rt, uow, a, S.RETURNED, actor, on=today.isoformat(), automatic=True)
    return [a.id for a in due]


def activate_due(rt: Runtime, uow: UnitOfWork, today: date, *, actor: str = "scheduler"
                 ) -> tuple[list[int], dict[int, str]]:
    """Activate every signed agreement whose period has begun; (activated ids, refused ids
    with the refusal code). A refused agreement (checked before anything changes) stays
    signed and the others go on."""
    due = list(uow.s.scalars(
        select(Agreement.id).where(Agreement.status == S.SIGNED, Agreement.start_date <= today,
                                   Agreement.end_date >= today).order_by(Agreement.id)))
    done, refused = [], {}
    for agreement_id in due:
        try:
            activate(rt, uow, agreement_id, actor=actor, today=today)
        except Refused as exc:
            refused[agreement_id] = exc.code
            continue
        done.append(agreement_id)
    return done, refused


def get_agreement(session: Session, agreement_id: int) -> AgreementView:
    """One agreement by id."""
    return to_view(_load(session, agreement_id))


def list_agreements(
    session: Session, *, enterprise_id: int | None = None, status: str | None = None
) -> list[AgreementView]:
    """Agreements, optionally of one enterprise (either side) and in one status."""
    stmt = select(Agreement).order_by(Agreement.id)
    if enterprise_id is not None:
        stmt = stmt.where((Agreement.lender_id == enterprise_id)
                          | (Agreement.borrower_id == enterprise_id))
    if status is not None:
        stmt = stmt.where(Agreement.status == S(status))
    return [to_view(a) for a in session.scalars(stmt).unique()]


__all__ = [
    "AgreementEmployeeView", "AgreementInput", "AgreementView", "accept", "acknowledge",
    "activate", "activate_due", "get_agreement", "list_agreements", "propose", "return_agreement",
    "return_due", "sign", "terminate", "to_view",
]
