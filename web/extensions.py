"""Flask extensions, created unbound here and bound to each app in :func:`init_app`.

Rate limits live on ``RATELIMIT_STORAGE_URI`` (default ``redis://127.0.0.1:6379/0``, shared
by every gunicorn worker); when Redis does not answer at app start the app falls back to
``memory://`` (per process) and logs a warning. Keys are prefixed with a hash of the database
URL: workers of one site share counters, two sites (or two tests) on one Redis do not.

Login throttling (issue 17): every credential check (``POST /auth/login``,
``POST /api/v1/auth/token``) goes through the per-account :class:`Throttle` (10 failures per
15 minutes, then a doubling lockout; :mod:`matcher.accounts.throttle`) and one Flask-Limiter
limit per client address shared by both endpoints, ``WORKBRIDGE_LOGIN_LIMIT`` (100 failed
checks per 15 minutes), that counts only failed checks, so one attacked account never locks
out the other accounts behind the same address.
"""

from __future__ import annotations

import hashlib

from flask import Flask, current_app
from flask.wrappers import Response
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_wtf.csrf import CSRFProtect
from werkzeug.exceptions import TooManyRequests

from matcher.accounts.throttle import Policy, Throttle, TooManyAttempts, resolve_storage

login_manager = LoginManager()
csrf = CSRFProtect()
limiter = Limiter(key_func=get_remote_address, default_limits=[])
LOGIN_SCOPE = "login"

DEFAULTS: dict[str, object] = {
    "RATELIMIT_HEADERS_ENABLED": True,
    "RATELIMIT_IN_MEMORY_FALLBACK_ENABLED": True,  # Redis gone later: count per process
    "WORKBRIDGE_LOGIN_LIMIT": "100 per 15 minutes",
    "WORKBRIDGE_LOGIN_ACCOUNT_LIMIT": "10 per 15 minutes",
    "WORKBRIDGE_SIGNUP_LIMIT": "10 per minute",
    "WORKBRIDGE_CLAIM_LIMIT": "30 per minute",
    "WTF_CSRF_CHECK_DEFAULT": False,  # web.security decides: cookie writes only
    "WTF_CSRF_TIME_LIMIT": None,  # tied to the session instead
}
COOKIES: dict[str, object] = {  # Flask has defaults for these, so they are set outright
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "REMEMBER_COOKIE_HTTPONLY": True,
    "REMEMBER_COOKIE_SAMESITE": "Lax",
}


class AttemptsRefused(TooManyRequests):
    """HTTP form of :class:`TooManyAttempts` (code ``too_many_attempts``, ``Retry-After``)."""

    name = "Too Many Attempts"


def refused(exc: TooManyAttempts) -> AttemptsRefused:
    """The 429 to raise for a locked account (the one error handler renders it)."""
    return AttemptsRefused(exc.message, retry_after=exc.retry_after)


def login_limit() -> str:
    """The per-address limit on failed credential checks (all login endpoints together)."""
    return str(current_app.config["WORKBRIDGE_LOGIN_LIMIT"])


def signup_limit() -> str:
    """The per-address limit on registrations."""
    return str(current_app.config["WORKBRIDGE_SIGNUP_LIMIT"])


def failed_check(response: Response) -> bool:
    """Only a refused credential check (401) counts against the address."""
    return response.status_code == 401


login_limited = limiter.shared_limit(login_limit, scope=LOGIN_SCOPE, methods=["POST"],
                                     deduct_when=failed_check)


def login_throttle() -> Throttle:
    """The per-account login throttle of the current app."""
    throttle = current_app.extensions["login_throttle"]
    assert isinstance(throttle, Throttle)
    policy = Policy.parse(str(current_app.config["WORKBRIDGE_LOGIN_ACCOUNT_LIMIT"]))
    if policy != throttle.policy:  # the config was changed after create_app (tests)
        throttle.policy = policy
    return throttle


def _settings_defaults(app: Flask) -> None:
    runtime = app.extensions.get("matcher")
    settings = getattr(runtime, "settings", None)
    if settings is not None:
        app.config.setdefault("WORKBRIDGE_LOGIN_ACCOUNT_LIMIT", settings.login_account_limit)
        app.config.setdefault("WORKBRIDGE_SIGNUP_LIMIT", settings.signup_limit)
        app.config.setdefault("RATELIMIT_STORAGE_URI", settings.ratelimit_storage)
        database = settings.database_url
    else:
        database = ""
    app.config.setdefault("RATELIMIT_STORAGE_URI", "redis://127.0.0.1:6379/0")
    site = hashlib.sha256(database.encode()).hexdigest()[:12]
    app.config.setdefault("WORKBRIDGE_RATELIMIT_PREFIX", f"wb:{site}")
    # per app, in the storage (Flask-Limiter keeps the first app's RATELIMIT_KEY_PREFIX for
    # every later app of the process, but builds each app's storage anew)
    app.config.setdefault("RATELIMIT_STORAGE_OPTIONS",
                          {"key_prefix": f"LIMITS:{app.config['WORKBRIDGE_RATELIMIT_PREFIX']}"})


def init_app(app: Flask) -> None:
    """Bind the extensions to ``app`` (after its config is final)."""
    _settings_defaults(app)
    for key, value in DEFAULTS.items():
        app.config.setdefault(key, value)
    app.config.update(COOKIES)
    secure = bool(app.config.get("WORKBRIDGE_COOKIE_SECURE", False))  # Secure behind HTTPS
    app.config["SESSION_COOKIE_SECURE"] = app.config["REMEMBER_COOKIE_SECURE"] = secure
    storage = resolve_storage(str(app.config["RATELIMIT_STORAGE_URI"]))
    app.config["RATELIMIT_STORAGE_URI"] = storage
    app.extensions["login_throttle"] = Throttle(
        storage, f"{app.config['WORKBRIDGE_RATELIMIT_PREFIX']}:login",
        Policy.parse(str(app.config["WORKBRIDGE_LOGIN_ACCOUNT_LIMIT"])))
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.session_protection = "basic"
    csrf.init_app(app)
    limiter.init_app(app)
