"""Borrowing demand: requests to borrow staff, and vacancies that accept borrowed staff.

Services take the runtime and an open unit of work and flush; the caller commits. A
vacancy's borrowing settings reach the engine's vacancies index after the commit.
Both become a :class:`Demand` (skills, open headcount, period, site) for matching and
allocation. The open headcount is the declared headcount minus the employees already on a
live (proposed, accepted, signed or active) agreement for that request or vacancy.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from matcher import audit
from matcher.db import UnitOfWork
from matcher.enums import AgreementStatus, RequestStatus, VacancyStatus
from matcher.errors import NotFound, Refused, ValidationFailed
from matcher.index.hooks import vacancies_changed
from matcher.models import Agreement, AgreementEmployee, BorrowingRequest, Vacancy
from matcher.runtime import Runtime
from matcher.words import Msg, msg, word

LIVE = (AgreementStatus.PROPOSED, AgreementStatus.ACCEPTED, AgreementStatus.SIGNED,
        AgreementStatus.ACTIVE)


@dataclass(frozen=True)
class RequestInput:
    """What a borrowing enterprise posts."""

    title: str
    skills: tuple[str, ...]
    headcount: int
    start_date: date
    end_date: date
    site: str | None = None
    district: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    external_id: str | None = None
    vacancy_id: int | None = None


@dataclass(frozen=True)
class Demand:
    """A need for borrowed staff, from a borrowing request or a vacancy."""

    kind: str  # "request" or "vacancy"
    id: int
    enterprise_id: int
    enterprise_name: str
    key_tier: str
    title: str
    skills: tuple[str, ...]
    headcount: int  # still open
    start_date: date
    end_date: date
    site: str
    city: str = ""
    district: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    description: str = ""

    @property
    def key(self) -> str:
        """A stable identifier across kinds, e.g. ``request:7``."""
        return f"{self.kind}:{self.id}"

    @property
    def text(self) -> str:
        """The text embedded for semantic matching."""
        return " ".join([self.title, *self.skills, self.description]).strip()


def _taken(
    session: Session, column: InstrumentedAttribute[int | None], ids: list[int]
) -> dict[int, int]:
    """Employees on live agreements per request or vacancy id."""
    if not ids:
        return {}
    rows = session.execute(
        select(column, func.count(AgreementEmployee.id))
        .join(AgreementEmployee, AgreementEmployee.agreement_id == Agreement.id)
        .where(column.in_(ids), Agreement.status.in_(LIVE))
        .group_by(column)
    )
    return {key: count for key, count in rows if key is not None}


def _from_request(r: BorrowingRequest, taken: int) -> Demand:
    ent = r.enterprise
    return Demand(
        kind="request", id=r.id, enterprise_id=r.enterprise_id, enterprise_name=ent.name,
        key_tier=str(ent.key_tier), title=r.title, skills=tuple(r.skills or ()),
        headcount=max(r.headcount - taken, 0), start_date=r.start_date, end_date=r.end_date,
        site=r.site or "", city=ent.city, district=r.district, latitude=r.latitude,
        longitude=r.longitude,
    )


def _from_vacancy(v: Vacancy, taken: int) -> Demand:
    assert v.borrow_from is not None and v.borrow_to is not None
    return Demand(
        kind="vacancy", id=v.id, enterprise_id=v.enterprise_id, enterprise_name=v.enterprise.name,
        key_tier=str(v.enterprise.key_tier), title=v.title,
        skills=tuple([*(v.required_skills or ()), *(v.preferred_skills or ())]),
        headcount=max(v.remaining - taken, 0), start_date=v.borrow_from, end_date=v.borrow_to,
        site=v.district or "", city=v.enterprise.city, district=v.district,
        latitude=v.latitude, longitude=v.longitude,
        description=v.description or "",
    )


def _check_period(start: date, end: date, start_field: str, end_field: str) -> None:
    if start > end:
        raise ValidationFailed(
            msg("The period starts after it ends."),
            fields={end_field: [msg("Must be on or after the start date.")]},
        )


def post_request(
    rt: Runtime, uow: UnitOfWork, enterprise_id: int, data: RequestInput, *, actor: str
) -> Demand:
    """Post a borrowing request (skills, headcount, period, site)."""
    fields: dict[str, list[Msg]] = {}
    if not data.title.strip():
        fields["title"] = [msg("This field is required.")]
    if data.headcount < 1:
        fields["headcount"] = [msg("Must be at least 1.")]
    if any(not s.strip() for s in data.skills):
        fields["skills"] = [msg("A skill must not be empty.")]
    if data.start_date > data.end_date:
        fields["end_date"] = [msg("Must be on or after the start date.")]
    if fields:
        raise ValidationFailed(msg("Some details of the borrowing request are invalid."),
                               fields=dict(fields))
    if data.vacancy_id is not None:
        vacancy = uow.s.get(Vacancy, data.vacancy_id)
        if vacancy is None or vacancy.enterprise_id != enterprise_id:
            raise NotFound(msg("No vacancy %(id)s.", id=data.vacancy_id))
    req = BorrowingRequest(
        enterprise_id=enterprise_id, external_id=data.external_id, vacancy_id=data.vacancy_id,
        title=data.title.strip(), skills=[s.strip() for s in data.skills],
        headcount=data.headcount, start_date=data.start_date, end_date=data.end_date,
        site=data.site, district=data.district, latitude=data.latitude,
        longitude=data.longitude,
    )
    uow.s.add(req)
    uow.s.flush()
    audit.record(uow.s, actor, "borrowing_request.posted", "borrowing_request", req.id,
                 {"enterprise_id": enterprise_id, "headcount": data.headcount})
    return get_demand(uow.s, "request", req.id)


def close_request(
    rt: Runtime, uow: UnitOfWork, request_id: int, *, actor: str, filled: bool = False
) -> None:
    """Close a request (``filled`` when its headcount was met)."""
    req = uow.s.get(BorrowingRequest, request_id)
    if req is None:
        raise NotFound(msg("No borrowing request %(id)s.", id=request_id))
    if req.status != RequestStatus.OPEN:
        raise Refused(msg("Borrowing request %(id)s is already %(status)s.", id=request_id,
                          status=word(str(req.status))), code="request_closed")
    req.status = RequestStatus.FILLED if filled else RequestStatus.CLOSED
    uow.s.flush()
    audit.record(uow.s, actor, f"borrowing_request.{req.status}", "borrowing_request", req.id)


def accept_borrowed(
    rt: Runtime, uow: UnitOfWork, vacancy_id: int, borrow_from: date, borrow_to: date, *, actor: str
) -> Demand:
    """Let a vacancy accept borrowed staff for ``borrow_from``..``borrow_to``."""
    _check_period(borrow_from, borrow_to, "borrow_from", "borrow_to")
    vacancy = uow.s.get(Vacancy, vacancy_id)
    if vacancy is None:
        raise NotFound(msg("No vacancy %(id)s.", id=vacancy_id))
    vacancy.accepts_borrowed = True
    vacancy.borrow_from, vacancy.borrow_to = borrow_from, borrow_to
    uow.s.flush()
    audit.record(uow.s, actor, "vacancy.accepts_borrowed", "vacancy", vacancy.id,
                 {"borrow_from": borrow_from.isoformat(), "borrow_to": borrow_to.isoformat()})
    vacancies_changed(rt, uow, [vacancy.id])
    return get_demand(uow.s, "vacancy", vacancy.id)


def stop_accepting_borrowed(rt: Runtime, uow: UnitOfWork, vacancy_id: int, *, actor: str) -> None:
    """The vacancy no longer accepts borrowed staff."""
    vacancy = uow.s.get(Vacancy, vacancy_id)
    if vacancy is None:
        raise NotFound(msg("No vacancy %(id)s.", id=vacancy_id))
    vacancy.accepts_borrowed = False
    uow.s.flush()
    audit.record(uow.s, actor, "vacancy.stops_borrowed", "vacancy", vacancy.id)
    vacancies_changed(rt, uow, [vacancy.id])


def get_demand(session: Session, kind: str, demand_id: int) -> Demand:
    """One request (``kind="request"``) or borrowing vacancy (``"vacancy"``) as a Demand."""
    if kind == "request":
        req = session.get(BorrowingRequest, demand_id)
        if req is None:
            raise NotFound(msg("No borrowing request %(id)s.", id=demand_id))
        return _from_request(req, _taken(session, Agreement.request_id, [req.id]).get(req.id, 0))
    if kind == "vacancy":
        vac = session.get(Vacancy, demand_id)
        if vac is None or not vac.accepts_borrowed or not (vac.borrow_from and vac.borrow_to):
            raise NotFound(msg("Vacancy %(id)s does not accept borrowed staff.", id=demand_id))
        return _from_vacancy(vac, _taken(session, Agreement.vacancy_id, [vac.id]).get(vac.id, 0))
    raise ValidationFailed(msg("Unknown kind of demand."), fields={
        "kind": [msg("Choose a borrowing request or a vacancy.")]})


def open_demands(
    session: Session, day: date, *, exclude_enterprise: int | None = None
) -> list[Demand]:
    """Demand still open on ``day``, periods clipped to start no earlier than ``day``."""
    reqs = list(session.scalars(
        select(BorrowingRequest).where(
            BorrowingRequest.status == RequestStatus.OPEN, BorrowingRequest.end_date >= day)
        .order_by(BorrowingRequest.id)
    ))
    vacs = list(session.scalars(
        select(Vacancy).where(
            Vacancy.accepts_borrowed.is_(True), Vacancy.status == VacancyStatus.OPEN,
            Vacancy.borrow_from.is_not(None), Vacancy.borrow_to >= day)
        .order_by(Vacancy.id)
    ))
    taken_r = _taken(session, Agreement.request_id, [r.id for r in reqs])
    taken_v = _taken(session, Agreement.vacancy_id, [v.id for v in vacs])
    out = [_from_request(r, taken_r.get(r.id, 0)) for r in reqs]
    out += [_from_vacancy(v, taken_v.get(v.id, 0)) for v in vacs]
    return [
        replace(d, start_date=max(d.start_date, day)) for d in out
        if d.headcount > 0 and d.enterprise_id != exclude_enterprise
    ]
