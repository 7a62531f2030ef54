"""The idle staff pool: surplus employees an enterprise declares lendable, with consent.

An employee is *lendable* over a period when active, consenting, the period lies inside
the lending window, and the employee is in no active agreement. :func:`lendable_employees`
applies all of that in SQL at query time, so withdrawn consent or an expired window takes
effect at once; after every change the people index is told (after commit) through
:func:`matcher.index.hooks.people_changed`.

Services take the runtime and an open unit of work, flush but never commit (the caller
commits), write the audit log in the same transaction, and return plain dataclasses.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import exists, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from matcher import audit
from matcher.db import UnitOfWork
from matcher.enums import PersonStatus
from matcher.errors import NotFound, ValidationFailed
from matcher.index.hooks import people_changed
from matcher.lending import compliance
from matcher.models import Agreement, AgreementEmployee, Enterprise, SurplusEmployee
from matcher.models.base import utcnow
from matcher.reference.districts import find as find_district
from matcher.runtime import Runtime
from matcher.words import Msg, msg


@dataclass(frozen=True)
class EmployeeInput:
    """What an enterprise declares about one idle employee."""

    external_id: str
    name: str | None = None
    skills: tuple[str, ...] = ()
    experience: str = ""
    district: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    available_from: date | None = None
    available_to: date | None = None
    daily_cost: int | None = None  # fen per day
    consent: bool = False


@dataclass(frozen=True)
class EmployeeView:
    """A surplus employee as the pool shows it (no identity numbers)."""

    id: int
    external_id: str
    enterprise_id: int
    enterprise_name: str
    city: str
    name: str | None
    skills: tuple[str, ...]
    experience: str
    district: str | None
    latitude: float | None
    longitude: float | None
    available_from: date | None
    available_to: date | None
    consent: bool
    consent_recorded_at: datetime | None
    daily_cost: int | None
    status: str

    @property
    def text(self) -> str:
        """The text embedded for semantic matching."""
        return " ".join([*self.skills, self.experience]).strip()


def to_view(emp: SurplusEmployee) -> EmployeeView:
    """Plain view of an ORM employee."""
    return EmployeeView(
        id=emp.id, external_id=emp.external_id, enterprise_id=emp.enterprise_id,
        enterprise_name=emp.enterprise.name, city=emp.enterprise.city, name=emp.name,
        skills=tuple(emp.skills or ()),
        experience=emp.experience or "", district=emp.district, latitude=emp.latitude,
        longitude=emp.longitude, available_from=emp.available_from,
        available_to=emp.available_to, consent=emp.consent,
        consent_recorded_at=emp.consent_recorded_at, daily_cost=emp.daily_cost,
        status=str(emp.status),
    )


def _check_window(start: date | None, end: date | None) -> None:
    if start and end and start > end:
        raise ValidationFailed(
            msg("The lending window starts after it ends."),
            fields={"available_to": [msg("Must be on or after the first available day.")]},
        )


def _load(session: Session, employee_id: int) -> SurplusEmployee:
    emp = session.get(SurplusEmployee, employee_id)
    if emp is None:
        raise NotFound(msg("No idle employee %(id)s.", id=employee_id))
    return emp


def declare_employee(
    rt: Runtime, uow: UnitOfWork, enterprise_id: int, data: EmployeeInput, *, actor: str
) -> EmployeeView:
    """Add one idle employee of ``enterprise_id`` to the pool."""
    fields: dict[str, list[Msg]] = {}
    if not data.external_id.strip():
        fields["external_id"] = [msg("This field is required.")]
    if data.daily_cost is not None and data.daily_cost < 0:
        fields["daily_cost"] = [msg("Must not be negative.")]
    district = find_district(data.district) if data.district else None
    if data.district and district is None:
        fields["district"] = [msg("Not a district of this city.")]
    if data.available_from and data.available_to and data.available_from > data.available_to:
        fields["available_to"] = [msg("Must be on or after the first available day.")]
    if fields:
        raise ValidationFailed(msg("Some employee details are invalid."), fields=dict(fields))
    if uow.s.get(Enterprise, enterprise_id) is None:
        raise NotFound(msg("No enterprise %(id)s.", id=enterprise_id))
    emp = SurplusEmployee(
        external_id=data.external_id.strip(), enterprise_id=enterprise_id, name=data.name,
        skills=list(data.skills), experience=data.experience,
        district=district.name if district else None,
        latitude=data.latitude, longitude=data.longitude, available_from=data.available_from,
        available_to=data.available_to, daily_cost=data.daily_cost, consent=data.consent,
        consent_recorded_at=utcnow() if data.consent else None,
    )
    try:
        with uow.s.begin_nested():
            uow.s.add(emp)
    except IntegrityError:
        raise ValidationFailed(
            msg("This employee number is already declared."),
            fields={"external_id": [msg("%(value)s already exists.", value=data.external_id)]},
        ) from None
    audit.record(uow.s, actor, "surplus.declared", "surplus_employee", emp.id,
                 {"enterprise_id": enterprise_id, "consent": data.consent})
    people_changed(rt, uow, surplus_ids=[emp.id])
    return to_view(emp)


def record_consent(
    rt: Runtime, uow: UnitOfWork, employee_id: int, consent: bool, *, actor: str
) -> EmployeeView:
    """Record that the employee gives (``True``) or withdraws (``False``) consent."""
    emp = _load(uow.s, employee_id)
    emp.consent = consent
    emp.consent_recorded_at = utcnow()
    uow.s.flush()
    action = "surplus.consent_given" if consent else "surplus.consent_withdrawn"
    audit.record(uow.s, actor, action, "surplus_employee", emp.id, {})
    people_changed(rt, uow, surplus_ids=[emp.id])
    return to_view(emp)


def update_window(
    rt: Runtime, uow: UnitOfWork, employee_id: int, available_from: date | None,
    available_to: date | None, *, actor: str, daily_cost: int | None = None,
) -> EmployeeView:
    """Change the lending window (and, if given, the declared daily cost in fen)."""
    _check_window(available_from, available_to)
    if daily_cost is not None and daily_cost < 0:
        raise ValidationFailed(msg("The daily cost must not be negative."),
                               fields={"daily_cost": [msg("Must not be negative.")]})
    emp = _load(uow.s, employee_id)
    running = uow.s.scalars(
        select(Agreement).join(AgreementEmployee).where(
            AgreementEmployee.employee_id == emp.id, AgreementEmployee.is_active.is_(True))
    ).first()
    if running is not None and (
        (available_from and running.start_date < available_from)
        or (available_to and running.end_date > available_to)
    ):
        raise compliance.refusal(
            "outside_window", start=running.start_date.isoformat(),
            end=running.end_date.isoformat(), name=compliance.display_name(emp),
            window=compliance.window_text(available_from, available_to),
        )
    emp.available_from, emp.available_to = available_from, available_to
    if daily_cost is not None:
        emp.daily_cost = daily_cost
    uow.s.flush()
    audit.record(uow.s, actor, "surplus.window_updated", "surplus_employee", emp.id, {
        "available_from": available_from.isoformat() if available_from else None,
        "available_to": available_to.isoformat() if available_to else None,
        "daily_cost": emp.daily_cost,
    })
    people_changed(rt, uow, surplus_ids=[emp.id])
    return to_view(emp)


def remove_employee(rt: Runtime, uow: UnitOfWork, employee_id: int, *, actor: str) -> None:
    """Take an employee out of the pool for good (refused while in an active agreement)."""
    emp = _load(uow.s, employee_id)
    compliance.check_not_busy(uow.s, [emp.id])
    emp.status = PersonStatus.DELETED
    emp.consent = False
    uow.s.flush()
    audit.record(uow.s, actor, "surplus.removed", "surplus_employee", emp.id, {})
    people_changed(rt, uow, surplus_ids=[emp.id])


def get_employee(session: Session, employee_id: int) -> EmployeeView:
    """One employee by id."""
    return to_view(_load(session, employee_id))


def _in_active_agreement() -> object:
    return exists().where(
        AgreementEmployee.employee_id == SurplusEmployee.id, AgreementEmployee.is_active.is_(True)
    )


def lendable_employees(
    session: Session, start: date, end: date, *, exclude_enterprise: int | None = None,
    enterprise_id: int | None = None,
) -> list[EmployeeView]:
    """Employees lendable for the whole of ``start``..``end``, ordered by id."""
    stmt = select(SurplusEmployee).where(
        SurplusEmployee.status == PersonStatus.ACTIVE,
        SurplusEmployee.consent.is_(True),
        (SurplusEmployee.available_from.is_(None)) | (SurplusEmployee.available_from <= start),
        (SurplusEmployee.available_to.is_(None)) | (SurplusEmployee.available_to >= end),
        ~_in_active_agreement(),  # type: ignore[operator]
    )
    if exclude_enterprise is not None:
        stmt = stmt.where(SurplusEmployee.enterprise_id != exclude_enterprise)
    if enterprise_id is not None:
        stmt = stmt.where(SurplusEmployee.enterprise_id == enterprise_id)
    return [to_view(e) for e in session.scalars(stmt.order_by(SurplusEmployee.id))]


def pool_of(session: Session, enterprise_id: int) -> list[tuple[EmployeeView, int | None]]:
    """An enterprise's whole pool, each with the id of its active agreement (or None)."""
    rows = session.execute(
        select(SurplusEmployee, Agreement.id)
        .outerjoin(AgreementEmployee, (AgreementEmployee.employee_id == SurplusEmployee.id)
                   & AgreementEmployee.is_active.is_(True))
        .outerjoin(Agreement, Agreement.id == AgreementEmployee.agreement_id)
        .where(SurplusEmployee.enterprise_id == enterprise_id)
        .order_by(SurplusEmployee.id)
    )
    return [(to_view(emp), agreement_id) for emp, agreement_id in rows]


def views(session: Session, ids: Sequence[int]) -> dict[int, EmployeeView]:
    """Views of the given employees by id."""
    if not ids:
        return {}
    stmt = select(SurplusEmployee).where(SurplusEmployee.id.in_(list(ids)))
    return {e.id: to_view(e) for e in session.scalars(stmt)}
