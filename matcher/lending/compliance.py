"""Compliance rules of shared employment and the refusal messages users see.

Every refusal is a :class:`matcher.errors.Refused` with a stable ``code`` and a bilingual
``message`` (Chinese first, then English, separated by `` / ``), built only here so the
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

MESSAGES: dict[str, tuple[str, str]] = {
    "employee_busy": (
        "员工{names}已在另一份生效中的借调协议中，同一时间只能参加一份协议",
        "{names}: already in another active lending agreement; an employee can be in "
        "only one at a time",
    ),
    "outside_window": (
        "协议期间{start}至{end}超出员工{name}的可借调期（{window}）",
        "the period {start} to {end} is outside {name}'s lending window ({window})",
    ),
    "reimbursement_exceeds_cost": (
        "每人每日补偿{rate}元超过出借企业申报的员工{name}日成本{cost}元，共享用工不得营利",
        "reimbursement of {rate} yuan per person per day exceeds the lender's declared "
        "daily cost of {cost} yuan for {name}; lending must not make a profit",
    ),
    "cost_not_declared": (
        "出借企业尚未申报员工{name}的日成本，无法核对补偿是否营利",
        "the lender has not declared {name}'s daily cost, so the reimbursement cannot be "
        "checked against it",
    ),
    "no_consent": (
        "员工{name}未同意被借调（或已撤回同意）",
        "{name} has not consented to being lent (or withdrew consent)",
    ),
    "lender_is_borrower": (
        "出借企业与借入企业不能是同一家企业",
        "the lending and the borrowing enterprise must be different",
    ),
    "not_lenders_employee": (
        "员工{name}不属于出借企业",
        "{name} is not an employee of the lending enterprise",
    ),
    "employee_removed": (
        "员工{name}已退出闲置员工池",
        "{name} has been removed from the idle staff pool",
    ),
    "invalid_transition": (
        "协议当前状态为“{status_zh}”，不能{action_zh}",
        "the agreement is {status}; it cannot be {action_en}",
    ),
    "already_signed": (
        "{party}已签署过本协议",
        "the {party_en} has already signed this agreement",
    ),
    "not_on_agreement": (
        "员工{name}不在本协议中",
        "{name} is not on this agreement",
    ),
    "not_ended": (
        "协议{end}才到期，提前结束请使用“提前终止”并说明原因",
        "the agreement runs until {end}; to end it early, terminate it with a reason",
    ),
    "not_started": (
        "协议{start}才开始，今天不能生效",
        "the agreement starts on {start}; it cannot become active before then",
    ),
    "already_ended": (
        "协议已于{end}到期，不能生效",
        "the agreement ended on {end}; it can no longer become active",
    ),
}


STATUS_ZH = {
    "proposed": "已提议",
    "accepted": "已接受",
    "signed": "已签署",
    "active": "履行中",
    "returned": "已归还",
    "terminated": "已提前终止",
}

#: action -> (Chinese verb, English past participle) for ``invalid_transition``
ACTIONS = {
    "accept": ("接受", "accepted"),
    "sign": ("签署", "signed"),
    "acknowledge": ("由员工确认", "acknowledged"),
    "activate": ("生效", "activated"),
    "return": ("归还", "returned"),
    "terminate": ("终止", "terminated"),
}

PARTIES = {"lender": "出借企业", "borrower": "借入企业"}


def refusal(code: str, **values: object) -> Refused:
    """The :class:`Refused` for rule ``code`` with its bilingual message filled in."""
    zh, en = MESSAGES[code]
    return Refused(f"{zh.format(**values)} / {en.format(**values)}", code=code)


def transition_refusal(status: str, action: str) -> Refused:
    """The refusal for ``action`` on an agreement in ``status``."""
    zh, en = ACTIONS[action]
    return refusal(
        "invalid_transition", status=status, status_zh=STATUS_ZH[status], action_zh=zh,
        action_en=en,
    )


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
