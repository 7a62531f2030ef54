"""Request guards run before any handler: body size and JSON bodies that cannot be stored.

- ``MAX_CONTENT_LENGTH`` (``WORKBRIDGE_MAX_CONTENT_LENGTH``, default 2 MB) caps every body,
  JSON or form; Werkzeug refuses a larger one with 413 before reading it (the one error
  shape, code ``request_entity_too_large``). There are no file uploads on the web side:
  bulk imports go through ``workbridge import`` on the server.
- A JSON body is parsed once here, before webargs or ``request.get_json`` see it: nesting
  deeper than :data:`MAX_DEPTH` (Python's parser would end in a RecursionError) and strings
  holding a lone UTF-16 surrogate such as ``"a\\ud800b"`` (no database can store them) are
  refused with 400 ``invalid_json``.
"""

from __future__ import annotations

import json
from typing import Any

from flask import Flask, Response, current_app, request, send_from_directory

from matcher.words import msg
from web.errors import respond

MAX_DEPTH = 64
JSON_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


class UnsafeJson(ValueError):
    """A JSON document that parses but cannot be accepted."""


def _check_tree(doc: Any) -> None:
    """Refuse nesting deeper than MAX_DEPTH and lone surrogates in keys or strings."""
    stack: list[tuple[Any, int]] = [(doc, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, str):
            _check_text(value)
        elif isinstance(value, dict | list):
            if depth > MAX_DEPTH:
                raise UnsafeJson(msg("Nested deeper than %(n)s levels.", n=MAX_DEPTH))
            items = value.items() if isinstance(value, dict) else enumerate(value)
            for key, item in items:
                if isinstance(key, str):
                    _check_text(key)
                stack.append((item, depth + 1))


def _check_text(text: str) -> None:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise UnsafeJson(
            msg("A string holds a lone UTF-16 surrogate (not valid Unicode).")) from None


def check_json(body: bytes) -> None:
    """Raise :class:`UnsafeJson` or ``ValueError`` if ``body`` is not acceptable JSON."""
    try:
        doc = json.loads(body)
    except RecursionError:
        raise UnsafeJson(msg("Nested deeper than %(n)s levels.", n=MAX_DEPTH)) from None
    _check_tree(doc)


def _guard_json() -> Any:
    if request.method not in JSON_METHODS or not request.is_json:
        return None
    body = request.get_data(cache=True)  # 413 here when over MAX_CONTENT_LENGTH
    if not body:
        return None
    try:
        check_json(body)
    except UnsafeJson as exc:
        return respond(400, "invalid_json", msg("Invalid JSON body: %(reason)s",
                                                reason=exc.args[0]))
    except ValueError:
        return respond(400, "invalid_json", msg("Invalid JSON body."))
    return None


def init_app(app: Flask, max_content_length: int) -> None:
    """Cap request bodies and install the JSON guard on ``app``."""
    if app.config.get("MAX_CONTENT_LENGTH") is None:  # Flask's default is None (no limit)
        app.config["MAX_CONTENT_LENGTH"] = max_content_length
    app.before_request(_guard_json)
    app.add_url_rule("/favicon.ico", "favicon", _favicon)


def _favicon() -> Response:
    """The site icon at the address browsers ask for (no 404 on every page)."""
    return send_from_directory(str(current_app.static_folder), "favicon.svg",
                               mimetype="image/svg+xml", max_age=86400)
