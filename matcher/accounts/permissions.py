"""Who may touch what: role checks and object ownership, in one place.

Wrong role -> :class:`Forbidden` (403). An object that exists but belongs to someone else
-> :class:`NotFound` (404), exactly as if it did not exist, so ids of others do not leak.
The system principal (CLI, jobs) is an administrator and owns nothing but may act on all.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy.orm import Session

from matcher.enums import Role
from matcher.errors import Forbidden, NotFound
from matcher.models import Agreement, BorrowingRequest, SurplusEmployee, Vacancy
from matcher.models.subsidy import Recommendation, SubsidyClaim
from matcher.principal import Principal, require_role
from matcher.words import N_, msg, word, words

#: the kinds of record named in "No %(kind)s %(id)s." (translated where shown)
KIND_WORDS = (N_("vacancy"), N_("agreement"), N_("borrowing request"), N_("claim"),
              N_("employee"), N_("recommendation"))


def _hidden(kind: str, obj_id: int) -> NotFound:
    return NotFound(msg("No %(kind)s %(id)s.", kind=word(kind), id=obj_id))


def _owned(p: Principal, role: Role, obj: object, owner: int | None, kind: str,
           obj_id: int) -> None:
    """Not found unless ``obj`` exists and (for a non-system caller) ``owner`` is theirs."""
    if p.is_system:
        if obj is None:
            raise _hidden(kind, obj_id)
        return
    require_role(p, role)
    mine = p.enterprise_id if role == Role.ENTERPRISE else p.agency_id
    if obj is None or owner != mine:
        raise _hidden(kind, obj_id)


def own_vacancy(s: Session, p: Principal, vacancy_id: int) -> None:
    """The vacancy belongs to the caller's enterprise."""
    v = s.get(Vacancy, vacancy_id)
    _owned(p, Role.ENTERPRISE, v, v.enterprise_id if v else None, "vacancy", vacancy_id)


def own_employee(s: Session, p: Principal, employee_id: int) -> None:
    """The surplus employee belongs to the caller's enterprise."""
    e = s.get(SurplusEmployee, employee_id)
    _owned(p, Role.ENTERPRISE, e, e.enterprise_id if e else None, "employee", employee_id)


def own_request(s: Session, p: Principal, request_id: int) -> None:
    """The borrowing request belongs to the caller's enterprise."""
    r = s.get(BorrowingRequest, request_id)
    _owned(p, Role.ENTERPRISE, r, r.enterprise_id if r else None, "borrowing request", request_id)


def agreement_party(s: Session, p: Principal, agreement_id: int,
                    parties: Iterable[str] = ("lender", "borrower")) -> str:
    """The caller's side (``lender``/``borrower``) of the agreement; others get 404/403.

    The system principal is no party: it gets the first of ``parties`` (the CLI names the
    side it acts for and passes it as ``parties``).
    """
    a = s.get(Agreement, agreement_id)
    if p.is_system:
        if a is None:
            raise _hidden("agreement", agreement_id)
        return next(iter(parties))
    require_role(p, Role.ENTERPRISE)
    if a is None or p.enterprise_id not in (a.lender_id, a.borrower_id):
        raise _hidden("agreement", agreement_id)
    side = "lender" if a.lender_id == p.enterprise_id else "borrower"
    if side not in set(parties):
        raise Forbidden(msg("Only the %(party)s may do this.", party=words(parties, " / ")),
                        code="wrong_party")
    return side


def own_recommendation(s: Session, p: Principal, recommendation_id: int) -> None:
    """The recommendation was made by the caller's agency."""
    r = s.get(Recommendation, recommendation_id)
    _owned(p, Role.AGENCY, r, r.agency_id if r else None, "recommendation", recommendation_id)


def own_claim(s: Session, p: Principal, claim_id: int) -> None:
    """The claim was made by the caller's agency (admins see every claim)."""
    if p.role == Role.ADMIN and not p.is_system:
        return
    c = s.get(SubsidyClaim, claim_id)
    _owned(p, Role.AGENCY, c, c.agency_id if c else None, "claim", claim_id)

__all__ = ["Principal", "agreement_party", "own_claim", "own_employee", "own_recommendation",
           "own_request", "own_vacancy", "require_role"]
