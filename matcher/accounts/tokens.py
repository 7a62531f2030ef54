"""Named, revocable API tokens: a user may hold several (one per program), each revoked alone.

A token is ``secrets.token_urlsafe(32)``, shown once when issued; the database keeps only its
SHA-256 (``api_tokens.token_hash``). Issuing never revokes the others, except that a user
keeps at most :data:`MAX_LIVE` live tokens: issuing one more revokes the least recently used
(scripts that log in on every run would otherwise pile up tokens). ``last_used_at`` is
refreshed at most once per :data:`TOUCH_EVERY` so that reads do not write on every request.
Services flush and never commit (the caller's unit of work commits).
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache

from sqlalchemy import Select, bindparam, func, select, update

from matcher import audit
from matcher.db import UnitOfWork
from matcher.errors import NotFound, ValidationFailed
from matcher.models import ApiToken, User
from matcher.models.base import utcnow
from matcher.words import msg

DEFAULT_NAME = "default"
MAX_NAME = 100
MAX_LIVE = 50
TOUCH_EVERY = timedelta(minutes=5)
_TOUCHED = "workbridge.token_touch_due"  # Session.info key: the token to touch


@dataclass(frozen=True)
class TokenView:
    """One token as its owner sees it (never the secret or its hash)."""

    id: int
    name: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


@dataclass(frozen=True)
class NewToken:
    """A token just issued: its secret is only ever returned here."""

    id: int
    name: str
    token: str


def digest(token: str) -> str:
    """SHA-256 hex digest of an API token (what the database stores)."""
    return hashlib.sha256(token.encode()).hexdigest()


def _view(t: ApiToken) -> TokenView:
    return TokenView(t.id, t.name, t.created_at, t.last_used_at, t.revoked_at)


def _name(name: str | None) -> str:
    clean = " ".join((name or "").split())
    if len(clean) > MAX_NAME:
        raise ValidationFailed(msg("The token name is too long."),
                               fields={"name": [msg("At most %(max)s characters.", max=MAX_NAME)]})
    return clean or DEFAULT_NAME


def _live(user_id: int) -> Select[ApiToken]:
    return select(ApiToken).where(ApiToken.user_id == user_id, ApiToken.revoked_at.is_(None))


def issue(uow: UnitOfWork, user_id: int, *, actor: str, name: str | None = None) -> NewToken:
    """Create a named token for the user (the others stay valid); the secret is returned once."""
    label = _name(name)
    live = list(uow.s.scalars(_live(user_id).order_by(
        func.coalesce(ApiToken.last_used_at, ApiToken.created_at), ApiToken.id)))
    for old in live[:max(0, len(live) - MAX_LIVE + 1)]:
        old.revoked_at = utcnow()
        audit.record(uow.s, actor, "user.token_revoked", "user", user_id,
                     {"token_id": old.id, "reason": f"more than {MAX_LIVE} live tokens"})
    secret = secrets.token_urlsafe(32)
    row = ApiToken(user_id=user_id, name=label, token_hash=digest(secret), created_at=utcnow())
    uow.s.add(row)
    uow.s.flush()
    audit.record(uow.s, actor, "user.token_issued", "user", user_id,
                 {"token_id": row.id, "name": label})
    return NewToken(row.id, label, secret)


def resolve(uow: UnitOfWork, token: str) -> ApiToken | None:
    """The live token row with this secret (``last_used_at`` refreshed when due, flushed),
    else None."""
    found = resolve_owner(uow, token)
    if found is None:
        return None
    due = touch_due(uow)
    if due is not None:
        touch(uow, due)
        uow.s.refresh(found[0], ["last_used_at"])
    return found[0]


@cache
def _owner_statement() -> Select[ApiToken, User]:
    """The live token of a hash and its user (built once: every API request runs it, and
    building the statement cost about as much as running it)."""
    return (select(ApiToken, User).join(User, User.id == ApiToken.user_id)
            .where(ApiToken.token_hash == bindparam("token_hash"), ApiToken.revoked_at.is_(None)))


def resolve_owner(uow: UnitOfWork, token: str) -> tuple[ApiToken, User] | None:
    """The live token with this secret and its user, in one query, else None. Writes
    nothing (a read-only unit of work may call it): when ``last_used_at`` is older than
    :data:`TOUCH_EVERY`, :func:`touch_due` names the token for the caller to :func:`touch`.
    """
    if not token:
        return None
    found = uow.s.execute(_owner_statement(), {"token_hash": digest(token)}).first()
    if found is None:
        return None
    row, user = found
    last = row.last_used_at
    if last is not None and last.tzinfo is None:  # SQLite returns naive UTC datetimes
        last = last.replace(tzinfo=UTC)
    if last is None or utcnow() - last >= TOUCH_EVERY:
        uow.s.info[_TOUCHED] = row.id
    return row, user


def touch_due(uow: UnitOfWork) -> int | None:
    """The token :func:`resolve_owner` found in this unit of work whose ``last_used_at`` is
    due a refresh (at most every :data:`TOUCH_EVERY`), else None."""
    due = uow.s.info.get(_TOUCHED)
    return int(due) if due is not None else None


def touch(uow: UnitOfWork, token_id: int) -> None:
    """Record that the token was used now (one UPDATE; the caller commits)."""
    uow.s.execute(update(ApiToken).where(ApiToken.id == token_id).values(last_used_at=utcnow()))
    uow.s.info.pop(_TOUCHED, None)


def listing(uow: UnitOfWork, user_id: int) -> list[TokenView]:
    """The user's live tokens, newest first."""
    rows = uow.s.scalars(_live(user_id).order_by(ApiToken.id.desc()))
    return [_view(t) for t in rows]


def revoke(uow: UnitOfWork, user_id: int, token_id: int, *, actor: str) -> TokenView:
    """Revoke one of the user's own live tokens (another's, or one already revoked: NotFound)."""
    row = uow.s.get(ApiToken, token_id)
    if row is None or row.user_id != user_id or row.revoked_at is not None:
        raise NotFound(msg("No token %(id)s.", id=token_id))
    row.revoked_at = utcnow()
    uow.s.flush()
    audit.record(uow.s, actor, "user.token_revoked", "user", user_id, {"token_id": token_id})
    return _view(row)


def revoke_secret(uow: UnitOfWork, user_id: int, token: str, *, actor: str) -> None:
    """Revoke the user's token with this secret (logging out with a token ends that one only)."""
    row = resolve(uow, token)
    if row is not None and row.user_id == user_id:
        revoke(uow, user_id, row.id, actor=actor)


def revoke_all(uow: UnitOfWork, user_id: int) -> None:
    """Revoke every live token of the user (the account is being disabled)."""
    uow.s.execute(update(ApiToken).where(ApiToken.user_id == user_id,
                                         ApiToken.revoked_at.is_(None))
                  .values(revoked_at=utcnow()).execution_options(synchronize_session=False))
