"""JSON API, version 1, under ``/api/v1``: flask-smorest blueprints, one per role.

Lists are paginated: ``{"items": [...], "page": {page, per_page, total, pages}}``. The
OpenAPI document is generated from the marshmallow schemas and served at
``/api/v1/openapi.json``; ``/api/v1/docs`` is a self-hosted page listing the operations.
"""

from __future__ import annotations

from flask import Flask
from flask_smorest import Api

from web.api import (
    admin,
    agency,
    applications,
    auth,
    bureau,
    claims,
    docs,
    enterprise,
    jobs,
    lending,
    seeker,
    vacancies,
)
from web.api.schemas import ErrorOut

API_PREFIX = "/api/v1"


class WorkbridgeApi(Api):
    """flask-smorest Api documenting our one error shape."""

    ERROR_SCHEMA = ErrorOut


def init_app(app: Flask) -> WorkbridgeApi:
    """Create the Api for ``app`` and register every API blueprint."""
    app.config.setdefault("API_TITLE", "workbridge")
    app.config.setdefault("API_VERSION", "v1")
    app.config.setdefault("OPENAPI_VERSION", "3.0.3")
    app.config.setdefault("OPENAPI_URL_PREFIX", API_PREFIX)
    app.config.setdefault("OPENAPI_JSON_PATH", "openapi.json")
    app.config.setdefault("API_SPEC_OPTIONS", {"components": {"securitySchemes": {
        "bearer": {"type": "http", "scheme": "bearer"},
        "cookie": {"type": "apiKey", "in": "cookie", "name": "session"},
    }}, "security": [{"bearer": []}, {"cookie": []}]})
    api = WorkbridgeApi(app)
    docs.document_money(api)  # units of every *_fen / *_yuan / wage / cost field

    for module in (vacancies, auth, seeker, enterprise, lending, agency, admin, bureau, jobs):
        api.register_blueprint(module.blp)
    for blueprint in applications.BLUEPRINTS:
        api.register_blueprint(blueprint)
    for blueprint in claims.BLUEPRINTS:  # enterprise and person claims, eligibility
        api.register_blueprint(blueprint)
    app.register_blueprint(docs.bp, url_prefix=API_PREFIX)
    return api
