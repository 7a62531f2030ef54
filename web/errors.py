"""One error handler, one JSON error shape: ``{"error": {"code", "message", "fields"?}}``.

API paths (``/api/``) always get JSON; pages get a short HTML page with the same message.
"""

from __future__ import annotations

import logging

from flask import Flask, jsonify, render_template, request
from marshmallow import ValidationError
from werkzeug.exceptions import HTTPException

from matcher.errors import DomainError

log = logging.getLogger(__name__)


def _wants_json() -> bool:
    return request.path.startswith("/api/") or request.accept_mimetypes.best == "application/json"


def _respond(status: int, code: str, message: str, fields: dict | None = None):  # type: ignore[no-untyped-def]
    body: dict[str, object] = {"code": code, "message": message}
    if fields:
        body["fields"] = fields
    if _wants_json():
        return jsonify({"error": body}), status
    return render_template("error.html", status=status, message=message, fields=fields), status


def register(app: Flask) -> None:
    """Install the error handlers on ``app``."""

    @app.errorhandler(DomainError)
    def _domain(exc: DomainError):  # type: ignore[no-untyped-def]
        return _respond(exc.status, exc.code, exc.message, exc.fields)

    @app.errorhandler(ValidationError)
    def _validation(exc: ValidationError):  # type: ignore[no-untyped-def]
        fields = exc.messages if isinstance(exc.messages, dict) else {"_schema": exc.messages}
        return _respond(422, "validation_failed", "invalid input", fields)

    @app.errorhandler(HTTPException)
    def _http(exc: HTTPException):  # type: ignore[no-untyped-def]
        code = (exc.name or "error").lower().replace(" ", "_")
        return _respond(exc.code or 500, code, exc.description or exc.name)

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception):  # type: ignore[no-untyped-def]
        log.exception("unhandled error on %s", request.path)
        return _respond(500, "internal_error", "internal error")
