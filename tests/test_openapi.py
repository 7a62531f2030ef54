"""The OpenAPI document is generated from the schemas; schemathesis fuzzes it in-process."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import schemathesis
from builders.accounts import World, build_world
from flask import Flask
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from schemathesis import checks as st

from matcher.config import Settings
from matcher.enums import Role
from web import create_app

# auth is checked by test_authz_matrix/test_auth; these are the response-contract checks
CHECKS = [st.not_a_server_error, st.status_code_conformance, st.content_type_conformance,
          st.response_schema_conformance]


@pytest.fixture
def world_app(settings: Settings) -> Iterator[tuple[Flask, World]]:
    app = create_app(settings)
    app.config.update(TESTING=True, WORKBRIDGE_CLAIM_LIMIT="10000 per minute",
                      WORKBRIDGE_LOGIN_LIMIT="10000 per minute")
    yield app, build_world(app.extensions["matcher"])
    app.extensions["matcher"].dispose()


def test_document_lists_every_api_route(world_app: tuple[Flask, World]) -> None:
    app, _ = world_app
    client = app.test_client()
    doc = client.get("/api/v1/openapi.json").get_json()
    paths = set(doc["paths"])
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/v1/") and rule.endpoint.split(".")[0] not in (
                "api-docs", "api_docs_page"):
            templated = rule.rule.replace("<int:", "{").replace(">", "}")
            assert templated in paths, templated
    claim = doc["paths"]["/api/v1/agency/claims"]["post"]
    assert any(p["name"] == "Idempotency-Key" for p in claim["parameters"])
    assert doc["components"]["schemas"]["ErrorOut"]["properties"]["error"]
    assert doc["components"]["responses"]["DEFAULT_ERROR"]["content"]["application/json"][
        "schema"] == {"$ref": "#/components/schemas/ErrorOut"}
    page = client.get("/api/v1/docs").get_data(as_text=True)
    assert "/api/v1/enterprise/vacancies/{vacancy_id}/candidates" in page
    assert "cdn" not in page.lower()


@pytest.mark.parametrize("role", list(Role))
def test_schemathesis_no_5xx_and_responses_match(world_app: tuple[Flask, World],
                                                 role: Role) -> None:
    app, world = world_app
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    token = world.party(role).token
    failures: list[str] = []
    ran = 0
    for op_result in schema.get_all_operations():
        operation = op_result.ok()
        if operation.path in ("/api/v1/auth/logout", "/api/v1/me") and \
                operation.method.upper() in ("POST", "DELETE"):
            continue  # would end this role's token mid-run; covered in test_auth/test_privacy

        @given(case=operation.as_strategy())
        @hsettings(max_examples=3, deadline=None, derandomize=True,
                   suppress_health_check=list(HealthCheck), database=None)
        def check(case):  # type: ignore[no-untyped-def]
            case.headers = {**(case.headers or {}), "Authorization": f"Bearer {token}"}
            response = case.call()
            if response.status_code >= 500:
                failures.append(f"{case.method} {case.formatted_path}: {response.status_code}")
            case.validate_response(response, checks=CHECKS)

        check()
        ran += 1
    assert ran >= 30
    assert not failures, failures
