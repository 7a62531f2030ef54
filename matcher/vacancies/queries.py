"""Reading vacancies: the public search (words, district, employment type), one vacancy,
the districts list; and, for an enterprise, its own vacancies and their candidates.

The public reads take a session (no login); the enterprise's take the unit of work and the
principal and check ownership themselves (another enterprise's vacancy is 404).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, TypeVar

from sqlalchemy import Select, case, func, or_, select
from sqlalchemy.orm import Session

from matcher.accounts import permissions as perm
from matcher.action import query
from matcher.enums import EmploymentType, KeyTier, Role, VacancyStatus
from matcher.errors import NotFound
from matcher.models import Enterprise, Vacancy
from matcher.principal import Principal
from matcher.recommend.service import Candidate, candidates_for_vacancy
from matcher.runtime import Work

MAX_PER_PAGE = 100
T = TypeVar("T")


@dataclass(frozen=True)
class VacancyCard:
    """What a listing shows of one vacancy."""

    id: int
    external_id: str
    title: str
    enterprise: str
    enterprise_id: int
    district: str | None
    employment_type: str
    wage_min: int | None
    wage_max: int | None
    headcount: int
    remaining: int
    key_tier: str
    urgency: str
    status: str
    start_date: date | None
    required_skills: list[str] = field(default_factory=list)
    preferred_skills: list[str] = field(default_factory=list)
    description: str = ""
    shift: str | None = None
    accepts_borrowed: bool = False


@dataclass(frozen=True)
class Page:
    """One page of results with the total count."""

    items: list[Any]
    page: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        """Number of pages (at least 1)."""
        return max(1, -(-self.total // self.per_page))


def _card(v: Vacancy) -> VacancyCard:
    return VacancyCard(
        id=v.id, external_id=v.external_id, title=v.title, enterprise=v.enterprise.name,
        enterprise_id=v.enterprise_id, district=v.district,
        employment_type=str(v.employment_type), wage_min=v.wage_min, wage_max=v.wage_max,
        headcount=v.headcount, remaining=v.remaining, key_tier=str(v.enterprise.key_tier),
        urgency=str(v.urgency), status=str(v.status), start_date=v.start_date,
        required_skills=list(v.required_skills or []),
        preferred_skills=list(v.preferred_skills or []), description=v.description,
        shift=v.shift, accepts_borrowed=v.accepts_borrowed,
    )


def search_vacancies(
    session: Session, *, words: str = "", district: str | None = None,
    employment_type: EmploymentType | None = None, page: int = 1, per_page: int = 20,
) -> Page:
    """Open vacancies matching all ``words`` (title, description, enterprise).

    Key enterprises' vacancies are listed first, then the newest; the recommendation
    engine (not this browse list) is where tier priority is capped.
    """
    page = max(page, 1)
    per_page = min(max(per_page, 1), MAX_PER_PAGE)
    stmt = (
        select(Vacancy)
        .join(Enterprise, Vacancy.enterprise_id == Enterprise.id)
        .where(Vacancy.status == VacancyStatus.OPEN, Vacancy.filled < Vacancy.headcount)
    )
    for word in words.split():
        word = word.lower()  # % and _ are literal characters, not wildcards
        stmt = stmt.where(or_(
            func.lower(Vacancy.title).contains(word, autoescape=True),
            func.lower(Vacancy.description).contains(word, autoescape=True),
            func.lower(Enterprise.name).contains(word, autoescape=True),
        ))
    if district:
        stmt = stmt.where(Vacancy.district == district)
    if employment_type:
        stmt = stmt.where(Vacancy.employment_type == employment_type)
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    tier_order = case((Enterprise.key_tier == KeyTier.NONE, 1), else_=0)
    rows = session.scalars(
        stmt.order_by(tier_order, Vacancy.id.desc()).offset((page - 1) * per_page).limit(per_page)
    )
    return Page([_card(v) for v in rows], page, per_page, total)


def get_vacancy(session: Session, vacancy_id: int) -> VacancyCard:
    """One vacancy by id (any status), or NotFound."""
    v = session.get(Vacancy, vacancy_id)
    if v is None:
        raise NotFound(f"vacancy {vacancy_id} not found")
    return _card(v)


def districts(session: Session) -> list[str]:
    """Districts that have open vacancies, sorted."""
    rows = session.scalars(
        select(Vacancy.district).where(Vacancy.status == VacancyStatus.OPEN,
                                       Vacancy.district.is_not(None)).distinct()
    )
    return sorted(d for d in rows if d)


def paginate(s: Session, stmt: Select[Any], page: int, per_page: int,
             convert: Callable[[Any], T]) -> Page:
    """Run ``stmt`` for one page; ``convert`` turns each row into a plain value."""
    page, per_page = max(page, 1), min(max(per_page, 1), MAX_PER_PAGE)
    total = s.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0
    rows = s.scalars(stmt.offset((page - 1) * per_page).limit(per_page)).unique()
    return Page([convert(r) for r in rows], page, per_page, total)


def slice_page(items: Sequence[T], page: int, per_page: int) -> Page:
    """Paginate an already computed list."""
    page, per_page = max(page, 1), min(max(per_page, 1), MAX_PER_PAGE)
    start = (page - 1) * per_page
    return Page(list(items[start:start + per_page]), page, per_page, len(items))


def _eid(actor: Principal) -> int:
    assert actor.enterprise_id is not None  # the role check refuses unlinked users
    return actor.enterprise_id


@dataclass(frozen=True)
class CandidatesView:
    """An own vacancy with one page of its ranked, explained candidates."""

    vacancy: VacancyCard
    page: Page


@query(Role.ENTERPRISE, system=False)
def own_vacancies(uow: Work, actor: Principal, page: int = 1, per_page: int = 20) -> Page:
    """The caller's enterprise's vacancies, every status, newest first."""
    stmt = select(Vacancy).where(Vacancy.enterprise_id == _eid(actor)).order_by(
        Vacancy.id.desc())
    return paginate(uow.s, stmt, page, per_page, _card)


@query(Role.ENTERPRISE)
def own_vacancy(uow: Work, actor: Principal, vacancy_id: int) -> VacancyCard:
    """One of the caller's enterprise's vacancies (any status)."""
    perm.own_vacancy(uow.s, actor, vacancy_id)
    return get_vacancy(uow.s, vacancy_id)


@query(Role.ENTERPRISE)
def vacancy_candidates(uow: Work, actor: Principal, vacancy_id: int, page: int = 1,
                       per_page: int = 20) -> CandidatesView:
    """Job seekers and other enterprises' lendable staff for an own vacancy, best first."""
    perm.own_vacancy(uow.s, actor, vacancy_id)
    card = get_vacancy(uow.s, vacancy_id)
    # the ranking reads in transactions of its own: end this one first (SQLite lets one
    # transaction at a time hold the database, and every transaction there takes it)
    uow.s.rollback()
    found: list[Candidate] = candidates_for_vacancy(uow.rt, vacancy_id, k=page * per_page)
    return CandidatesView(card, slice_page(found, page, per_page))
