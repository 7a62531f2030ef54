"""Compliance rules of shared employment and the refusal messages users see.

Every refusal is a :class:`matcher.errors.Refused` with a stable ``code`` and a translatable
``message`` (:func:`matcher.words.msg`, English msgid), built only here so the
wording is the same wherever a rule is checked, including when the database constraint
(rather than the check in Python) is what refused.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from matcher.enums import PersonStatus
from matcher.errors import Refused
from matcher.models import Agreement, AgreementEmployee, SurplusEmployee
from matcher.words import N_, msg, word

#: the message of each rule (English msgid; translated where it is shown)
MESSAGES: dict[str, str] = {
    "employee_busy": N_("%(names)s: already in another active lending agreement. An employee "
                        "can be in only one at a time."),
    "outside_window": N_("The period %(start)s to %(end)s is outside %(name)s's lending "
                         "window (%(window)s)."),
    "reimbursement_exceeds_cost": N_(
        "The reimbursement of %(rate)s yuan per person per day exceeds the lender's declared "
        "daily cost of %(cost)s yuan for %(name)s. Lending must not make a profit."),
    "cost_not_declared": N_("The lender has not declared %(name)s's daily cost, so the "
                            "reimbursement cannot be checked against it."),
    "no_consent": N_("%(name)s has not consented to being lent (or withdrew consent)."),
    "lender_is_borrower": N_("The lending and the borrowing enterprise must be different."),
    "not_lenders_employee": N_("%(name)s is not an employee of the lending enterprise."),
    "employee_removed": N_("%(name)s has been removed from the idle staff pool."),
    "already_signed": N_("The %(party)s has already signed this agreement."),
    "not_on_agreement": N_("%(name)s is not on this agreement."),
    "not_ended": N_("The agreement runs until %(end)s. To end it early, terminate it with "
                    "a reason."),
    "not_started": N_("The agreement starts on %(start)s. It cannot become active before "
                      "then."),
    "already_ended": N_("The agreement ended on %(end)s. It can no longer become active."),
}


#: Chinese status words of the printable bilingual agreement document
STATUS_ZH = {
    "proposed": "已提议",
    "accepted": "已接受",
    "signed": "已签署",
    "active": "履行中",
    "returned": "已归还",
    "terminated": "已提前终止",
}

#: action -> the ``invalid_transition`` message (the status is a translated word)
ACTIONS = {
    "accept": N_("The agreement is %(status)s. It cannot be accepted."),
    "sign": N_("The agreement is %(status)s. It cannot be signed."),
    "acknowledge": N_("The agreement is %(status)s. It cannot be acknowledged."),
    "activate": N_("The agreement is %(status)s. It cannot be activated."),
    "return": N_("The agreement is %(status)s. Its staff cannot be returned."),
    "terminate": N_("The agreement is %(status)s. It cannot be terminated."),
}

PARTIES = ("lender", "borrower")


def refusal(code: str, **values: object) -> Refused:
    """The :class:`Refused` for rule ``code`` with its message filled in."""
    return Refused(msg(MESSAGES[code], **values), code=code)


def transition_refusal(status: str, action: str) -> Refused:
    """The refusal for ``action`` on an agreement in ``status``."""
    return Refused(msg(ACTIONS[action], status=word(status)), code="invalid_transition")


def display_name(emp: SurplusEmployee) -> str:
    """How an employee is named in messages: the name, else the external id."""
    return emp.name or emp.external_id


def yuan(fen: int) -> str:
    """Fen as a yuan amount with two decimals (``15000`` -> ``150.00``)."""
    return f"{fen / 100:.2f}"


def window_text(start: date | None, end: date | None) -> str:
    """A lending window as text; open ends shown as ``…``."""
    return f"{start.isoformat() if start else '…'} ~ {end.isoformat() if end else '…'}"


def check_parties(lender_id: int, borrower_id: int) -> None:
    """The lender is not the borrower."""
    if lender_id == borrower_id:
        raise refusal("lender_is_borrower")


def check_employee(
    emp: SurplusEmployee, *, lender_id: int, start: date, end: date, rate: int
) -> None:
    """One employee may be lent by ``lender_id`` for ``start``..``end`` at ``rate`` fen/day."""
    name = display_name(emp)
    if emp.enterprise_id != lender_id:
        raise refusal("not_lenders_employee", name=name)
    if emp.status != PersonStatus.ACTIVE:
        raise refusal("employee_removed", name=name)
    if not emp.consent:
        raise refusal("no_consent", name=name)
    if (emp.available_from and start < emp.available_from) or (
        emp.available_to and end > emp.available_to
    ):
        raise refusal(
            "outside_window", start=start.isoformat(), end=end.isoformat(), name=name,
            window=window_text(emp.available_from, emp.available_to),
        )
    if emp.daily_cost is None:
        raise refusal("cost_not_declared", name=name)
    if rate > emp.daily_cost:
        raise refusal(
            "reimbursement_exceeds_cost", rate=yuan(rate), cost=yuan(emp.daily_cost), name=name
        )


def busy_employees(
    session: Session, employee_ids: Iterable[int], *, exclude_agreement: int | None = None,
    during: tuple[date, date] | None = None,
) -> list[SurplusEmployee]:
    """Employees among ``employee_ids`` in an active agreement (other than one; overlapping)."""
    ids = list(employee_ids)
    if not ids:
        return []
    stmt = (
        select(SurplusEmployee)
        .join(AgreementEmployee, AgreementEmployee.employee_id == SurplusEmployee.id)
        .join(Agreement, Agreement.id == AgreementEmployee.agreement_id)
        .where(AgreementEmployee.employee_id.in_(ids), AgreementEmployee.is_active.is_(True))
        .order_by(SurplusEmployee.id)
    )
    if exclude_agreement is not None:
        stmt = stmt.where(AgreementEmployee.agreement_id != exclude_agreement)
    if during is not None:
        stmt = stmt.where(Agreement.start_date <= during[1], Agreement.end_date >= during[0])
    return list(session.scalars(stmt).unique())


def busy_refusal(employees: Sequence[SurplusEmployee]) -> Refused:
    """The one refusal for "already in an active agreement" (Python check or DB index)."""
    return refusal("employee_busy", names="、".join(display_name(e) for e in employees))


def check_not_busy(
    session: Session, employee_ids: Iterable[int], *, exclude_agreement: int | None = None,
    during: tuple[date, date] | None = None,
) -> None:
    """No employee is in another active agreement (overlapping ``during``, if given)."""
    busy = busy_employees(
        session, employee_ids, exclude_agreement=exclude_agreement, during=during
    )
    if busy:
        raise busy_refusal(busy)


def is_one_active_violation(exc: BaseException) -> bool:
    """True if an IntegrityError came from ``uq_agreement_employees_one_active``."""
    text = str(getattr(exc, "orig", exc))
    return "uq_agreement_employees_one_active" in text or (
        "UNIQUE constraint failed: agreement_employees.employee_id" in text
    )
