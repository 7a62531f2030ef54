"""Builders of valid sample rows (enterprise, agency, seeker, vacancy) for the tests.

Each ``add_*`` builder adds one row in the caller's session, flushes, and returns its id;
unique fields come from a counter so many can be built in one database. ``placed_world``
goes through the real services (recommend, hire).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy.orm import Session

from matcher.db import UnitOfWork
from matcher.enums import KeyTier, SizeClass
from matcher.models import Enterprise, HRAgency, JobSeeker, Vacancy
from matcher.pii import PiiCipher, mask_id_number
from matcher.runtime import Runtime
from matcher.subsidy.actors import Actor
from matcher.subsidy.placements import HireRequest, hire
from matcher.subsidy.recommendations import recommend
from matcher.validators import make_credit_code, make_id_number

_serial = itertools.count(1)


@contextmanager
def committing(rt: Runtime) -> Iterator[UnitOfWork]:
    """A unit of work that commits when its block ends without an exception."""
    with rt.uow() as uow:
        yield uow
        uow.commit()


def _next() -> int:
    return next(_serial)


def add_enterprise(s: Session, *, size: SizeClass = SizeClass.SMALL,
                   key_tier: KeyTier = KeyTier.NONE, city: str = "北京市", **kw: Any) -> int:
    """A Beijing enterprise with a valid credit code."""
    n = _next()
    ent = Enterprise(external_id=f"ent-{n}", name=kw.pop("name", f"测试企业{n}"),
                     credit_code=make_credit_code("110105", n), city=city, size_class=size,
                     key_tier=key_tier, **kw)
    s.add(ent)
    s.flush()
    return ent.id


def add_agency(s: Session, **kw: Any) -> int:
    """An HR service agency."""
    n = _next()
    agency = HRAgency(external_id=f"agency-{n}", name=kw.pop("name", f"人力资源服务机构{n}"),
                      credit_code=make_credit_code("110108", 500000 + n), **kw)
    s.add(agency)
    s.flush()
    return agency.id


def add_seeker(s: Session, cipher: PiiCipher, *, categories: tuple[str, ...] = ("graduate",),
               graduation_year: int | None = 2024, consent_agencies: bool = True,
               **kw: Any) -> int:
    """A job seeker with an encrypted, valid ID number."""
    n = _next()
    id_number = make_id_number("110101", date(2001, 1, 1), n % 1000)
    seeker = JobSeeker(
        external_id=f"seeker-{n}", name=kw.pop("name", f"求职者{n}"),
        id_number_enc=cipher.encrypt(id_number), id_number_hash=cipher.digest(f"{id_number}-{n}"),
        id_number_masked=mask_id_number(id_number), categories=list(categories),
        graduation_year=graduation_year, consent_share_with_agencies=consent_agencies, **kw,
    )
    s.add(seeker)
    s.flush()
    return seeker.id


def add_vacancy(s: Session, enterprise_id: int, *, headcount: int = 1, **kw: Any) -> int:
    """An open long-term vacancy."""
    n = _next()
    vacancy = Vacancy(external_id=f"vac-{n}", enterprise_id=enterprise_id,
                      title=kw.pop("title", f"岗位{n}"), headcount=headcount, **kw)
    s.add(vacancy)
    s.flush()
    return vacancy.id


@dataclass(frozen=True)
class PlacedWorld:
    """Ids of an enterprise, an agency, a vacancy and the seekers it placed there."""

    enterprise_id: int
    agency_id: int
    vacancy_id: int
    seeker_ids: list[int]
    placement_ids: list[int]


def placed_world(rt: Runtime, n: int = 1, *, key_tier: KeyTier = KeyTier.NONE,
                 size: SizeClass = SizeClass.SMALL, city: str = "北京市",
                 categories: tuple[str, ...] = ("graduate",), graduation_year: int | None = 2024,
                 hired_on: date = date(2024, 3, 1), contract_months: int = 24,
                 social_insurance_months: int = 1, agency_charged: bool = False) -> PlacedWorld:
    """``n`` seekers recommended by one agency and hired through the services."""
    with rt.uow() as uow:
        ent = add_enterprise(uow.s, size=size, key_tier=key_tier, city=city)
        agency = add_agency(uow.s)
        vacancy = add_vacancy(uow.s, ent, headcount=n)
        seekers = [add_seeker(uow.s, rt.cipher, categories=categories,
                              graduation_year=graduation_year) for _ in range(n)]
        uow.commit()
    staff, admin = Actor.agency("agency-staff", agency), Actor.admin("admin")
    before = datetime.combine(hired_on - timedelta(days=1), time(2), tzinfo=UTC)
    placements = []
    for seeker in seekers:
        with committing(rt) as uow:
            recommend(uow, agency_id=agency, seeker_id=seeker, vacancy_id=vacancy, actor=staff,
                      at=before)
        with committing(rt) as uow:
            placements.append(hire(rt, uow, HireRequest(
                seeker, vacancy, hired_on, hired_on, contract_months, social_insurance_months,
                agency_charged), actor=admin).id)
    return PlacedWorld(ent, agency, vacancy, seekers, placements)
