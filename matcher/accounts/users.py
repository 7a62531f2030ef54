"""Users service: create, authenticate, API tokens, session versions, demo users.

Passwords are hashed with :mod:`werkzeug.security` and must pass the policy of
:mod:`matcher.accounts.passwords` (the demo seed alone may pass ``trusted_demo=True``); API
tokens are named and revocable (:mod:`matcher.accounts.tokens`). Logging out bumps
``session_version`` so a replayed session cookie of the old version is rejected.
Services flush and never commit (the caller's unit of work commits).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import object_session
from werkzeug.security import check_password_hash, generate_password_hash

from matcher import audit
from matcher.accounts import passwords, tokens
from matcher.db import UnitOfWork
from matcher.enums import Role
from matcher.errors import Conflict, NotFound, ValidationFailed
from matcher.models import Enterprise, HRAgency, JobSeeker, User
from matcher.pii import mask_text
from matcher.words import msg, word, words

# Timing equaliser: checking an unknown email still costs one hash comparison.
_DUMMY_HASH = generate_password_hash("not-a-password")


@dataclass(frozen=True)
class UserView:
    """A user as services return it (never the password or token hash)."""

    id: int
    email: str
    role: str
    enterprise_id: int | None
    agency_id: int | None
    seeker_id: int | None
    is_active: bool
    session_version: int
    approval: str = "approved"


def _approval(u: User) -> str:
    """The approval state of the user's enterprise or agency (people are always approved)."""
    s = object_session(u)
    org = (s.get(Enterprise, u.enterprise_id) if u.enterprise_id is not None else
           s.get(HRAgency, u.agency_id) if u.agency_id is not None else None) if s else None
    return org.approval_status if org is not None else "approved"


def _view(u: User) -> UserView:
    return UserView(u.id, u.email, str(u.role), u.enterprise_id, u.agency_id, u.seeker_id,
                    u.is_active, u.session_version, _approval(u))


def _check_link(uow: UnitOfWork, role: Role, enterprise_id: int | None, agency_id: int | None,
                seeker_id: int | None) -> None:
    links = {"enterprise_id": enterprise_id, "agency_id": agency_id, "seeker_id": seeker_id}
    needed = {Role.ENTERPRISE: "enterprise_id", Role.AGENCY: "agency_id",
              Role.SEEKER: "seeker_id"}.get(role)
    errors = {name: [msg("Not allowed for this role.")] for name, value in links.items()
              if value is not None and name != needed}
    if needed and links[needed] is None:
        errors[needed] = [msg("Required for the role %(role)s.", role=word(role.value))]
    if errors:
        raise ValidationFailed(msg("The user's links do not fit the role."), fields=errors)
    model = {"enterprise_id": Enterprise, "agency_id": HRAgency, "seeker_id": JobSeeker}
    if needed and uow.s.get(model[needed], links[needed]) is None:
        raise ValidationFailed(msg("Unknown linked record."),
                               fields={needed: [msg("No such record.")]})


def login_problems(email: str, password: str, *,
                   trusted_demo: bool = False) -> dict[str, list[str]]:
    """What is wrong with a new login's email and password, by field (empty when fine)."""
    errors: dict[str, list[str]] = {}
    email = (email or "").strip().lower()
    if not email:
        errors["email"] = [msg("This field is required.")]
    elif "@" not in email or len(email) > 254:
        errors["email"] = [msg("A valid email address is required.")]
    if not isinstance(password, str) or not password:
        errors["password"] = [msg("This field is required.")]
    elif not trusted_demo and (weak := passwords.problems(password, email)):
        errors["password"] = weak
    return errors


def create_user(uow: UnitOfWork, *, email: str, password: str, role: Role | str,
                enterprise_id: int | None = None, agency_id: int | None = None,
                seeker_id: int | None = None, actor: str = "system",
                trusted_demo: bool = False) -> UserView:
    """Create a login with a role, linked to its enterprise, agency or seeker.

    The password must pass :mod:`matcher.accounts.passwords`; ``trusted_demo=True`` (only
    :mod:`matcher.demo`, for its documented ``demo`` logins) skips the policy.
    """
    email = (email or "").strip().lower()
    errors = login_problems(email, password, trusted_demo=trusted_demo)
    try:
        role = Role(role)
    except ValueError:
        errors["role"] = [msg("Must be one of: %(choices)s.",
                              choices=words([r.value for r in Role]))]
    if errors:
        raise ValidationFailed(msg("The user is not valid."), fields=errors)
    assert isinstance(role, Role)
    _check_link(uow, role, enterprise_id, agency_id, seeker_id)
    user = User(email=email, password_hash=generate_password_hash(password), role=role,
                enterprise_id=enterprise_id, agency_id=agency_id, seeker_id=seeker_id,
                is_active=True, session_version=1)
    try:
        with uow.s.begin_nested():
            uow.s.add(user)
            uow.s.flush()
    except IntegrityError:
        raise Conflict(msg("A user with this email exists."), code="duplicate_user",
                       fields={"email": [msg("Already registered.")]}) from None
    audit.record(uow.s, actor, "user.create", "user", user.id,
                 {"email": mask_text(email), "role": role.value})
    return _view(user)


def authenticate(uow: UnitOfWork, email: str, password: str) -> UserView | None:
    """The active user with this email and password, else None."""
    user = uow.s.scalar(select(User).where(User.email == (email or "").strip().lower()))
    if user is None:
        check_password_hash(_DUMMY_HASH, password or "")
        return None
    if not user.is_active or not check_password_hash(user.password_hash, password or ""):
        return None
    return _view(user)


def get_user(uow: UnitOfWork, user_id: int) -> UserView:
    """One user or NotFound."""
    user = uow.s.get(User, user_id)
    if user is None:
        raise NotFound(msg("No user %(id)s.", id=user_id))
    return _view(user)


def user_by_token(uow: UnitOfWork, token: str) -> UserView | None:
    """The active user holding this live API token, else None (writes nothing: a token due
    a ``last_used_at`` refresh is named by :func:`matcher.accounts.tokens.touch_due`)."""
    found = tokens.resolve_owner(uow, token)  # one query
    if found is None:
        return None
    user = found[1]
    return _view(user) if user.is_active else None


def issue_token(uow: UnitOfWork, user_id: int, *, actor: str, name: str | None = None) -> str:
    """Create one more named API token for the user (the others stay valid); returned once."""
    return issue_named_token(uow, user_id, actor=actor, name=name).token


def issue_named_token(uow: UnitOfWork, user_id: int, *, actor: str,
                      name: str | None = None) -> tokens.NewToken:
    """Like :func:`issue_token`, returning the token's id and name too."""
    if uow.s.get(User, user_id) is None:
        raise NotFound(msg("No user %(id)s.", id=user_id))
    return tokens.issue(uow, user_id, actor=actor, name=name)


def end_sessions(uow: UnitOfWork, user_id: int, *, actor: str, token: str | None = None) -> None:
    """Log out everywhere: bump ``session_version`` (old cookies stop working); with
    ``token``, that API token is revoked too (the user's other tokens stay valid)."""
    uow.s.execute(update(User).where(User.id == user_id)
                  .values(session_version=User.session_version + 1)
                  .execution_options(synchronize_session=False))
    if token:
        tokens.revoke_secret(uow, user_id, token, actor=actor)
    audit.record(uow.s, actor, "user.logout", "user", user_id, {"token_revoked": bool(token)})


def set_password(uow: UnitOfWork, user_id: int, password: str, *, actor: str,
                 trusted_demo: bool = False) -> None:
    """Change a user's password (policy checked unless ``trusted_demo``, which only
    :mod:`matcher.demo` passes); other sessions end."""
    user = uow.s.get(User, user_id)
    if user is None:
        raise NotFound(msg("No user %(id)s.", id=user_id))
    if not trusted_demo:
        passwords.check(password, user.email)
    user.password_hash = generate_password_hash(password)
    user.session_version += 1
    uow.s.flush()
    audit.record(uow.s, actor, "user.password_changed", "user", user_id, {})


def deactivate(uow: UnitOfWork, user_id: int, *, actor: str) -> None:
    """Disable a login (e.g. after its seeker deleted their account); ends its sessions."""
    uow.s.execute(update(User).where(User.id == user_id).values(
        is_active=False, session_version=User.session_version + 1)
        .execution_options(synchronize_session=False))
    tokens.revoke_all(uow, user_id)
    audit.record(uow.s, actor, "user.deactivate", "user", user_id, {})
