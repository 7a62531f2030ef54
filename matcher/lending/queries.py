"""What an enterprise reads of shared employment: its idle staff, its borrowing requests,
its agreements, one agreement with its side, and the printable agreement document.

Lists are of the caller's own enterprise; one agreement is visible to its two parties only
(to anybody else it does not exist, 404). The system principal reads any agreement.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from matcher.accounts import permissions as perm
from matcher.action import query
from matcher.enums import Role
from matcher.errors import NotFound
from matcher.lending import documents
from matcher.lending.agreements import get_agreement
from matcher.lending.pool import to_view as employee_view
from matcher.lending.terms import AgreementView
from matcher.lending.terms import to_view as agreement_view
from matcher.models import Agreement, BorrowingRequest, SurplusEmployee
from matcher.principal import Principal
from matcher.runtime import Work
from matcher.vacancies.queries import Page, paginate


@dataclass(frozen=True)
class SidedAgreement:
    """One agreement and the caller's side of it (``lender`` or ``borrower``)."""

    agreement: AgreementView
    side: str


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
        raise NotFound(f"borrowing request {request_id} not found")
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
def agreement(uow: Work, actor: Principal, agreement_id: int) -> SidedAgreement:
    """One agreement the caller's enterprise is party to, with the caller's side."""
    side = perm.agreement_party(uow.s, actor, agreement_id)
    return SidedAgreement(get_agreement(uow.s, agreement_id), side)


@query(Role.ENTERPRISE)
def agreement_document(uow: Work, actor: Principal, agreement_id: int) -> str:
    """The printable agreement (HTML) of an agreement the caller is party to."""
    perm.agreement_party(uow.s, actor, agreement_id)
    return documents.render_agreement(uow.s, agreement_id)
