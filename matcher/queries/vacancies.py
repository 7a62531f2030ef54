"""Browsing open vacancies: word search, district and employment-type filters, pagination."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import case, func, or_, select
from sqlalchemy.orm import Session

from matcher.enums import EmploymentType, KeyTier, VacancyStatus
from matcher.errors import NotFound
from matcher.models import Enterprise, Vacancy

MAX_PER_PAGE = 100


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

    items: list[VacancyCard]
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
        pattern = f"%{word.lower()}%"
        stmt = stmt.where(or_(
            func.lower(Vacancy.title).like(pattern),
            func.lower(Vacancy.description).like(pattern),
            func.lower(Enterprise.name).like(pattern),
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
