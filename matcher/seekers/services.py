"""Job-seeker services: create and update a profile, withdraw consent, delete (anonymize).

Same conventions as the vacancy services (runtime + open unit of work, audit
entry, flush, the caller commits, the people index refreshed after the commit). The ID
number and phone are stored encrypted with a keyed hash and masked copies; views carry
only the masked forms.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from datetime import date
from typing import Any

from sqlalchemy.exc import IntegrityError

from matcher import audit
from matcher.db import UnitOfWork
from matcher.enums import PersonStatus, SeekerCategory
from matcher.errors import Conflict, NotFound, ValidationFailed
from matcher.geo import valid_coordinates
from matcher.index.hooks import people_changed
from matcher.models import JobSeeker
from matcher.models.base import utcnow
from matcher.pii import PiiCipher, mask_id_number, mask_phone
from matcher.runtime import Runtime
from matcher.subsidy import eligibility
from matcher.subsidy.rule_fields import DEGREE_LEVELS
from matcher.subsidy.rule_store import current_rules
from matcher.validators import InvalidIdentifier, validate_id_number
from matcher.words import msg, words

_PHONE_DIGITS = 11


@dataclass(frozen=True)
class SeekerInput:
    """A job seeker's profile as entered (identity fields in clear, encrypted on save)."""

    external_id: str
    name: str | None = None
    id_number: str | None = None
    phone: str | None = None
    desired_positions: tuple[str, ...] = ()
    skills: tuple[str, ...] = ()
    experience: str = ""
    district: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    travel_km: float | None = None
    categories: tuple[str, ...] = ()
    available_from: date | None = None
    available_to: date | None = None
    graduation_year: int | None = None
    degree_level: str | None = None  # matcher.subsidy.rule_fields.DEGREE_LEVELS
    origin_province: str | None = None
    consent_matching: bool = True
    consent_share_with_agencies: bool = True


EDITABLE = frozenset(f.name for f in fields(SeekerInput)) - {"external_id"}
#: Profile fields subsidy rules read (a change re-evaluates the seeker's eligibility).
RULE_FIELDS = frozenset({"categories", "graduation_year", "degree_level"})


@dataclass(frozen=True)
class SeekerView:
    """What a service returns about a seeker (identity fields masked)."""

    id: int
    external_id: str
    name: str | None
    id_number_masked: str | None
    phone_masked: str | None
    status: str
    consent_matching: bool
    skills: tuple[str, ...]
    desired_positions: tuple[str, ...]


def _view(s: JobSeeker) -> SeekerView:
    return SeekerView(
        id=s.id, external_id=s.external_id, name=s.name, id_number_masked=s.id_number_masked,
        phone_masked=s.phone_masked, status=str(s.status), consent_matching=s.consent_matching,
        skills=tuple(s.skills or ()), desired_positions=tuple(s.desired_positions or ()),
    )


def _clean(items: tuple[str, ...] | list[str]) -> tuple[str, ...]:
    return tuple(i.strip() for i in items if i and i.strip())


def profile_problems(data: SeekerInput) -> dict[str, list[str]]:
    """Every field rule ``data`` breaks, by field (empty when it is valid); nothing raised.

    Forms call it beside their own checks so a person sees every error in one round."""
    try:
        _validate(data)
    except ValidationFailed as exc:
        return {k: list(v) for k, v in exc.fields.items()}
    return {}


def _validate(data: SeekerInput) -> SeekerInput:
    errors: dict[str, list[str]] = {}
    if data.id_number:
        try:
            data = replace(data, id_number=validate_id_number(data.id_number))
        except InvalidIdentifier as exc:
            errors["id_number"] = [exc.args[0] if exc.args else str(exc)]
    if data.phone:
        digits = "".join(ch for ch in data.phone if ch.isdigit())
        if len(digits) != _PHONE_DIGITS or not digits.startswith("1"):
            errors["phone"] = [msg("Expected an 11-digit mobile number.")]
        data = replace(data, phone=digits)
    if (data.latitude is None) != (data.longitude is None):
        errors["longitude" if data.longitude is None else "latitude"] = [
            msg("Latitude and longitude must be given together.")]
    elif data.latitude is not None and not valid_coordinates(data.latitude, data.longitude):
        errors["latitude"] = [msg("Coordinates out of range.")]
    if data.travel_km is not None and not 0 <= data.travel_km <= 1000:
        errors["travel_km"] = [msg("Must be between %(low)s and %(high)s.", low=0, high=1000)]
    if data.available_from and data.available_to and data.available_from > data.available_to:
        errors["available_to"] = [msg("Must be on or after the first day available.")]
    if data.graduation_year is not None and not 1950 <= data.graduation_year <= 2100:
        errors["graduation_year"] = [msg("Must be a year from %(low)s to %(high)s.",
                                           low=1950, high=2100)]
    if data.degree_level is not None and data.degree_level not in DEGREE_LEVELS:
        errors["degree_level"] = [msg("One of %(values)s.", values=words(DEGREE_LEVELS))]
    bad = [c for c in data.categories if c not in {e.value for e in SeekerCategory}]
    if bad:
        errors["categories"] = [msg("Unknown category %(value)s.", value=repr(bad[0]))]
    if not (data.desired_positions or data.skills or (data.experience or "").strip()):
        errors["skills"] = [msg("Give at least desired positions, skills or experience.")]
    if errors:
        raise ValidationFailed(msg("The profile has invalid fields."), fields=errors)
    return replace(data, desired_positions=_clean(data.desired_positions),
                   skills=_clean(data.skills), categories=_clean(data.categories))


def _columns(data: SeekerInput, cipher: PiiCipher) -> dict[str, Any]:
    out = {f.name: getattr(data, f.name) for f in fields(SeekerInput)
           if f.name not in ("id_number", "phone")}
    for name in ("desired_positions", "skills", "categories"):
        out[name] = list(out[name])
    out["id_number_enc"] = cipher.encrypt(data.id_number) if data.id_number else None
    out["id_number_hash"] = cipher.digest(data.id_number) if data.id_number else None
    out["id_number_masked"] = mask_id_number(data.id_number) if data.id_number else None
    out["phone_enc"] = cipher.encrypt(data.phone) if data.phone else None
    out["phone_masked"] = mask_phone(data.phone) if data.phone else None
    return out


def _flush(uow: UnitOfWork) -> None:
    try:
        with uow.s.begin_nested():
            uow.s.flush()
    except IntegrityError:
        raise Conflict(msg("A profile with this external id or ID number exists."),
                       code="duplicate_seeker") from None


def get_active(uow: UnitOfWork, seeker_id: int) -> JobSeeker:
    """The seeker's row, or NotFound when missing or deleted."""
    seeker = uow.s.get(JobSeeker, seeker_id)
    if seeker is None or seeker.status == PersonStatus.DELETED:
        raise NotFound(msg("No job seeker %(id)s.", id=seeker_id))
    return seeker


def create_seeker(rt: Runtime, uow: UnitOfWork, data: SeekerInput, *, actor: str) -> SeekerView:
    """Create a profile."""
    data = _validate(data)
    seeker = JobSeeker(**_columns(data, rt.cipher), status=PersonStatus.ACTIVE)
    uow.s.add(seeker)
    _flush(uow)
    audit.record(uow.s, actor, "seeker.create", "job_seeker", seeker.id,
                 {"external_id": data.external_id})
    people_changed(rt, uow, seeker_ids=[seeker.id])
    return _view(seeker)


def update_seeker(rt: Runtime, uow: UnitOfWork, seeker_id: int, changes: Mapping[str, Any], *,
                  actor: str) -> SeekerView:
    """Change profile fields; ``id_number`` / ``phone`` given in clear are re-encrypted."""
    unknown = sorted(set(changes) - EDITABLE)
    if unknown:
        raise ValidationFailed(msg("These fields cannot be edited."),
                               fields={name: [msg("Not editable.")] for name in unknown})
    seeker = get_active(uow, seeker_id)
    current = SeekerInput(**{
        f.name: getattr(seeker, f.name) for f in fields(SeekerInput)
        if f.name not in ("id_number", "phone")})
    current = replace(current, id_number=rt.cipher.decrypt(seeker.id_number_enc),
                      phone=rt.cipher.decrypt(seeker.phone_enc),
                      desired_positions=tuple(current.desired_positions or ()),
                      skills=tuple(current.skills or ()),
                      categories=tuple(current.categories or ()))
    data = _validate(replace(current, **dict(changes)))
    for name, value in _columns(data, rt.cipher).items():
        if name.endswith("_enc") and name[:-4] not in changes:
            continue  # keep the ciphertext of identifiers that did not change
        setattr(seeker, name, value)
    _flush(uow)
    audit.record(uow.s, actor, "seeker.update", "job_seeker", seeker_id,
                 {"fields": sorted(changes)})
    people_changed(rt, uow, seeker_ids=[seeker_id])
    if set(changes) & RULE_FIELDS:  # a category change: subsidy eligibility is found again
        eligibility.evaluate_many(uow.s, current_rules(rt),
                                  eligibility.placements_of(uow.s, seeker_id=seeker_id),
                                  actor=actor)
    return _view(seeker)


def withdraw_consent(rt: Runtime, uow: UnitOfWork, seeker_id: int, *, actor: str) -> SeekerView:
    """Stop matching this seeker (the profile stays; consent can be given again by update)."""
    seeker = get_active(uow, seeker_id)
    seeker.consent_matching = False
    uow.s.flush()
    audit.record(uow.s, actor, "seeker.withdraw_consent", "job_seeker", seeker_id, {})
    people_changed(rt, uow, seeker_ids=[seeker_id])
    return _view(seeker)


def delete_seeker(rt: Runtime, uow: UnitOfWork, seeker_id: int, *, actor: str) -> SeekerView:
    """Anonymize: the row stays for placements and claims, personal fields are cleared."""
    seeker = get_active(uow, seeker_id)
    for name in ("name", "id_number_enc", "id_number_hash", "id_number_masked", "phone_enc",
                 "phone_masked", "district", "latitude", "longitude", "travel_km",
                 "origin_province", "graduation_year", "available_from", "available_to"):
        setattr(seeker, name, None)
    seeker.skills, seeker.desired_positions = [], []  # categories stay: subsidy evidence
    seeker.experience = ""
    seeker.consent_matching = seeker.consent_share_with_agencies = False
    seeker.status = PersonStatus.DELETED
    seeker.deleted_at = utcnow()
    uow.s.flush()
    audit.record(uow.s, actor, "seeker.delete", "job_seeker", seeker_id, {})
    people_changed(rt, uow, seeker_ids=[seeker_id])
    return _view(seeker)
