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

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from matcher.accounts import permissions as perm
from matcher.action import query
from matcher.enums import EmploymentType, Role, VacancyStatus
from matcher.errors import NotFound
from matcher.models import Vacancy
from matcher.principal import Principal
from matcher.recommend.service import Candidate, candidates_for_vacancy
from matcher.runtime import Runtime, Work
from matcher.vacancies import search
from matcher.words import msg

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


def last_page(page: int, total: int, per_page: int) -> int:
    """``page`` kept within 1..the last page (``/?page=999`` shows the last page)."""
    return min(max(page, 1), max(1, -(-total // per_page)))


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


@dataclass(frozen=True)
class FoundVacancy(VacancyCard):
    """A search result: the card, its relevance (0..1, with search words) and why it matched."""

    relevance: float | None = None
    match_reasons: tuple[search.MatchReason, ...] = ()


@dataclass(frozen=True)
class Relaxation:
    """A filter of an empty search and how many results there are without it."""

    drop: str  # q | district | employment_type | key_only
    value: str
    total: int


@dataclass(frozen=True)
class SearchPage(Page):
    """A page of search results; when it is empty, the filters worth dropping."""

    sort: str = "relevance"
    corrected: str | None = None  # the words as read after correcting a typo
    relax: tuple[Relaxation, ...] = ()


def search_vacancies(
    session: Session, *, words: str = "", district: str | None = None,
    employment_type: EmploymentType | None = None, page: int = 1, per_page: int = 20,
    sort: str = "relevance", key_only: bool = False, rt: Runtime | None = None,
) -> SearchPage:
    """Open vacancies matching ``words`` by keyword, typo-corrected keyword, skill or
    meaning (:mod:`matcher.vacancies.search`; meaning needs ``rt`` with its encoder loaded,
    see :func:`~matcher.vacancies.search.warm`), filtered, sorted by relevance (without
    words: key enterprises first, then the newest), newest or wage.

    Words are never SQL patterns (% and _ are ordinary characters)."""
    page = max(page, 1)
    per_page = min(max(per_page, 1), MAX_PER_PAGE)
    sort = sort if sort in search.SORTS else "relevance"
    meaning = rt is not None and bool(words.strip()) and search.warm(rt)
    if meaning:
        search.prepare(rt)  # before this session's first read
    filters: dict[str, Any] = {"words": words, "district": district,
                               "employment_type": employment_type, "key_only": key_only}
    ranked = search.rank(session, rt if meaning else None, sort=sort, **filters)
    page = last_page(page, len(ranked.ids), per_page)
    shown = ranked.ids[(page - 1) * per_page:page * per_page]
    rows = {v.id: v for v in session.scalars(select(Vacancy).where(Vacancy.id.in_(shown)))}
    why = ranked.reasons(shown)
    items = [FoundVacancy(**vars(_card(rows[i])), relevance=ranked.relevance.get(i),
                          match_reasons=why.get(i, ())) for i in shown if i in rows]
    relax: list[Relaxation] = []
    if not ranked.ids:
        for name, value in filters.items():
            if value:
                total = len(search.rank(session, rt if meaning else None, sort=sort,
                                        **{**filters, name: "" if name == "words" else None}).ids)
                label = value.value if isinstance(value, EmploymentType) else str(value)
                relax.append(Relaxation("q" if name == "words" else name, label, total))
    return SearchPage(items, page, per_page, len(ranked.ids), sort=sort,
                      corrected=ranked.corrected, relax=tuple(relax))


def get_vacancy(session: Session, vacancy_id: int) -> VacancyCard:
    """One vacancy by id (any status), or NotFound."""
    v = session.get(Vacancy, vacancy_id)
    if v is None:
        raise NotFound(msg("No vacancy %(id)s.", id=vacancy_id))
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
    """Run ``stmt`` for one page (past the end: the last); ``convert`` makes plain values."""
    per_page = min(max(per_page, 1), MAX_PER_PAGE)
    total = s.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0
    page = last_page(page, total, per_page)
    rows = s.scalars(stmt.offset((page - 1) * per_page).limit(per_page)).unique()
    return Page([convert(r) for r in rows], page, per_page, total)


def slice_page(items: Sequence[T], page: int, per_page: int) -> Page:
    """Paginate an already computed list (a page past the end is the last page)."""
    per_page = min(max(per_page, 1), MAX_PER_PAGE)
    page = last_page(page, len(items), per_page)
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
