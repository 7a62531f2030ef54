"""Paginated, owner-scoped read queries behind the role API (no writes here)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from typing import Any, TypeVar

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from matcher.enums import ClaimStatus
from matcher.lending.pool import to_view as employee_view
from matcher.lending.terms import to_view as agreement_view
from matcher.models import Agreement, AuditLog, BorrowingRequest, SurplusEmployee, Vacancy
from matcher.models.subsidy import Placement, Recommendation, SubsidyClaim
from matcher.queries.vacancies import MAX_PER_PAGE
from matcher.queries.vacancies import _card as vacancy_card
from matcher.subsidy.views import ClaimView, PlacementView, RecommendationView

T = TypeVar("T")


@dataclass(frozen=True)
class ListPage:
    """One page of any list, with the total count."""

    items: list[Any]
    page: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        """Number of pages (at least 1)."""
        return max(1, -(-self.total // self.per_page))


def paginate(s: Session, stmt: Select[Any], page: int, per_page: int,
             convert: Callable[[Any], T]) -> ListPage:
    """Run ``stmt`` for one page; ``convert`` turns each row into a plain value."""
    page, per_page = max(page, 1), min(max(per_page, 1), MAX_PER_PAGE)
    total = s.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0
    rows = s.scalars(stmt.offset((page - 1) * per_page).limit(per_page)).unique()
    return ListPage([convert(r) for r in rows], page, per_page, total)


def slice_page(items: Sequence[T], page: int, per_page: int) -> ListPage:
    """Paginate an already computed list."""
    page, per_page = max(page, 1), min(max(per_page, 1), MAX_PER_PAGE)
    start = (page - 1) * per_page
    return ListPage(list(items[start:start + per_page]), page, per_page, len(items))


def enterprise_vacancies(s: Session, enterprise_id: int, page: int, per_page: int) -> ListPage:
    """All vacancies of one enterprise, newest first."""
    stmt = select(Vacancy).where(Vacancy.enterprise_id == enterprise_id).order_by(
        Vacancy.id.desc())
    return paginate(s, stmt, page, per_page, vacancy_card)


def enterprise_staff(s: Session, enterprise_id: int, page: int, per_page: int) -> ListPage:
    """An enterprise's declared surplus employees."""
    stmt = select(SurplusEmployee).where(
        SurplusEmployee.enterprise_id == enterprise_id).order_by(SurplusEmployee.id)
    return paginate(s, stmt, page, per_page, lambda e: asdict(employee_view(e)))


def enterprise_requests(s: Session, enterprise_id: int, page: int, per_page: int) -> ListPage:
    """An enterprise's borrowing requests, newest first."""
    stmt = select(BorrowingRequest).where(
        BorrowingRequest.enterprise_id == enterprise_id).order_by(BorrowingRequest.id.desc())
    return paginate(s, stmt, page, per_page, request_dict)


def request_dict(r: BorrowingRequest) -> dict[str, Any]:
    """A borrowing request as plain values."""
    return {"id": r.id, "external_id": r.external_id, "title": r.title,
            "skills": list(r.skills or []), "headcount": r.headcount,
            "start_date": r.start_date, "end_date": r.end_date, "site": r.site,
            "district": r.district, "status": str(r.status)}


def enterprise_agreements(s: Session, enterprise_id: int, page: int, per_page: int) -> ListPage:
    """Agreements where the enterprise lends or borrows."""
    stmt = select(Agreement).where(
        (Agreement.lender_id == enterprise_id) | (Agreement.borrower_id == enterprise_id)
    ).order_by(Agreement.id.desc())
    return paginate(s, stmt, page, per_page, lambda a: asdict(agreement_view(a)))


def agency_recommendations(s: Session, agency_id: int, page: int, per_page: int) -> ListPage:
    """An agency's recommendations, newest first."""
    stmt = select(Recommendation).where(Recommendation.agency_id == agency_id).order_by(
        Recommendation.id.desc())
    return paginate(s, stmt, page, per_page, lambda r: asdict(RecommendationView.of(r)))


def agency_placements(s: Session, agency_id: int, page: int, per_page: int) -> ListPage:
    """Placements attributed to an agency."""
    stmt = select(Placement).where(Placement.agency_id == agency_id).order_by(
        Placement.id.desc())
    return paginate(s, stmt, page, per_page, lambda p: asdict(PlacementView.of(p)))


def claims(s: Session, page: int, per_page: int, *, agency_id: int | None = None,
           status: ClaimStatus | None = None) -> ListPage:
    """Subsidy claims of one agency or all (admins), optionally in one status."""
    stmt = select(SubsidyClaim).order_by(SubsidyClaim.id.desc())
    if agency_id is not None:
        stmt = stmt.where(SubsidyClaim.agency_id == agency_id)
    if status is not None:
        stmt = stmt.where(SubsidyClaim.status == status)
    return paginate(s, stmt, page, per_page, lambda c: asdict(ClaimView.of(c)))


def audit_log(s: Session, page: int, per_page: int, *, entity: str | None = None,
              entity_id: str | None = None) -> ListPage:
    """Audit entries, newest first, optionally for one entity."""
    stmt = select(AuditLog).order_by(AuditLog.id.desc())
    if entity:
        stmt = stmt.where(AuditLog.entity == entity)
    if entity_id:
        stmt = stmt.where(AuditLog.entity_id == entity_id)
    return paginate(s, stmt, page, per_page, lambda a: {
        "id": a.id, "at": a.at, "actor": a.actor, "action": a.action, "entity": a.entity,
        "entity_id": a.entity_id, "data": a.data})


def get_request(s: Session, request_id: int) -> dict[str, Any]:
    """One borrowing request as plain values."""
    r = s.get(BorrowingRequest, request_id)
    assert r is not None, request_id
    return request_dict(r)
