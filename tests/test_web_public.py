"""The public pages and vacancy API list open vacancies, filter them and fail cleanly."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient

from matcher.config import Settings
from matcher.enums import EmploymentType, KeyTier, VacancyStatus
from matcher.models import Enterprise, Vacancy
from matcher.runtime import Runtime
from web import create_app


@pytest.fixture
def app(settings: Settings) -> Iterator[Flask]:
    app = create_app(settings)
    app.config["TESTING"] = True
    rt: Runtime = app.extensions["matcher"]
    with rt.uow() as uow:
        wh = Enterprise(external_id="e1", name="京东物流亚洲一号仓", district="大兴区",
                        key_tier=KeyTier.KEY)
        shop = Enterprise(external_id="e2", name="Chaoyang Bakery", district="朝阳区")
        uow.s.add_all([wh, shop])
        uow.s.flush()
        uow.s.add_all([
            Vacancy(external_id="v1", enterprise_id=wh.id, title="仓库叉车司机 Forklift driver",
                    district="大兴区", required_skills=["叉车证"], headcount=3),
            Vacancy(external_id="v2", enterprise_id=shop.id, title="Baker assistant",
                    district="朝阳区", employment_type=EmploymentType.SHORT_TERM),
            Vacancy(external_id="v3", enterprise_id=shop.id, title="Closed cashier",
                    district="朝阳区", status=VacancyStatus.CLOSED),
            Vacancy(external_id="v4", enterprise_id=shop.id, title="Full cashier",
                    district="朝阳区", headcount=1, filled=1),
        ])
        uow.commit()
    yield app
    rt.dispose()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def test_home_lists_open_vacancies_only(client: FlaskClient) -> None:
    html = client.get("/").get_data(as_text=True)
    assert "仓库叉车司机 Forklift driver" in html
    assert "Baker assistant" in html
    assert "Closed cashier" not in html and "Full cashier" not in html
    assert '<span class="badge">重点</span>' in html  # key-enterprise badge


def test_filters_by_words_district_and_type(client: FlaskClient) -> None:
    body = client.get("/api/v1/vacancies?q=forklift").get_json()
    assert [v["external_id"] for v in body["items"]] == ["v1"]
    body = client.get("/api/v1/vacancies?district=朝阳区").get_json()
    assert [v["external_id"] for v in body["items"]] == ["v2"]
    body = client.get("/api/v1/vacancies?employment_type=short_term").get_json()
    assert [v["external_id"] for v in body["items"]] == ["v2"]
    assert body["page"] == {"page": 1, "per_page": 20, "total": 1, "pages": 1}


def test_the_search_form_as_submitted_with_every_choice_left_open(client: FlaskClient) -> None:
    """The form sends empty ``district`` and ``employment_type`` for "any": no 422."""
    page = client.get("/?q=forklift&district=&employment_type=")
    assert page.status_code == 200
    body = client.get("/api/v1/vacancies?q=forklift&district=&employment_type=").get_json()
    assert [v["external_id"] for v in body["items"]] == ["v1"]


def test_key_enterprises_listed_first_and_pagination(client: FlaskClient) -> None:
    body = client.get("/api/v1/vacancies?per_page=1&page=1").get_json()
    assert [v["external_id"] for v in body["items"]] == ["v1"]
    assert body["page"]["pages"] == 2
    body = client.get("/api/v1/vacancies?per_page=1&page=2").get_json()
    assert [v["external_id"] for v in body["items"]] == ["v2"]


def test_bad_arguments_are_422_with_field_messages(client: FlaskClient) -> None:
    resp = client.get("/api/v1/vacancies?employment_type=forever&per_page=0")
    assert resp.status_code == 422
    err = resp.get_json()["error"]
    assert err["code"] == "validation_failed"
    assert set(err["fields"]) == {"employment_type", "per_page"}


def test_vacancy_page_and_404(client: FlaskClient) -> None:
    vid = client.get("/api/v1/vacancies?q=forklift").get_json()["items"][0]["id"]
    assert "叉车证" in client.get(f"/vacancies/{vid}").get_data(as_text=True)
    resp = client.get("/api/v1/vacancies/99999")
    assert resp.status_code == 404
    assert resp.get_json()["error"]["code"] == "not_found"
    assert client.get("/vacancies/99999").status_code == 404


def test_security_headers_and_health(client: FlaskClient) -> None:
    resp = client.get("/healthz")
    assert resp.get_json() == {"status": "ok"}
    assert resp.headers["X-Content-Type-Options"] == "nosniff"
    assert "default-src 'self'" in resp.headers["Content-Security-Policy"]


def test_create_app_builds_nothing_heavy(settings: Settings) -> None:
    app = create_app(settings)
    runtime: Runtime = app.extensions["matcher"]
    assert runtime._engine is None and runtime._encoder is None
