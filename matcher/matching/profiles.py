"""Plain snapshots of the two sides of a match, read from the database with Core selects.

A :class:`VacancyProfile` or :class:`PersonProfile` holds exactly what the constraints, the
ranking and the embedded text need; people are job seekers and surplus (lendable) employees,
told apart by ``kind``. The people index keys a surplus employee as ``SURPLUS_OFFSET + id``.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cache
from typing import Any, Literal

from sqlalchemy import and_, bindparam, exists, select
from sqlalchemy.orm import Session

from matcher.enums import KeyTier, PersonStatus, Urgency, VacancyStatus
from matcher.geo import DEFAULT_CITY
from matcher.models import AgreementEmployee, Enterprise, JobSeeker, SurplusEmployee, Vacancy

PersonKind = Literal["seeker", "surplus"]
SURPLUS_OFFSET = 1 << 40
_CHUNK = 900  # ids per IN (...) list: under every backend's bound-parameter limit


def person_key(kind: PersonKind, person_id: int) -> int:
    """The people-index key of a seeker (its id) or surplus employee (offset id)."""
    return person_id + SURPLUS_OFFSET if kind == "surplus" else person_id


def split_person_key(key: int) -> tuple[PersonKind, int]:
    """Inverse of :func:`person_key`."""
    return ("surplus", key - SURPLUS_OFFSET) if key >= SURPLUS_OFFSET else ("seeker", key)


@dataclass(frozen=True)
class VacancyProfile:
    """What matching knows about a vacancy (and its enterprise)."""

    id: int | None
    external_id: str
    title: str
    description: str = ""
    required_skills: tuple[str, ...] = ()
    preferred_skills: tuple[str, ...] = ()
    enterprise_id: int | None = None
    enterprise: str = ""
    key_tier: KeyTier = KeyTier.NONE
    city: str = DEFAULT_CITY
    district: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    status: VacancyStatus = VacancyStatus.OPEN
    headcount: int = 1
    filled: int = 0
    accepts_borrowed: bool = False
    borrow_from: date | None = None
    borrow_to: date | None = None
    start_date: date | None = None
    urgency: Urgency = Urgency.NORMAL
    posted_on: date | None = None

    @property
    def is_open(self) -> bool:
        """Open with headcount left (the index holds exactly these)."""
        return self.status == VacancyStatus.OPEN and self.filled < self.headcount


@dataclass(frozen=True)
class PersonProfile:
    """What matching knows about a job seeker or a surplus employee."""

    kind: PersonKind
    id: int | None
    external_id: str
    name: str | None = None
    desired_positions: tuple[str, ...] = ()
    skills: tuple[str, ...] = ()
    experience: str = ""
    district: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    travel_km: float | None = None
    city: str = DEFAULT_CITY
    available_from: date | None = None
    available_to: date | None = None
    active: bool = True
    consent: bool = True
    enterprise_id: int | None = None  # surplus: the lending employer
    enterprise: str = ""
    lent: bool = False  # surplus: already on an active agreement
    categories: tuple[str, ...] = field(default=())

    @property
    def key(self) -> int:
        """The people-index key."""
        assert self.id is not None
        return person_key(self.kind, self.id)

    @property
    def in_index(self) -> bool:
        """Active and consenting (the people index holds exactly these)."""
        return self.active and self.consent


def _chunks(ids: Sequence[int]) -> Iterator[Sequence[int]]:
    for i in range(0, len(ids), _CHUNK):
        yield ids[i : i + _CHUNK]


def _day(value: datetime | date | None) -> date | None:
    return value.date() if isinstance(value, datetime) else value


_VACANCY_COLS = (
    Vacancy.id, Vacancy.external_id, Vacancy.title, Vacancy.description, Vacancy.required_skills,
    Vacancy.preferred_skills, Vacancy.enterprise_id, Enterprise.name, Enterprise.key_tier,
    Enterprise.city, Vacancy.district, Vacancy.latitude, Vacancy.longitude, Vacancy.status,
    Vacancy.headcount, Vacancy.filled, Vacancy.accepts_borrowed, Vacancy.borrow_from,
    Vacancy.borrow_to, Vacancy.start_date, Vacancy.urgency, Vacancy.created_at,
)


def _vacancy(row: Any) -> VacancyProfile:
    (vid, ext, title, desc, req, pref, ent_id, ent, tier, city, district, lat, lon, status,
     headcount, filled, borrowed, b_from, b_to, start, urgency, created) = row
    return VacancyProfile(
        id=vid, external_id=ext, title=title, description=desc or "",
        required_skills=tuple(req or ()), preferred_skills=tuple(pref or ()),
        enterprise_id=ent_id, enterprise=ent, key_tier=KeyTier(tier), city=city or DEFAULT_CITY,
        district=district, latitude=lat, longitude=lon, status=VacancyStatus(status),
        headcount=headcount, filled=filled, accepts_borrowed=bool(borrowed),
        borrow_from=b_from, borrow_to=b_to, start_date=start, urgency=Urgency(urgency),
        posted_on=_day(created),
    )


def vacancy_open_clause() -> Any:
    """SQL condition for vacancies the index holds."""
    return and_(Vacancy.status == VacancyStatus.OPEN, Vacancy.filled < Vacancy.headcount)


@cache
def _vacancy_select(open_only: bool, by_id: bool = False) -> Any:
    """The profile select, built once (statements are immutable; building one per call cost
    more than running it for a page of ids)."""
    stmt = select(*_VACANCY_COLS).join(Enterprise, Enterprise.id == Vacancy.enterprise_id)
    if open_only:
        stmt = stmt.where(vacancy_open_clause())
    if by_id:
        stmt = stmt.where(Vacancy.id.in_(bindparam("ids", expanding=True)))
    return stmt


def load_vacancies(
    session: Session, ids: Iterable[int] | None = None, *, open_only: bool = False
) -> list[VacancyProfile]:
    """Vacancy profiles by id (all when ``ids`` is None), in id order."""
    base = _vacancy_select(open_only)
    if ids is None:
        return [_vacancy(r) for r in session.execute(base.order_by(Vacancy.id))]
    wanted = sorted(set(ids))
    stmt = _vacancy_select(open_only, by_id=True)
    out = [_vacancy(r) for part in _chunks(wanted)
           for r in session.execute(stmt, {"ids": list(part)})]
    return sorted(out, key=lambda p: p.id or 0)


_SEEKER_COLS = (
    JobSeeker.id, JobSeeker.external_id, JobSeeker.name, JobSeeker.desired_positions,
    JobSeeker.skills, JobSeeker.experience, JobSeeker.district, JobSeeker.latitude,
    JobSeeker.longitude, JobSeeker.travel_km, JobSeeker.available_from, JobSeeker.available_to,
    JobSeeker.status, JobSeeker.consent_matching, JobSeeker.categories,
)


def _seeker(row: Any) -> PersonProfile:
    (pid, ext, name, desired, skills, exp, district, lat, lon, travel, a_from, a_to, status,
     consent, cats) = row
    return PersonProfile(
        kind="seeker", id=pid, external_id=ext, name=name, desired_positions=tuple(desired or ()),
        skills=tuple(skills or ()), experience=exp or "", district=district, latitude=lat,
        longitude=lon, travel_km=travel, available_from=a_from, available_to=a_to,
        active=status == PersonStatus.ACTIVE, consent=bool(consent), categories=tuple(cats or ()),
    )


def _lent_clause() -> Any:
    return exists().where(
        AgreementEmployee.employee_id == SurplusEmployee.id, AgreementEmployee.is_active.is_(True)
    )


_SURPLUS_COLS = (
    SurplusEmployee.id, SurplusEmployee.external_id, SurplusEmployee.name, SurplusEmployee.skills,
    SurplusEmployee.experience, SurplusEmployee.district, SurplusEmployee.latitude,
    SurplusEmployee.longitude, SurplusEmployee.available_from, SurplusEmployee.available_to,
    SurplusEmployee.status, SurplusEmployee.consent, SurplusEmployee.enterprise_id,
    Enterprise.name, Enterprise.city,
)


def _surplus(row: Any) -> PersonProfile:
    (pid, ext, name, skills, exp, district, lat, lon, a_from, a_to, status, consent, ent_id,
     ent, city, lent) = row
    return PersonProfile(
        kind="surplus", id=pid, external_id=ext, name=name, skills=tuple(skills or ()),
        experience=exp or "", district=district, latitude=lat, longitude=lon,
        city=city or DEFAULT_CITY, available_from=a_from, available_to=a_to,
        active=status == PersonStatus.ACTIVE, consent=bool(consent), enterprise_id=ent_id,
        enterprise=ent, lent=bool(lent),
    )


@cache
def _people_selects(indexed_only: bool, by_id: bool) -> tuple[Any, Any]:
    """The seeker and surplus profile selects, built once."""
    seekers = select(*_SEEKER_COLS)
    surplus = select(*_SURPLUS_COLS, _lent_clause().label("lent")).join(
        Enterprise, Enterprise.id == SurplusEmployee.enterprise_id
    )
    if indexed_only:
        seekers = seekers.where(
            JobSeeker.status == PersonStatus.ACTIVE, JobSeeker.consent_matching.is_(True)
        )
        surplus = surplus.where(
            SurplusEmployee.status == PersonStatus.ACTIVE, SurplusEmployee.consent.is_(True)
        )
    if by_id:
        seekers = seekers.where(JobSeeker.id.in_(bindparam("ids", expanding=True)))
        surplus = surplus.where(SurplusEmployee.id.in_(bindparam("ids", expanding=True)))
    return seekers, surplus


def load_people(
    session: Session, keys: Iterable[int] | None = None, *, indexed_only: bool = False
) -> list[PersonProfile]:
    """People profiles by people-index key (all when ``keys`` is None), in key order."""
    seekers, surplus = _people_selects(indexed_only, by_id=keys is not None)
    if keys is None:
        out = [_seeker(r) for r in session.execute(seekers)]
        out += [_surplus(r) for r in session.execute(surplus)]
    else:
        split = [split_person_key(k) for k in set(keys)]
        s_ids = sorted(i for kind, i in split if kind == "seeker")
        e_ids = sorted(i for kind, i in split if kind == "surplus")
        out = [_seeker(r) for part in _chunks(s_ids)
               for r in session.execute(seekers, {"ids": list(part)})]
        out += [_surplus(r) for part in _chunks(e_ids)
                for r in session.execute(surplus, {"ids": list(part)})]
    return sorted(out, key=lambda p: p.key)
