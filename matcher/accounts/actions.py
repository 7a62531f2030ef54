"""Account actions: logging in, named API tokens, logout, creating users, registering and
approving enterprises and agencies.

Checking credentials and exchanging them for a token are public (the visitor is not yet
anyone), so they take no principal; each goes through the caller's per-account
:class:`~matcher.accounts.throttle.Throttle` (raises ``TooManyAttempts``, 429). Every other
action is declared with its roles. A job seeker signs up through
:func:`matcher.seekers.actions.sign_up_seeker`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from matcher.accounts import registration, tokens, users
from matcher.accounts.registration import OrgView, Registration
from matcher.accounts.throttle import Throttle
from matcher.accounts.tokens import TokenView
from matcher.accounts.users import UserView
from matcher.action import ALL_ROLES, action, query
from matcher.db import UnitOfWork
from matcher.enums import Role
from matcher.errors import ValidationFailed
from matcher.models import Enterprise, HRAgency, JobSeeker
from matcher.principal import Principal
from matcher.runtime import Work
from matcher.words import msg


@dataclass(frozen=True)
class IssuedToken:
    """A new API token (shown once), its id and name, and its user."""

    token: str
    user: UserView
    id: int = 0
    name: str = tokens.DEFAULT_NAME


@dataclass(frozen=True)
class NewUser:
    """A login to create, linked by external id to its enterprise, agency or seeker."""

    email: str
    password: str
    role: str
    enterprise_external_id: str | None = None
    agency_external_id: str | None = None
    seeker_external_id: str | None = None
    with_token: bool = False


@dataclass(frozen=True)
class CreatedUser:
    """The created user and, when asked for, its API token (shown once)."""

    user: UserView
    token: str | None


def authenticate(uow: UnitOfWork, email: str, password: str,
                 throttle: Throttle | None = None) -> UserView | None:
    """Public: the active user with these credentials, else None (through ``throttle``)."""
    if throttle is None:
        return users.authenticate(uow, email, password)
    return throttle.guard(email, lambda: users.authenticate(uow, email, password))


def issue_token(uow: UnitOfWork, email: str, password: str, throttle: Throttle | None = None,
                name: str | None = None) -> IssuedToken | None:
    """Public: one more named API token for these credentials (the others stay), else None."""
    user = authenticate(uow, email, password, throttle)
    if user is None:
        return None
    new = users.issue_named_token(uow, user.id, actor=f"user:{user.id}", name=name)
    return IssuedToken(new.token, user, new.id, new.name)


@query(*ALL_ROLES, system=False)
def my_tokens(uow: Work, actor: Principal) -> list[TokenView]:
    """The caller's live API tokens (names and dates, never the secrets), newest first."""
    return tokens.listing(uow, actor.user_id)


@action(*ALL_ROLES, system=False, any_account=True)
def revoke_my_token(uow: Work, actor: Principal, token_id: int) -> TokenView:
    """Revoke one of the caller's own API tokens (another's is a 404); the others stay."""
    return tokens.revoke(uow, actor.user_id, token_id, actor=actor.actor_name)


def register_organisation(uow: UnitOfWork, data: Registration) -> UserView:
    """Public: register an enterprise or HR agency (pending the bureau's approval) and its login."""
    return registration.register(uow, data)


@action(Role.ADMIN)
def approve_organisation(uow: Work, actor: Principal, kind: str, org_id: int) -> OrgView:
    """Approve a registered enterprise or agency: its users may act from now on."""
    return registration.decide(uow, kind, org_id, approve=True, actor=actor.actor_name)


@action(Role.ADMIN)
def reject_organisation(uow: Work, actor: Principal, kind: str, org_id: int,
                        reason: str) -> OrgView:
    """Reject a registered enterprise or agency, with a reason; its users stay refused."""
    return registration.decide(uow, kind, org_id, approve=False, actor=actor.actor_name,
                               reason=reason or "")


@action(*ALL_ROLES, system=False, any_account=True)
def log_out(uow: Work, actor: Principal, token: str | None = None) -> None:
    """End every session of the caller; with ``token`` (the API token used), revoke that
    token only (the caller's other tokens stay valid)."""
    users.end_sessions(uow, actor.user_id, actor=actor.actor_name, token=token)


def _by_external(uow: Work, model: Any, external_id: str | None, field: str) -> int | None:
    if external_id is None:
        return None
    found = uow.s.scalar(select(model.id).where(model.external_id == external_id))
    if found is None:
        raise ValidationFailed(msg("No record with the external id %(id)s.", id=external_id),
                               fields={field: [msg("No such record.")]})
    return int(found)


@action(Role.ADMIN)
def create_user(uow: Work, actor: Principal, data: NewUser) -> CreatedUser:
    """Create a login with a role, linked to its organisation or profile."""
    user = users.create_user(
        uow, email=data.email, password=data.password, role=data.role, actor=actor.actor_name,
        enterprise_id=_by_external(uow, Enterprise, data.enterprise_external_id,
                                   "enterprise_external_id"),
        agency_id=_by_external(uow, HRAgency, data.agency_external_id, "agency_external_id"),
        seeker_id=_by_external(uow, JobSeeker, data.seeker_external_id, "seeker_external_id"))
    token = (users.issue_token(uow, user.id, actor=actor.actor_name, name="cli")
             if data.with_token else None)
    return CreatedUser(user, token)
