"""workbridge web front end and JSON API (Flask). Build the app with :func:`create_app`."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from flask import Flask
from werkzeug.routing import IntegerConverter, Map

from matcher.config import Settings, load_settings
from matcher.pii import MaskingFilter
from matcher.runtime import Runtime
from web import api, errors, extensions, guards, i18n, labels, pages, security
from web.auth import bp as auth_bp
from web.bureau import bp as bureau_bp
from web.context import runtime
from web.public import bp as public_bp

MAX_ID = 2**31 - 1


class IdConverter(IntegerConverter):
    """``<int:...>`` ids limited to the database's 32-bit id range (larger ids are 404)."""

    def __init__(self, url_map: Map, *args: Any, **kwargs: Any):
        kwargs.setdefault("max", MAX_ID)
        super().__init__(url_map, *args, **kwargs)


def create_app(config: Mapping[str, Any] | Settings | None = None) -> Flask:
    """Create the Flask app; ``config`` is Settings, or a mapping of overrides.

    Nothing heavy is built here: the database engine, encoder and FAISS indexes load in
    each (forked) worker process, before its first request under gunicorn
    (``gunicorn.conf.py``: ``post_worker_init``), else on first use.
    """
    app = Flask(__name__)
    app.url_map.converters["int"] = IdConverter
    if isinstance(config, Settings):
        settings = config
    else:
        overrides = dict(config or {})
        flask_keys = {k: overrides.pop(k) for k in list(overrides) if k.isupper()}
        app.config.update(flask_keys)
        settings = load_settings(**overrides)
    if not app.config.get("SECRET_KEY"):  # Flask's default is None, so setdefault is a no-op
        app.config["SECRET_KEY"] = settings.secret_key
    app.json.sort_keys = False  # type: ignore[attr-defined]  # fields in schema order
    app.config.setdefault("WORKBRIDGE_COOKIE_SECURE", settings.cookie_secure)
    app.config.setdefault("RATELIMIT_STORAGE_URI", settings.ratelimit_storage)
    app.config.setdefault("WORKBRIDGE_LOGIN_LIMIT", settings.login_limit)
    app.config.setdefault("WORKBRIDGE_CLAIM_LIMIT", settings.claim_limit)
    app.config.setdefault("WORKBRIDGE_PROFILE_LIMIT", settings.profile_limit)
    app.extensions["matcher"] = Runtime(settings)

    for handler in app.logger.handlers:
        handler.addFilter(MaskingFilter())
    logging.getLogger("werkzeug").addFilter(MaskingFilter())

    guards.init_app(app, settings.max_content_length)  # body size, unstorable JSON: first
    extensions.init_app(app)
    i18n.init_app(app)
    labels.init_app(app)  # field labels in error summaries
    security.init_app(app)
    api.init_app(app)
    errors.register(app)  # after the Api: our one error shape wins over flask-smorest's
    app.register_blueprint(public_bp)
    app.register_blueprint(auth_bp, url_prefix="/auth")
    pages.init_app(app)  # /seeker, /enterprise, /agency, /admin
    app.register_blueprint(bureau_bp)

    @app.teardown_appcontext
    def _noop(_exc: BaseException | None) -> None:
        return None

    @app.after_request
    def _security_headers(response):
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault(
            "Content-Security-Policy", "default-src 'self'; style-src 'self'; img-src 'self' data:"
        )
        return response

    return app


__all__ = ["create_app", "runtime"]
