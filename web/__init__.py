"""workbridge web front end and JSON API (Flask). Build the app with :func:`create_app`."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from flask import Flask

from matcher.config import Settings, load_settings
from matcher.pii import MaskingFilter
from matcher.runtime import Runtime


def create_app(config: Mapping[str, Any] | Settings | None = None) -> Flask:
    """Create the Flask app; ``config`` is Settings, or a mapping of overrides.

    Nothing heavy is built here: the database engine, encoder and FAISS indexes load on
    first use inside each (forked) worker process.
    """
    app = Flask(__name__)
    if isinstance(config, Settings):
        settings = config
    else:
        overrides = dict(config or {})
        flask_keys = {k: overrides.pop(k) for k in list(overrides) if k.isupper()}
        app.config.update(flask_keys)
        settings = load_settings(**overrides)
    app.config.setdefault("SECRET_KEY", settings.secret_key)
    app.config.setdefault("JSON_SORT_KEYS", False)
    app.extensions["matcher"] = Runtime(settings)

    for handler in app.logger.handlers:
        handler.addFilter(MaskingFilter())
    logging.getLogger("werkzeug").addFilter(MaskingFilter())

    from web import errors
    from web.api import bp as api_bp
    from web.public import bp as public_bp

    errors.register(app)
    app.register_blueprint(public_bp)
    app.register_blueprint(api_bp, url_prefix="/api/v1")

    @app.teardown_appcontext
    def _noop(_exc: BaseException | None) -> None:
        return None

    @app.after_request
    def _security_headers(response):  # type: ignore[no-untyped-def]
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault(
            "Content-Security-Policy", "default-src 'self'; style-src 'self'; img-src 'self' data:"
        )
        return response

    return app


def runtime() -> Runtime:
    """The current app's matcher Runtime."""
    from flask import current_app

    rt: Runtime = current_app.extensions["matcher"]
    return rt
