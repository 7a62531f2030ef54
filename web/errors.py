"""One error handler, one JSON error shape: ``{"error": {"code", "message", "fields"?}}``.

API paths (``/api/``) always get JSON; pages get a short HTML page with the same message.
A busy database (SQLite lock wait over ``WORKBRIDGE_DB_LOCK_TIMEOUT``, a PostgreSQL lock or
statement timeout) answers 503 ``database_busy`` with ``Retry-After`` instead of hanging.
"""

from __future__ import annotations

import logging

from flask import Flask, jsonify, render_template, request
from flask_wtf.csrf import CSRFError
from marshmallow import ValidationError
from werkzeug.exceptions import HTTPException

from matcher.errors import DomainError
from matcher.faults import busy_reason, is_database_busy
from matcher.words import Msg, msg
from web.i18n import translate, translate_fields

log = logging.getLogger(__name__)


def _wants_json() -> bool:
    return request.path.startswith("/api/") or request.accept_mimetypes.best == "application/json"


#: seconds a client should wait before retrying when the database is busy
RETRY_AFTER_BUSY = 2
def respond(status: int, code: str, message: str, fields: dict | None = None):
    """The error answer in the one shape (JSON for the API, a page otherwise)."""
    return _respond(status, code, message, fields)


#: what a person reads for each HTTP status raised outside our own errors (Werkzeug's)
HTTP_MESSAGES = {
    400: msg("The request could not be read."),
    401: msg("Please log in first."),
    403: msg("You may not open this page."),
    404: msg("This page or record does not exist."),
    405: msg("This action is not available here."),
    409: msg("This conflicts with what is already recorded."),
    413: msg("The upload is too large."),
    415: msg("This kind of upload is not accepted."),
    422: msg("Please check the highlighted fields."),
    429: msg("Too many attempts. Please wait a moment and try again."),
    500: msg("Something went wrong on our side. Nothing was changed; please try again."),
    503: msg("The service is busy. Please try again shortly."),
}


def _respond(status: int, code: str, message: object, fields: dict | None = None):
    text = translate(message)
    shown = translate_fields(fields)
    body: dict[str, object] = {"code": code, "message": text}
    if shown:
        body["fields"] = shown
    if _wants_json():
        return jsonify({"error": body}), status
    return render_template("error.html", status=status, code=code, message=text,
                           fields=shown), status


def _flatten(messages: dict) -> dict:
    """webargs nests messages by location (``{"json": {...}}``); merge the locations."""
    out: dict = {}
    for location, value in messages.items():
        if isinstance(value, dict):
            out.update(value)
        else:
            out[location] = value
    return out


def register(app: Flask) -> None:
    """Install the error handlers on ``app``."""

    @app.errorhandler(DomainError)
    def _domain(exc: DomainError):
        return _respond(exc.status, exc.code, exc.message, exc.fields)

    @app.errorhandler(ValidationError)
    def _validation(exc: ValidationError):
        fields = exc.messages if isinstance(exc.messages, dict) else {"_schema": exc.messages}
        return _respond(422, "validation_failed", HTTP_MESSAGES[422], fields)

    @app.errorhandler(HTTPException)
    def _http(exc: HTTPException):
        messages = (getattr(exc, "data", None) or {}).get("messages")
        if exc.code == 422 and isinstance(messages, dict):  # webargs via flask-smorest
            return _respond(422, "validation_failed", HTTP_MESSAGES[422], _flatten(messages))
        code = (exc.name or "error").lower().replace(" ", "_")
        message = HTTP_MESSAGES.get(exc.code or 500, HTTP_MESSAGES[400])
        if isinstance(exc.description, Msg):  # worded on purpose (e.g. the minutes to wait)
            message = exc.description
        if isinstance(exc, CSRFError):
            message = msg("The form's CSRF token is missing or expired: reload the page and "
                          "send it again.")
        response = _respond(exc.code or 500, code, message)
        if exc.code == 429:  # keep Retry-After and the rate-limit headers
            body, status = response
            original = exc.get_response()
            resp = app.make_response((body, status))
            for name in ("Retry-After",):
                if name in original.headers:
                    resp.headers[name] = original.headers[name]
            return resp
        return response

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception):
        if is_database_busy(exc):
            log.warning("database busy on %s: %s", request.path, busy_reason(exc))
            body, status = _respond(503, "database_busy",
                                    HTTP_MESSAGES[503])
            resp = app.make_response((body, status))
            resp.headers["Retry-After"] = str(RETRY_AFTER_BUSY)
            return resp
        log.exception("unhandled error on %s", request.path)
        return _respond(500, "internal_error", HTTP_MESSAGES[500])
