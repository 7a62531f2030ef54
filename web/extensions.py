"""Flask extensions, created unbound here and bound to each app in :func:`init_app`.

Rate-limit storage comes from ``RATELIMIT_STORAGE_URI`` (default ``memory://``; use
``redis://127.0.0.1:6379`` when several workers must share the counters).
"""

from __future__ import annotations

from flask import Flask
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_wtf.csrf import CSRFProtect

login_manager = LoginManager()
csrf = CSRFProtect()
limiter = Limiter(key_func=get_remote_address, default_limits=[])

DEFAULTS: dict[str, object] = {
    "RATELIMIT_STORAGE_URI": "memory://",
    "RATELIMIT_HEADERS_ENABLED": True,
    "WORKBRIDGE_LOGIN_LIMIT": "10 per minute",
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


def init_app(app: Flask) -> None:
    """Bind the extensions to ``app`` (after its config is final)."""
    for key, value in DEFAULTS.items():
        app.config.setdefault(key, value)
    app.config.update(COOKIES)
    secure = bool(app.config.get("WORKBRIDGE_COOKIE_SECURE", False))  # Secure behind HTTPS
    app.config["SESSION_COOKIE_SECURE"] = app.config["REMEMBER_COOKIE_SECURE"] = secure
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.session_protection = "basic"
    csrf.init_app(app)
    limiter.init_app(app)
