"""Vacancy services: post, edit, close, fill, delete; each updates the index after commit.

Conventions (shared with :mod:`matcher.lending`): a service takes the runtime and an open
unit of work, validates, writes the change and its audit entry, flushes, and never commits:
the caller commits, and only then is the vacancies index refreshed (``uow.on_commit``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from datetime import date
from typing import Any

from sqlalchemy import case, select, update
from sqlalchemy.exc import IntegrityError

from matcher import audit
from matcher.db import UnitOfWork
from matcher.enums import EmploymentType, Urgency, VacancyStatus
from matcher.errors import Conflict, NotFound, Refused, ValidationFailed
from matcher.geo import valid_coordinates
from matcher.index.hooks import vacancies_changed
from matcher.models import Enterprise, Vacancy
from matcher.reference.districts import find as find_district
from matcher.runtime import Runtime
from matcher.words import msg, word, words


@dataclass(frozen=True, kw_only=True)
class VacancyInput:
    """A vacancy as posted (wages in fen per month); an enterprise's own id is filled in."""

    external_id: str
    title: str
    enterprise_id: int | None = None
    description: str = ""
    required_skills: tuple[str, ...] = ()
    preferred_skills: tuple[str, ...] = ()
    district: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    headcount: int = 1
    wage_min: int | None = None
    wage_max: int | None = None
    shift: str | None = None
    employment_type: EmploymentType = EmploymentType.LONG_TERM
    accepts_borrowed: bool = False
    borrow_from: date | None = None
    borrow_to: date | None = None
    start_date: date | None = None
    urgency: Urgency = Urgency.NORMAL


EDITABLE = frozenset(f.name for f in fields(VacancyInput)) - {"external_id", "enterprise_id"}


@dataclass(frozen=True)
class VacancyView:
    """What a service returns about a vacancy."""

    id: int
    external_id: str
    enterprise_id: int
    title: str
    status: str
    headcount: int
    filled: int
    remaining: int
    accepts_borrowed: bool
    required_skills: tuple[str, ...] = field(default=())


def _view(v: Vacancy) -> VacancyView:
    return VacancyView(
        id=v.id, external_id=v.external_id, enterprise_id=v.enterprise_id, title=v.title,
        status=str(v.status), headcount=v.headcount, filled=v.filled, remaining=v.remaining,
        accepts_borrowed=v.accepts_borrowed, required_skills=tuple(v.required_skills or ()),
    )


def _validate(data: VacancyInput, filled: int = 0) -> VacancyInput:
    errors: dict[str, list[str]] = {}
    title = (data.title or "").strip()
    if not title or len(title) > 200:
        errors["title"] = [msg("Required, at most %(n)s characters.", n=200)]
    if not isinstance(data.headcount, int) or data.headcount < 1:
        errors["headcount"] = [msg("Must be a whole number, at least 1.")]
    elif data.headcount < filled:
        errors["headcount"] = [msg("%(n)s positions are already filled.", n=filled)]
    for name in ("wage_min", "wage_max"):
        value = getattr(data, name)
        if value is not None and (not isinstance(value, int) or value < 0):
            errors[name] = [msg("Must be an amount of money, at least 0.")]
    if (data.wage_min is not None and data.wage_max is not None
            and "wage_min" not in errors and data.wage_min > data.wage_max):
        errors["wage_max"] = [msg("Must be at least the minimum wage.")]
    if (data.latitude is None) != (data.longitude is None):
        errors["longitude" if data.longitude is None else "latitude"] = [
            msg("Latitude and longitude must be given together.")]
    elif data.latitude is not None and not valid_coordinates(data.latitude, data.longitude):
        errors["latitude"] = [msg("Coordinates out of range.")]
    if data.borrow_from and data.borrow_to and data.borrow_from > data.borrow_to:
        errors["borrow_to"] = [msg("Must be on or after the first day of borrowing.")]
    if data.district:
        district = find_district(data.district)
        if district is None:
            errors["district"] = [msg("Not a district of this city.")]
        else:
            data = replace(data, district=district.name)
    try:
        data = replace(data, employment_type=EmploymentType(data.employment_type))
    except ValueError:
        errors["employment_type"] = [msg("One of %(values)s.",
                                          values=words([e.value for e in EmploymentType]))]
    try:
        data = replace(data, urgency=Urgency(data.urgency))
    except ValueError:
        errors["urgency"] = [msg("One of %(values)s.", values=words([u.value for u in Urgency]))]
    if data.employment_type == EmploymentType.SHARED:
        data = replace(data, accepts_borrowed=True)
    if errors:
        raise ValidationFailed(msg("The vacancy has invalid fields."), fields=errors)
    skills = tuple(s.strip() for s in (*data.required_skills,) if s and s.strip())
    preferred = tuple(s.strip() for s in data.preferred_skills if s and s.strip())
    return replace(data, title=title, required_skills=skills, preferred_skills=preferred)


def _get(uow: UnitOfWork, vacancy_id: int) -> Vacancy:
    vacancy = uow.s.get(Vacancy, vacancy_id)
    if vacancy is None:
        raise NotFound(msg("No vacancy %(id)s.", id=vacancy_id))
    return vacancy


def _columns(data: VacancyInput) -> dict[str, Any]:
    out = {f.name: getattr(data, f.name) for f in fields(VacancyInput)}
    out["required_skills"] = list(data.required_skills)
    out["preferred_skills"] = list(data.preferred_skills)
    return out


def post_vacancy(rt: Runtime, uow: UnitOfWork, data: VacancyInput, *, actor: str) -> VacancyView:
    """Create an open vacancy."""
    data = _validate(data)
    if data.enterprise_id is None or uow.s.get(Enterprise, data.enterprise_id) is None:
        raise ValidationFailed(msg("Unknown enterprise."),
                               fields={"enterprise_id": [msg("No such enterprise.")]})
    vacancy = Vacancy(**_columns(data), status=VacancyStatus.OPEN, filled=0)
    uow.s.add(vacancy)
    try:
        with uow.s.begin_nested():
            uow.s.flush()
    except IntegrityError:
        raise Conflict(msg("A vacancy with external id %(id)s exists.", id=repr(data.external_id)),
                       fields={"external_id": [msg("Already used.")]}) from None
    audit.record(uow.s, actor, "vacancy.post", "vacancy", vacancy.id,
                 {"external_id": data.external_id, "title": data.title})
    vacancies_changed(rt, uow, [vacancy.id])
    return _view(vacancy)


def edit_vacancy(rt: Runtime, uow: UnitOfWork, vacancy_id: int, changes: Mapping[str, Any], *,
                 actor: str) -> VacancyView:
    """Change editable fields (see :data:`EDITABLE`); status changes have their own services."""
    unknown = sorted(set(changes) - EDITABLE)
    if unknown:
        raise ValidationFailed(msg("These fields cannot be edited."),
                               fields={name: [msg("Not editable.")] for name in unknown})
    vacancy = _get(uow, vacancy_id)
    current = VacancyInput(**{f.name: getattr(vacancy, f.name) for f in fields(VacancyInput)})
    current = replace(current, required_skills=tuple(current.required_skills or ()),
                      preferred_skills=tuple(current.preferred_skills or ()))
    data = _validate(replace(current, **dict(changes)), filled=vacancy.filled)
    for name, value in _columns(data).items():
        setattr(vacancy, name, value)
    if vacancy.status == VacancyStatus.FILLED and vacancy.filled < vacancy.headcount:
        vacancy.status = VacancyStatus.OPEN  # more headcount reopens a filled vacancy
    uow.s.flush()
    audit.record(uow.s, actor, "vacancy.edit", "vacancy", vacancy_id,
                 {"fields": sorted(changes)})
    vacancies_changed(rt, uow, [vacancy_id])
    return _view(vacancy)


def close_vacancy(rt: Runtime, uow: UnitOfWork, vacancy_id: int, *, actor: str) -> VacancyView:
    """Close a vacancy (it leaves matching at once after the commit)."""
    vacancy = _get(uow, vacancy_id)
    if vacancy.status != VacancyStatus.CLOSED:
        vacancy.status = VacancyStatus.CLOSED
        uow.s.flush()
        audit.record(uow.s, actor, "vacancy.close", "vacancy", vacancy_id, {})
        vacancies_changed(rt, uow, [vacancy_id])
    return _view(vacancy)


def fill_vacancy(rt: Runtime, uow: UnitOfWork, vacancy_id: int, n: int = 1, *,
                 actor: str) -> VacancyView:
    """Count ``n`` hires: ``filled += n`` in one guarded UPDATE; full means status filled."""
    if not isinstance(n, int) or n < 1:
        raise ValidationFailed(msg("The number must be at least 1."),
                               fields={"n": [msg("Must be at least 1.")]})
    new_filled = Vacancy.filled + n
    result = uow.s.execute(
        update(Vacancy)
        .where(Vacancy.id == vacancy_id, Vacancy.status == VacancyStatus.OPEN,
               new_filled <= Vacancy.headcount)
        .values(filled=new_filled, status=case(
            (new_filled >= Vacancy.headcount, VacancyStatus.FILLED.value),
            else_=Vacancy.status))
        .execution_options(synchronize_session=False)
    )
    vacancy = _get(uow, vacancy_id)
    uow.s.refresh(vacancy)
    if result.rowcount != 1:  # type: ignore[attr-defined]
        if vacancy.status != VacancyStatus.OPEN:
            raise Refused(msg("This vacancy is %(status)s.", status=word(str(vacancy.status))),
                          code="vacancy_not_open")
        raise Refused(msg("Only %(n)s positions are left.", n=vacancy.remaining),
                      code="headcount_exceeded")
    audit.record(uow.s, actor, "vacancy.fill", "vacancy", vacancy_id,
                 {"n": n, "filled": vacancy.filled})
    vacancies_changed(rt, uow, [vacancy_id])
    return _view(vacancy)


def delete_vacancy(rt: Runtime, uow: UnitOfWork, vacancy_id: int, *, actor: str) -> None:
    """Delete a vacancy nothing refers to (close it instead when there are hires)."""
    vacancy = _get(uow, vacancy_id)
    external_id = vacancy.external_id
    try:
        with uow.s.begin_nested():
            uow.s.delete(vacancy)
            uow.s.flush()
    except IntegrityError:
        raise Conflict(msg("The vacancy has placements, recommendations or agreements; "
                           "close it instead."), code="vacancy_referenced") from None
    audit.record(uow.s, actor, "vacancy.delete", "vacancy", vacancy_id,
                 {"external_id": external_id})
    vacancies_changed(rt, uow, [vacancy_id])


def open_vacancy_ids(uow: UnitOfWork) -> list[int]:
    """Ids of open vacancies with headcount left (for checks and tests)."""
    return list(uow.s.scalars(select(Vacancy.id).where(
        Vacancy.status == VacancyStatus.OPEN, Vacancy.filled < Vacancy.headcount
    ).order_by(Vacancy.id)))
