"""What an enterprise reads of shared employment: its idle staff, its borrowing requests,
its agreements, one agreement with its side, and the printable agreement document.

Lists are of the caller's own enterprise; one agreement is visible to its two parties only
(to anybody else it does not exist, 404). The system principal reads any agreement.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from matcher.accounts import permissions as perm
from matcher.action import query
from matcher.enums import PersonStatus, Role
from matcher.errors import NotFound, ValidationFailed
from matcher.lending import ack, documents
from matcher.lending.agreements import get_agreement
from matcher.lending.matching import Candidate, match_demand, match_lender
from matcher.lending.pool import get_employee
from matcher.lending.pool import to_view as employee_view
from matcher.lending.terms import AgreementView
from matcher.lending.terms import to_view as agreement_view
from matcher.matching.weights import WeightsError
from matcher.models import Agreement, BorrowingRequest, SurplusEmployee
from matcher.principal import Principal
from matcher.runtime import Work
from matcher.vacancies.queries import Page, paginate, slice_page
from matcher.words import msg


@dataclass(frozen=True)
class SidedAgreement:
    """One agreement and the caller's side of it (``lender`` or ``borrower``)."""

    agreement: AgreementView
    side: str
    #: employee id -> acknowledgement link path (the lender's view only)
    ack_urls: dict[int, str] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        """The agreement as plain values, each employee with its ``ack_url`` (or None)."""
        out = asdict(self.agreement)
        for emp in out["employees"]:
            emp["ack_url"] = self.ack_urls.get(emp["employee_id"])
        out["side"] = self.side
        return out


def _eid(actor: Principal) -> int:
    assert actor.enterprise_id is not None  # the role check refuses unlinked users
    return actor.enterprise_id


def request_dict(r: BorrowingRequest) -> dict[str, Any]:
    """A borrowing request as plain values."""
    return {"id": r.id, "external_id": r.external_id, "title": r.title,
            "skills": list(r.skills or []), "headcount": r.headcount,
            "start_date": r.start_date, "end_date": r.end_date, "site": r.site,
            "district": r.district, "status": str(r.status)}


def request_view(s: Session, request_id: int) -> dict[str, Any]:
    """One borrowing request as plain values, or NotFound."""
    r = s.get(BorrowingRequest, request_id)
    if r is None:
        raise NotFound(msg("No borrowing request %(id)s.", id=request_id))
    return request_dict(r)


@query(Role.ENTERPRISE, system=False)
def own_staff(uow: Work, actor: Principal, page: int = 1, per_page: int = 20) -> Page:
    """The caller's enterprise's declared idle staff."""
    stmt = select(SurplusEmployee).where(
        SurplusEmployee.enterprise_id == _eid(actor)).order_by(SurplusEmployee.id)
    return paginate(uow.s, stmt, page, per_page, lambda e: asdict(employee_view(e)))


@query(Role.ENTERPRISE, system=False)
def own_requests(uow: Work, actor: Principal, page: int = 1, per_page: int = 20) -> Page:
    """The caller's enterprise's borrowing requests, newest first."""
    stmt = select(BorrowingRequest).where(
        BorrowingRequest.enterprise_id == _eid(actor)).order_by(BorrowingRequest.id.desc())
    return paginate(uow.s, stmt, page, per_page, request_dict)


@query(Role.ENTERPRISE, system=False)
def own_agreements(uow: Work, actor: Principal, page: int = 1, per_page: int = 20) -> Page:
    """Agreements where the caller's enterprise lends or borrows, newest first."""
    eid = _eid(actor)
    stmt = select(Agreement).where(
        (Agreement.lender_id == eid) | (Agreement.borrower_id == eid)
    ).order_by(Agreement.id.desc())
    return paginate(uow.s, stmt, page, per_page, lambda a: asdict(agreement_view(a)))


@query(Role.ENTERPRISE)
def own_request(uow: Work, actor: Principal, request_id: int) -> dict[str, Any]:
    """One borrowing request of the caller's enterprise."""
    perm.own_request(uow.s, actor, request_id)
    return request_view(uow.s, request_id)


@query(Role.ENTERPRISE)
def own_employee(uow: Work, actor: Principal, employee_id: int) -> dict[str, Any]:
    """One idle employee of the caller's enterprise."""
    perm.own_employee(uow.s, actor, employee_id)
    return asdict(get_employee(uow.s, employee_id))


@query(Role.ENTERPRISE)
def agreement(uow: Work, actor: Principal, agreement_id: int) -> SidedAgreement:
    """One agreement the caller's enterprise is party to, with the caller's side."""
    side = perm.agreement_party(uow.s, actor, agreement_id)
    urls = {}
    if side == "lender":
        secret = uow.rt.settings.secret_key
        urls = {emp: ack.ack_path(secret, link)
                for emp, link in ack.links_of(uow.s, agreement_id).items()}
    return SidedAgreement(get_agreement(uow.s, agreement_id), side, urls)


def _no_weights(exc: WeightsError) -> ValidationFailed:
    return ValidationFailed(msg("No ranking is in force on that date."),
                            fields={"date": [msg("No ranking is in force on that date.")]})


def _cand(c: Candidate) -> dict[str, Any]:
    e = c.employee
    return {"employee_id": e.id, "name": e.name, "external_id": e.external_id,
            "skills": list(e.skills), "daily_cost": e.daily_cost, "score": c.score,
            "reasons": list(c.reasons)}


@query(Role.ENTERPRISE, system=False)
def opportunities(uow: Work, actor: Principal, on: date | None = None, page: int = 1,
                  per_page: int = 20) -> Page:
    """Open demand of other enterprises that the caller's consenting idle staff fit on ``on``
    (default: today, or the day the first of them can go), best first, with the fitting
    employees and why they fit."""
    if on is None:  # from the day the first consenting idle employee can go
        first = uow.s.scalar(select(func.min(SurplusEmployee.available_from)).where(
            SurplusEmployee.enterprise_id == _eid(actor), SurplusEmployee.consent.is_(True),
            SurplusEmployee.status == PersonStatus.ACTIVE))
        on = max(date.today(), first or date.today())
    try:
        found = match_lender(uow.rt, uow.s, _eid(actor), today=on)
    except WeightsError as exc:
        raise _no_weights(exc) from None
    items = [{
        "request_id": n.demand.id if n.demand.kind == "request" else None,
        "vacancy_id": n.demand.id if n.demand.kind == "vacancy" else None,
        "borrower_enterprise_id": n.demand.enterprise_id,
        "borrower_name": n.demand.enterprise_name, "title": n.demand.title,
        "skills": list(n.demand.skills), "site": n.demand.site,
        "start_date": n.demand.start_date, "end_date": n.demand.end_date,
        "headcount": n.demand.headcount, "fits": n.fits, "score": n.score,
        "employee_ids": [c.employee.id for c in n.candidates],
        "employees": [_cand(c) for c in n.candidates],
        "explanation": list(n.candidates[0].reasons) if n.candidates else [],
    } for n in found]
    return slice_page(items, page, per_page)


@query(Role.ENTERPRISE, system=False)
def request_matches(uow: Work, actor: Principal, request_id: int,
                    on: date | None = None) -> dict[str, Any]:
    """Lendable staff of other enterprises for an own borrowing request, grouped by lender
    (groups covering more of the headcount first), with the fewest-lenders plan."""
    perm.own_request(uow.s, actor, request_id)
    try:
        found = match_demand(uow.rt, uow.s, "request", request_id, today=on)
    except WeightsError as exc:
        raise _no_weights(exc) from None
    d = found.demand
    return {
        "request_id": d.id, "title": d.title, "headcount": d.headcount,
        "start_date": d.start_date, "end_date": d.end_date, "site": d.site,
        "groups": [{"lender_id": g.lender_id, "lender_name": g.lender_name,
                    "covers": g.covers, "score": g.score,
                    "candidates": [_cand(c) for c in g.candidates]} for g in found.groups],
        "plan": [{"lender_id": lender, "employee_ids": list(ids)}
                 for lender, ids in found.plan],
    }


def ack_page(session: Session, token: str) -> ack.AckPage:
    """Public (the token authenticates): what an employee reads on their link."""
    return ack.page(session, token)


@query(Role.ENTERPRISE)
def agreement_document(uow: Work, actor: Principal, agreement_id: int) -> str:
    """The printable agreement (HTML) of an agreement the caller is party to."""
    perm.agreement_party(uow.s, actor, agreement_id)
    return documents.render_agreement(uow.s, agreement_id)
