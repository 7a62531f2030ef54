"""Who may touch what: role checks and object ownership, in one place.

Wrong role -> :class:`Forbidden` (403). An object that exists but belongs to someone else
-> :class:`NotFound` (404), exactly as if it did not exist, so ids of others do not leak.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy.orm import Session

from matcher.enums import Role
from matcher.errors import Forbidden, NotFound
from matcher.models import Agreement, BorrowingRequest, SurplusEmployee, Vacancy
from matcher.models.subsidy import Recommendation, SubsidyClaim
from matcher.subsidy.actors import Actor


@dataclass(frozen=True)
class Principal:
    """The authenticated caller."""

    user_id: int
    email: str
    role: Role
    enterprise_id: int | None = None
    agency_id: int | None = None
    seeker_id: int | None = None

    @property
    def actor_name(self) -> str:
        """The name written to the audit log."""
        return f"user:{self.user_id}"

    def actor(self) -> Actor:
        """The subsidy services' view of this caller."""
        return Actor(name=self.actor_name, role=self.role, agency_id=self.agency_id,
                     enterprise_id=self.enterprise_id, seeker_id=self.seeker_id)


def require_role(p: Principal, *roles: Role) -> None:
    """Forbidden unless the caller has one of ``roles`` (and its link is set)."""
    if p.role not in roles:
        raise Forbidden(f"this needs the role {' or '.join(r.value for r in roles)}",
                        code="wrong_role")
    link = {Role.ENTERPRISE: p.enterprise_id, Role.AGENCY: p.agency_id,
            Role.SEEKER: p.seeker_id}.get(p.role, 0)
    if link is None:
        raise Forbidden("this user is not linked to its organisation", code="unlinked_user")


def _hidden(kind: str, obj_id: int) -> NotFound:
    return NotFound(f"no {kind} with id {obj_id}")


def own_vacancy(s: Session, p: Principal, vacancy_id: int) -> None:
    """The vacancy belongs to the caller's enterprise."""
    require_role(p, Role.ENTERPRISE)
    v = s.get(Vacancy, vacancy_id)
    if v is None or v.enterprise_id != p.enterprise_id:
        raise _hidden("vacancy", vacancy_id)


def own_employee(s: Session, p: Principal, employee_id: int) -> None:
    """The surplus employee belongs to the caller's enterprise."""
    require_role(p, Role.ENTERPRISE)
    e = s.get(SurplusEmployee, employee_id)
    if e is None or e.enterprise_id != p.enterprise_id:
        raise _hidden("employee", employee_id)


def own_request(s: Session, p: Principal, request_id: int) -> None:
    """The borrowing request belongs to the caller's enterprise."""
    require_role(p, Role.ENTERPRISE)
    r = s.get(BorrowingRequest, request_id)
    if r is None or r.enterprise_id != p.enterprise_id:
        raise _hidden("borrowing request", request_id)


def agreement_party(s: Session, p: Principal, agreement_id: int,
                    parties: Iterable[str] = ("lender", "borrower")) -> str:
    """The caller's side (``lender``/``borrower``) of the agreement; others get 404/403."""
    require_role(p, Role.ENTERPRISE)
    a = s.get(Agreement, agreement_id)
    if a is None or p.enterprise_id not in (a.lender_id, a.borrower_id):
        raise _hidden("agreement", agreement_id)
    side = "lender" if a.lender_id == p.enterprise_id else "borrower"
    if side not in set(parties):
        raise Forbidden(f"only the {' or '.join(parties)} may do this", code="wrong_party")
    return side


def own_recommendation(s: Session, p: Principal, recommendation_id: int) -> None:
    """The recommendation was made by the caller's agency."""
    require_role(p, Role.AGENCY)
    r = s.get(Recommendation, recommendation_id)
    if r is None or r.agency_id != p.agency_id:
        raise _hidden("recommendation", recommendation_id)


def own_claim(s: Session, p: Principal, claim_id: int) -> None:
    """The claim was made by the caller's agency (admins see every claim)."""
    if p.role == Role.ADMIN:
        return
    require_role(p, Role.AGENCY)
    c = s.get(SubsidyClaim, claim_id)
    if c is None or c.agency_id != p.agency_id:
        raise _hidden("claim", claim_id)
