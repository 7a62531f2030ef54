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

from sqlalchemy import Select, func, select, update

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
_TOUCHED = "workbridge.token_touched"  # Session.info key: a read that must commit


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
    """The live token row with this secret (``last_used_at`` refreshed, flushed), else None."""
    found = resolve_owner(uow, token)
    if found is None:
        return None
    uow.s.flush()
    return found[0]


def resolve_owner(uow: UnitOfWork, token: str) -> tuple[ApiToken, User] | None:
    """The live token with this secret and its user, in one query, else None.

    ``last_used_at`` is refreshed at most every :data:`TOUCH_EVERY` (not flushed); a caller
    that only reads commits when :func:`touched` says so.
    """
    if not token:
        return None
    found = uow.s.execute(select(ApiToken, User).join(User, User.id == ApiToken.user_id)
                          .where(ApiToken.token_hash == digest(token),
                                 ApiToken.revoked_at.is_(None))).first()
    if found is None:
        return None
    row, user = found
    now = utcnow()
    last = row.last_used_at
    if last is not None and last.tzinfo is None:  # SQLite returns naive UTC datetimes
        last = last.replace(tzinfo=UTC)
    if last is None or now - last >= TOUCH_EVERY:
        row.last_used_at = now
        uow.s.info[_TOUCHED] = True
    return row, user


def touched(uow: UnitOfWork) -> bool:
    """Whether :func:`resolve_owner` refreshed a token's ``last_used_at`` in this unit of work."""
    return bool(uow.s.info.get(_TOUCHED))


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
