"""Authentication and the request's principal: session cookies (Flask-Login) or Bearer tokens.

- A request with ``Authorization: Bearer <token>`` is authenticated by the token alone
  and is exempt from CSRF (a browser never sends it by itself).
- Every other unsafe request (cookie-authenticated or anonymous) must carry a CSRF token
  (form field ``csrf_token`` or header ``X-CSRFToken``).
- The session stores ``"<user id>:<session_version>"``; logout bumps the version in the
  database, so a replayed old cookie loads no user.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import wraps
from typing import Any, TypeVar

from flask import Flask, current_app, g, request
from flask_login import UserMixin, current_user
from werkzeug.exceptions import Unauthorized

from matcher.accounts import tokens, users
from matcher.enums import Role
from matcher.principal import Principal, require_role
from matcher.runtime import Work
from matcher.words import msg
from web.context import runtime
from web.extensions import csrf, login_manager

T = TypeVar("T")
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class SessionUser(UserMixin):
    """The Flask-Login user: a principal plus the session version it was issued for."""

    def __init__(self, view: users.UserView):
        self.view = view
        self.principal = _principal(view)

    def get_id(self) -> str:
        """Session id: user id and session version."""
        return f"{self.view.id}:{self.view.session_version}"

    @property
    def is_active(self) -> bool:
        """Inactive users cannot log in."""
        return self.view.is_active


def _principal(view: users.UserView) -> Principal:
    return Principal(user_id=view.id, email=view.email, role=Role(view.role),
                     enterprise_id=view.enterprise_id, agency_id=view.agency_id,
                     seeker_id=view.seeker_id, approved=view.approval == "approved")


@login_manager.user_loader
def _load_user(session_id: str) -> SessionUser | None:
    try:
        user_id, version = (int(part) for part in session_id.split(":", 1))
    except ValueError:
        return None
    with runtime().reader() as uow:
        try:
            view = users.get_user(uow, user_id)
        except Exception:  # noqa: BLE001 - a stale id simply means "not logged in"
            return None
    if not view.is_active or view.session_version != version:
        return None
    return SessionUser(view)


def _bearer() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    return token.strip() if scheme.lower() == "bearer" else None


def _before_request() -> None:
    g.principal, g.auth_method = None, None
    token = _bearer()
    if token is not None:
        with runtime().reader() as uow:  # no lock taken: every API request passes here
            view = users.user_by_token(uow, token)
            due = tokens.touch_due(uow)
        if due is not None:  # last_used_at, written at most every 5 minutes
            with runtime().uow() as uow:
                tokens.touch(uow, due)
                uow.commit()
        if view is None:
            raise Unauthorized(msg("The API token is invalid or revoked."))
        g.principal, g.auth_method = _principal(view), "token"
        return
    view_func = current_app.view_functions.get(request.endpoint or "")
    if request.method not in SAFE_METHODS and not getattr(view_func, "csrf_exempt", False):
        csrf.protect()
    if current_user.is_authenticated:
        g.principal, g.auth_method = current_user.principal, "session"


def init_app(app: Flask) -> None:
    """Install the authentication hook (after the extensions are bound)."""
    app.before_request(_before_request)


def principal() -> Principal:
    """The authenticated caller, or 401."""
    p = g.get("principal")
    if p is None:
        raise Unauthorized(msg("Log in or send an API token."))
    assert isinstance(p, Principal)
    return p


def roles(*allowed: Role) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """View decorator: 401 when anonymous, 403 for any other role."""

    def wrap(view: Callable[..., Any]) -> Callable[..., Any]:
        @wraps(view)
        def inner(*args: Any, **kwargs: Any) -> Any:
            require_role(principal(), *allowed)
            return view(*args, **kwargs)

        inner.required_roles = allowed  # type: ignore[attr-defined]
        return inner

    return wrap


@contextmanager
def unit_of_work() -> Iterator[Work]:
    """One transaction for a write view: commits if the block succeeds, else rolls back."""
    with runtime().uow() as uow:
        yield uow
        uow.commit()


def read_public(fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Call a public query ``fn(session, *args)`` (no principal) in a read-only unit of work."""
    with runtime().reader() as uow:
        return fn(uow.s, *args, **kwargs)


def perform(fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Call action ``fn(uow, principal, *args)`` in one transaction and commit it.

    A refusal propagates (the one error handler renders it) and nothing is kept.
    """
    with runtime().uow() as uow:
        out = fn(uow, principal(), *args, **kwargs)
        uow.commit()
    return out


def read(fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Call query ``fn(uow, principal, *args)`` in a read-only unit of work (never committed;
    on SQLite it takes no lock and a write in it fails)."""
    with runtime().reader() as uow:
        return fn(uow, principal(), *args, **kwargs)


def csrf_exempt(view: Callable[..., Any]) -> Callable[..., Any]:
    """Mark a view that needs no CSRF token (it authenticates by credentials in the body)."""
    view.csrf_exempt = True  # type: ignore[attr-defined]
    return view
