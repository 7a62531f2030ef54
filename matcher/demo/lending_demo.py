"""Shared employment in the demo city, made through the same actions people use.

The lender is the closed hotel or restaurant with the most consenting idle staff (a login
``lender@demo.workbridge.local``); the borrower is the enterprise ``enterprise@`` belongs to
(the lowest id). It posts a borrowing request the lender's staff fit, and agreements
between the two stand in every state: proposed, accepted, signed (employees acknowledged
through their own links), active, returned and terminated. Deterministic for a given
database and day; the caller commits.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date, timedelta

from sqlalchemy import select

from matcher.accounts.users import create_user
from matcher.demo import catalog as cat
from matcher.enums import PersonStatus, Role
from matcher.lending import ack, actions
from matcher.lending.demand import RequestInput
from matcher.lending.terms import AgreementInput
from matcher.models import Enterprise, SurplusEmployee, User
from matcher.principal import Principal
from matcher.runtime import Work

log = logging.getLogger(__name__)
LENDER_EMAIL = "lender@demo.workbridge.local"
SYSTEM = Principal.system("demo")
SECTORS = ("hotel", "restaurant")


def _staff(uow: Work, enterprise_id: int) -> list[SurplusEmployee]:
    return list(uow.s.scalars(select(SurplusEmployee).where(
        SurplusEmployee.enterprise_id == enterprise_id, SurplusEmployee.consent.is_(True),
        SurplusEmployee.status == PersonStatus.ACTIVE, SurplusEmployee.daily_cost.is_not(None),
        SurplusEmployee.available_from.is_not(None)).order_by(SurplusEmployee.id)))


def _lender(uow: Work) -> tuple[Enterprise, list[SurplusEmployee]] | None:
    """The closed hotel or restaurant with the most lendable staff (lowest id on ties)."""
    industries = [s.industry for s in cat.STOPPED if s.key in SECTORS]
    best: tuple[Enterprise, list[SurplusEmployee]] | None = None
    for ent in uow.s.scalars(select(Enterprise).where(Enterprise.industry.in_(industries))
                             .order_by(Enterprise.id)):
        staff = _staff(uow, ent.id)
        if len(staff) >= 2 and (best is None or len(staff) > len(best[1])):
            best = (ent, staff)
    return best


def _ack_all(uow: Work, agreement_id: int) -> None:
    """Each employee confirms through their own link, typing their own name."""
    secret = uow.rt.settings.secret_key
    for link in ack.links_of(uow.s, agreement_id).values():
        token = ack.token_for(secret, link.nonce)
        out = actions.acknowledge_by_link(uow, token, link.employee.name or "")
        if out.error is not None:
            raise out.error


def _agreement(uow: Work, lender: int, borrower: int, emp: SurplusEmployee, start: date,
               days: int, request_id: int | None = None) -> int:
    assert emp.daily_cost is not None
    return actions.propose_agreement(uow, SYSTEM, AgreementInput(
        lender_id=lender, borrower_id=borrower, employee_ids=(emp.id,), start_date=start,
        end_date=start + timedelta(days=days), site="借入企业厂区 borrower's site",
        daily_hours=8, reimbursement_per_day=emp.daily_cost * 8 // 10,
        request_id=request_id)).id


def seed_lending_demo(uow: Work, password: str, today: date | None = None) -> dict[str, int]:
    """The lender login, a borrowing request and agreements in every state (counts)."""
    found = _lender(uow)
    borrower_id = uow.s.scalar(select(Enterprise.id).order_by(Enterprise.id).limit(1))
    if found is None or borrower_id is None or borrower_id == found[0].id:
        log.warning("lending demo skipped: no closed hotel or restaurant with idle staff")
        return {}
    lender, staff = found
    if uow.s.scalar(select(User.id).where(User.email == LENDER_EMAIL)) is None:
        create_user(uow, email=LENDER_EMAIL, password=password, role=Role.ENTERPRISE,
                    enterprise_id=lender.id, actor="demo", trusted_demo=True)
    first, second, last = staff[0], staff[1], staff[-1]
    f0, f1 = first.available_from, second.available_from
    assert f0 is not None and f1 is not None and last.available_from is not None
    request = actions.post_request(uow, SYSTEM, RequestInput(
        title="客房保洁临时借调 Housekeeping on loan", skills=tuple(first.skills or ()),
        headcount=2, start_date=max(f0, f1), end_date=max(f0, f1) + timedelta(days=13),
        site="借入企业厂区 borrower's site"), enterprise_id=borrower_id)

    def step(fn: Callable[..., object], aid: int, *args: object) -> None:
        fn(uow, SYSTEM, aid, *args)

    def signed(aid: int) -> None:
        step(actions.accept_agreement, aid)
        actions.sign_agreement(uow, SYSTEM, aid, "lender", signer="刘经理 (demo)")
        actions.sign_agreement(uow, SYSTEM, aid, "borrower", signer="陈厂长 (demo)")
        _ack_all(uow, aid)

    returned = _agreement(uow, lender.id, borrower_id, first, f0, 4)
    signed(returned)
    step(actions.activate_agreement, returned, f0)
    step(actions.return_agreement, returned, f0 + timedelta(days=4))
    ended = _agreement(uow, lender.id, borrower_id, first, f0 + timedelta(days=5), 4)
    step(actions.terminate_agreement, ended, "借入企业订单取消 the borrower's order was cancelled")
    _agreement(uow, lender.id, borrower_id, first, f0 + timedelta(days=10), 4,
               request_id=request["id"])
    step(actions.accept_agreement, _agreement(uow, lender.id, borrower_id, second, f1, 6))
    signed(_agreement(uow, lender.id, borrower_id, second, f1 + timedelta(days=7), 6))
    made = 5
    if len(staff) >= 3:
        start = last.available_from
        active = _agreement(uow, lender.id, borrower_id, last, start, 6)
        signed(active)
        step(actions.activate_agreement, active, max(start, today or start))
        made += 1
    log.info("lending demo: lender %s, %d agreements", lender.name, made)
    return {"lending_agreements": made}
