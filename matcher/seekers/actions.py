"""What a job seeker does: sign up, then change, withdraw or delete their own account.

Signing up is public (the visitor is nobody yet). The other actions are personal
(``system=False``): the caller is the seeker, identified by ``actor.seeker_id``, so there is
no other seeker's object to reach.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from sqlalchemy import select

from matcher import audit
from matcher.accounts import users
from matcher.accounts.users import UserView
from matcher.action import action
from matcher.enums import Role
from matcher.errors import ValidationFailed
from matcher.models import JobSeeker
from matcher.pii import mask_id_number
from matcher.principal import Principal
from matcher.reference.districts import find as find_district
from matcher.runtime import Work
from matcher.seekers import services
from matcher.seekers.services import SeekerInput, SeekerView
from matcher.vacancies.queries import VacancyCard, get_vacancy
from matcher.validators import InvalidIdentifier, compact, validate_id_number
from matcher.words import msg

IDENTIFIERS = ("phone", "id_number")
SIGNUP_ACTOR = "signup"
#: audit action flagging a profile change that named another person's ID number
ID_CONFLICT = "seeker.id_number_conflict"


@dataclass(frozen=True)
class SignUp:
    """A new job seeker's login and profile."""

    email: str
    password: str
    profile: SeekerInput


@dataclass(frozen=True)
class ProfileChanges:
    """Profile fields to change; with ``keep_unchanged_identifiers`` an identifier typed
    back as it is stored is left alone (not re-encrypted)."""

    fields: Mapping[str, Any] = field(default_factory=dict)
    keep_unchanged_identifiers: bool = False


def _sid(actor: Principal) -> int:
    assert actor.seeker_id is not None  # the role check refuses unlinked seekers
    return actor.seeker_id


def _unchanged(uow: Work, seeker_id: int, changes: Mapping[str, Any]) -> set[str]:
    seeker = services.get_active(uow, seeker_id)
    stored = {"phone": uow.rt.cipher.decrypt(seeker.phone_enc),
              "id_number": uow.rt.cipher.decrypt(seeker.id_number_enc)}
    return {name for name in IDENTIFIERS
            if name in changes and (changes[name] or None) == (stored[name] or None)}


def sign_up_seeker(uow: Work, data: SignUp) -> UserView:
    """Public: create a job-seeker profile and its login in one unit of work."""
    created = services.create_seeker(uow.rt, uow, data.profile, actor=SIGNUP_ACTOR)
    return users.create_user(uow, email=data.email, password=data.password, role=Role.SEEKER,
                             seeker_id=created.id, actor=SIGNUP_ACTOR)


def _registered_elsewhere(uow: Work, seeker_id: int, id_number: Any) -> int | None:
    """The other seeker holding ``id_number``, if any (None for a fresh or invalid number)."""
    if not isinstance(id_number, str) or not id_number:
        return None
    try:
        digest = uow.rt.cipher.digest(validate_id_number(id_number))
    except InvalidIdentifier:
        return None  # the update refuses it with a field error, as for anyone
    return uow.s.scalar(select(JobSeeker.id).where(JobSeeker.id_number_hash == digest,
                                                   JobSeeker.id != seeker_id))


@action(Role.SEEKER, system=False)
def update_profile(uow: Work, actor: Principal, data: ProfileChanges) -> SeekerView:
    """Change fields of the caller's own profile (the people index follows the commit).

    ID numbers and phones are read width-blind, without spaces or zero-width characters.
    An ID number already registered to another person is never revealed: the answer is the
    one a fresh number gets (the number masked as typed, every other change applied), but
    the number is not stored (the database keeps one profile per number) and the attempt is
    recorded for the bureau as an ``seeker.id_number_conflict`` audit entry naming both
    profiles. Callers throttle this action per account (``WORKBRIDGE_PROFILE_LIMIT``).
    """
    changes = {k: tuple(v) if isinstance(v, list) else v for k, v in data.fields.items()}
    for name in IDENTIFIERS:
        value = changes.get(name)
        if isinstance(value, str):
            changes[name] = compact(value)
    if changes.get("district"):
        district = find_district(str(changes["district"]))
        if district is None:
            raise ValidationFailed(msg("The profile has invalid fields."),
                                   fields={"district": [msg("Not a district of this city.")]})
        changes["district"] = district.name
    if data.keep_unchanged_identifiers:
        for name in _unchanged(uow, _sid(actor), changes):
            del changes[name]
    holder = _registered_elsewhere(uow, _sid(actor), changes.get("id_number"))
    if holder is None:
        return services.update_seeker(uow.rt, uow, _sid(actor), changes,
                                      actor=actor.actor_name)
    typed = validate_id_number(str(changes.pop("id_number")))
    view = services.update_seeker(uow.rt, uow, _sid(actor), changes, actor=actor.actor_name)
    audit.record(uow.s, actor.actor_name, ID_CONFLICT, "job_seeker", _sid(actor),
                 {"registered_to_seeker_id": holder})
    return replace(view, id_number_masked=mask_id_number(typed))


@action(Role.SEEKER, system=False)
def withdraw_consent(uow: Work, actor: Principal) -> SeekerView:
    """Stop being matched; the profile stays."""
    return services.withdraw_consent(uow.rt, uow, _sid(actor), actor=actor.actor_name)


@action(Role.SEEKER, system=False)
def delete_account(uow: Work, actor: Principal) -> SeekerView:
    """Anonymize the caller's profile and deactivate their login."""
    view = services.delete_seeker(uow.rt, uow, _sid(actor), actor=actor.actor_name)
    users.deactivate(uow, actor.user_id, actor=actor.actor_name)
    return view


@action(Role.SEEKER, system=False)
def express_interest(uow: Work, actor: Principal, vacancy_id: int) -> VacancyCard:
    """Tell the employer of an open vacancy that the caller is interested (an audit entry)."""
    card = get_vacancy(uow.s, vacancy_id)  # NotFound for an unknown id
    if card.status != "open":
        raise ValidationFailed(msg("This vacancy is no longer open."), code="vacancy_not_open",
                               fields={"vacancy_id": [msg("Not open.")]})
    audit.record(uow.s, actor.actor_name, "interest", "vacancy", vacancy_id,
                 {"seeker_id": _sid(actor)})
    return card
