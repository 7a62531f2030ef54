"""Point-to-point cohorts: registrations for a return trip, cohort formation, manifests.

A registration is a group of people who registered together (one row, many members); a
group larger than the largest vehicle (``max_vehicle``) is refused at registration.
Formation on a day groups the registrations whose date window holds that day by (origin
province, origin city, destination district) and packs whole registrations into vehicles
of ``capacity`` seats, first-fit decreasing (:func:`pack`), so a group is never split and
no cohort exceeds its vehicle (also a CHECK on ``cohorts``). Status only moves forward one
step at a time: formed -> departed -> arrived -> handed_over; every change is audited.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from matcher import audit
from matcher.db import UnitOfWork
from matcher.enums import CohortStatus
from matcher.errors import NotFound, Refused, ValidationFailed
from matcher.models import Cohort, CohortMember, CohortRegistration, Enterprise, Vacancy
from matcher.models.base import utcnow
from matcher.pii import mask_id_number, mask_phone
from matcher.runtime import Runtime
from matcher.validators import validate_id_number
from matcher.words import msg, word

MAX_VEHICLE = 45  # seats of a long-distance coach: the largest group one vehicle carries
NEXT = {CohortStatus.FORMED: CohortStatus.DEPARTED, CohortStatus.DEPARTED: CohortStatus.ARRIVED,
        CohortStatus.ARRIVED: CohortStatus.HANDED_OVER}


@dataclass(frozen=True)
class MemberInput:
    """One person of a registration."""

    name: str
    id_number: str | None = None
    phone: str | None = None
    skills: tuple[str, ...] = ()


@dataclass(frozen=True)
class RegistrationInput:
    """A return-trip registration: origin, destination, date window, the people."""

    origin_province: str
    destination_district: str
    window_from: date
    window_to: date
    members: tuple[MemberInput, ...]
    origin_city: str = ""


@dataclass(frozen=True)
class ManifestLine:
    """One person on a cohort's manifest (ID number masked)."""

    member_id: int
    registration_id: int
    name: str
    id_number_masked: str | None
    skills: tuple[str, ...]
    vacancy_id: int | None
    employer: str
    health_checked: bool
    handed_over: bool

    def to_dict(self) -> dict[str, object]:
        """A CSV/JSON-ready row."""
        return {"member_id": self.member_id, "registration_id": self.registration_id,
                "name": self.name, "id_number": self.id_number_masked or "",
                "skills": ";".join(self.skills), "vacancy_id": self.vacancy_id or "",
                "employer": self.employer, "health_checked": self.health_checked,
                "handed_over": self.handed_over}


@dataclass(frozen=True)
class CohortView:
    """A cohort and its manifest."""

    id: int
    origin: str
    destination_district: str
    travel_date: date
    arrival_date: date
    capacity: int
    size: int
    status: str
    registrations: tuple[int, ...]
    manifest: tuple[ManifestLine, ...] = ()


def register(rt: Runtime, uow: UnitOfWork, data: RegistrationInput, *, actor: str,
             max_vehicle: int = MAX_VEHICLE) -> int:
    """Register a group for a return trip; refuses a group no vehicle can carry."""
    fields: dict[str, list[str]] = {}
    if not data.members:
        fields["members"] = [msg("At least one person.")]
    if len(data.members) > max_vehicle:
        raise Refused(msg("A group of %(n)s exceeds a vehicle's %(seats)s seats: register it "
                          "as smaller groups.", n=len(data.members), seats=max_vehicle),
                      code="group_too_large",
                      fields={"members": [msg("At most %(n)s people.", n=max_vehicle)]})
    if data.window_from > data.window_to:
        fields["window_to"] = [msg("Must be on or after the first day.")]
    if not data.origin_province.strip():
        fields["origin_province"] = [msg("Required.")]
    if not data.destination_district.strip():
        fields["destination_district"] = [msg("Required.")]
    for i, m in enumerate(data.members):
        if not m.name.strip():
            fields[f"members[{i}].name"] = [msg("Required.")]
        if m.id_number:
            try:
                validate_id_number(m.id_number)
            except ValueError as exc:
                fields[f"members[{i}].id_number"] = [str(exc)]
    if fields:
        raise ValidationFailed(msg("The registration is invalid."), fields=fields)
    reg = CohortRegistration(
        origin_province=data.origin_province.strip(), origin_city=data.origin_city.strip(),
        destination_district=data.destination_district.strip(), window_from=data.window_from,
        window_to=data.window_to, group_size=len(data.members))
    uow.s.add(reg)
    uow.s.flush()
    for m in data.members:
        ident = validate_id_number(m.id_number) if m.id_number else None
        uow.s.add(CohortMember(
            registration_id=reg.id, name=m.name.strip(), skills=list(m.skills),
            id_number_enc=rt.cipher.encrypt(ident) if ident else None,
            id_number_hash=rt.cipher.digest(ident) if ident else None,
            id_number_masked=mask_id_number(ident),
            phone_enc=rt.cipher.encrypt(m.phone) if m.phone else None,
            phone_masked=mask_phone(m.phone)))
    audit.record(uow.s, actor, "cohort.register", "cohort_registration", reg.id,
                 {"group_size": reg.group_size, "origin": reg.origin_province})
    uow.s.flush()
    return reg.id


def pack(groups: Sequence[tuple[int, int]], capacity: int) -> tuple[list[list[int]], list[int]]:
    """Pack ``(key, size)`` groups whole into bins of ``capacity``, first-fit decreasing.

    Returns the bins (lists of keys) and the keys of groups larger than ``capacity``.
    Deterministic: groups are taken by size descending, then key.
    """
    if capacity < 1:
        raise ValueError("capacity must be at least 1")
    bins: list[list[int]] = []
    room: list[int] = []
    too_large: list[int] = []
    for key, size in sorted(groups, key=lambda g: (-g[1], g[0])):
        if size > capacity:
            too_large.append(key)
            continue
        for i, free in enumerate(room):
            if size <= free:
                bins[i].append(key)
                room[i] -= size
                break
        else:
            bins.append([key])
            room.append(capacity - size)
    return bins, too_large


def form_cohorts(uow: UnitOfWork, day: date, capacity: int, *, actor: str,
                 travel_days: int = 1) -> tuple[list[int], list[int]]:
    """Form the day's cohorts; returns (cohort ids, registration ids too large to carry)."""
    if capacity < 1:
        raise ValidationFailed(msg("Seats per vehicle must be at least 1."),
                               fields={"capacity": [msg("At least 1.")]})
    regs = list(uow.s.scalars(select(CohortRegistration).where(
        CohortRegistration.cohort_id.is_(None), CohortRegistration.window_from <= day,
        CohortRegistration.window_to >= day).order_by(CohortRegistration.id)))
    routes: dict[tuple[str, str, str], list[CohortRegistration]] = defaultdict(list)
    for r in regs:
        routes[(r.origin_province, r.origin_city, r.destination_district)].append(r)
    made, refused = [], []
    for (province, city, district), members in sorted(routes.items()):
        by_id = {r.id: r for r in members}
        bins, too_large = pack([(r.id, r.group_size) for r in members], capacity)
        refused += too_large
        for keys in bins:
            c = Cohort(origin_province=province, origin_city=city,
                       destination_district=district, travel_date=day,
                       arrival_date=day + timedelta(days=travel_days), capacity=capacity,
                       size=sum(by_id[k].group_size for k in keys))
            uow.s.add(c)
            uow.s.flush()
            for k in keys:
                by_id[k].cohort_id = c.id
            audit.record(uow.s, actor, "cohort.form", "cohort", c.id,
                         {"registrations": sorted(keys), "size": c.size, "capacity": capacity})
            made.append(c.id)
    uow.s.flush()
    return made, sorted(refused)


def _cohort(session: Session, cohort_id: int) -> Cohort:
    c = session.get(Cohort, cohort_id)
    if c is None:
        raise NotFound(msg("No cohort %(id)s.", id=cohort_id))
    return c


def manifest(session: Session, cohort_id: int) -> CohortView:
    """A cohort with its manifest: names, masked ID numbers, employers, health checks."""
    c = _cohort(session, cohort_id)
    rows = session.execute(
        select(CohortMember, Enterprise.name).join(
            CohortRegistration, CohortRegistration.id == CohortMember.registration_id
        ).outerjoin(Vacancy, Vacancy.id == CohortMember.vacancy_id).outerjoin(
            Enterprise, Enterprise.id == Vacancy.enterprise_id
        ).where(CohortRegistration.cohort_id == cohort_id).order_by(
            CohortMember.registration_id, CohortMember.id))
    lines = tuple(ManifestLine(
        m.id, m.registration_id, m.name, m.id_number_masked, tuple(m.skills or ()),
        m.vacancy_id, employer or "", m.health_checked, m.handed_over_at is not None)
        for m, employer in rows)
    return CohortView(c.id, f"{c.origin_province}{c.origin_city}", c.destination_district,
                      c.travel_date, c.arrival_date, c.capacity, c.size, str(c.status),
                      tuple(sorted({line.registration_id for line in lines})), lines)


def set_health_check(uow: UnitOfWork, member_id: int, checked: bool, *, actor: str) -> None:
    """Tick (or untick) a member's health-check checkbox."""
    m = uow.s.get(CohortMember, member_id)
    if m is None:
        raise NotFound(msg("No cohort member %(id)s.", id=member_id))
    m.health_checked = checked
    m.health_checked_at = utcnow() if checked else None
    audit.record(uow.s, actor, "cohort.health_check", "cohort_member", member_id,
                 {"checked": checked})


def advance(uow: UnitOfWork, cohort_id: int, to: CohortStatus, *, actor: str) -> None:
    """Move a cohort one step forward; handover needs every member health-checked."""
    c = _cohort(uow.s, cohort_id)
    if NEXT.get(c.status) != to:
        raise Refused(msg("Cohort %(id)s cannot go from %(old)s to %(new)s.", id=cohort_id,
                          old=word(str(c.status)), new=word(str(to))), code="bad_transition")
    now = utcnow()
    members = list(uow.s.scalars(select(CohortMember).join(
        CohortRegistration, CohortRegistration.id == CohortMember.registration_id
    ).where(CohortRegistration.cohort_id == cohort_id)))
    if to == CohortStatus.HANDED_OVER:
        unchecked = [m.id for m in members if not m.health_checked]
        if unchecked:
            raise Refused(msg("%(n)s members have no health check.", n=len(unchecked)),
                          code="health_check_missing",
                          fields={"members": [msg("Member %(id)s has no health check.", id=i)
                                              for i in unchecked]})
        for m in members:
            if m.vacancy_id is not None:
                m.handed_over_at = now
        c.handed_over_at = now
    elif to == CohortStatus.DEPARTED:
        c.departed_at = now
    else:
        c.arrived_at = now
    prev, c.status = c.status, to
    audit.record(uow.s, actor, f"cohort.{to}", "cohort", cohort_id,
                 {"from": str(prev), "to": str(to), "members": len(members)})
    uow.s.flush()
