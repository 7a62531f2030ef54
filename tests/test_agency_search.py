"""Agency work without internal numbers: consenting seekers found by words (masked), open
vacancies by words, ranked candidates with a Recommend button, names instead of ids, and a
second recommendation of the same pair refused (409) with nothing changed."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import unquote

import pytest
from builders.subsidy import add_agency, add_enterprise, add_seeker, add_vacancy, committing
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from matcher.accounts.users import create_user, issue_token
from matcher.config import Settings
from matcher.enums import Role
from matcher.models import AuditLog
from matcher.models.subsidy import Recommendation
from matcher.principal import Principal
from matcher.runtime import Runtime
from matcher.subsidy import agency_search, queries
from web import create_app

PASSWORD = "pass-word-2026"


@pytest.fixture
def app(settings: Settings) -> Iterator[Flask]:
    application = create_app(settings)
    application.config.update(TESTING=True)
    yield application
    application.extensions["matcher"].dispose()


@pytest.fixture
def city(app: Flask) -> dict[str, Any]:
    rt: Runtime = app.extensions["matcher"]
    with committing(rt) as uow:
        ent = add_enterprise(uow.s, name="朝阳物流有限公司")
        ids = {
            "agency": add_agency(uow.s),
            "vacancy": add_vacancy(uow.s, ent, title="仓库叉车司机", headcount=2,
                                   required_skills=["叉车"]),
            "driver": add_seeker(uow.s, rt.cipher, name="王建国", skills=["叉车", "仓库管理"],
                                 desired_positions=["叉车司机"],
                                 categories=("registered_unemployed",)),
            "cook": add_seeker(uow.s, rt.cipher, name="李厨", skills=["烹饪"],
                               desired_positions=["厨师"], categories=("graduate",)),
            "shy": add_seeker(uow.s, rt.cipher, name="赵叉车", skills=["叉车"],
                              consent_agencies=False),
        }
        user = create_user(uow, email="staff@agency.test", password=PASSWORD, role=Role.AGENCY,
                           agency_id=ids["agency"])
        ids["token"] = issue_token(uow, user.id, actor="test")
        ids["user"] = user.id
    return ids


def _staff(city: dict[str, Any]) -> Principal:
    return Principal(user_id=city["user"], email="staff@agency.test", role=Role.AGENCY,
                     agency_id=city["agency"])


def _auth(city: dict[str, Any]) -> dict[str, str]:
    return {"Authorization": f"Bearer {city['token']}"}


def test_names_are_masked_to_the_surname() -> None:
    assert agency_search.mask_name("王建国") == "王**"
    assert agency_search.mask_name("Li") == "L*"
    assert agency_search.mask_name(None) == "*"


def test_only_consenting_seekers_by_words_and_category(app: Flask, city: dict[str, Any]) -> None:
    rt: Runtime = app.extensions["matcher"]
    with rt.uow() as uow:
        found = queries.agency_seekers(uow, _staff(city), "叉车", None, 1, 20)
        assert [s.id for s in found.items] == [city["driver"]]  # the shy one never appears
        assert found.items[0].name == "王**"
        assert queries.agency_seekers(uow, _staff(city), "", "graduate", 1, 20).total == 1
        assert queries.agency_seekers(uow, _staff(city), "%", None, 1, 20).total == 0
        assert queries.agency_seekers(uow, _staff(city), "", None, 1, 20).total == 2


def test_seeker_search_api(app: Flask, city: dict[str, Any]) -> None:
    client = app.test_client()
    resp = client.get("/api/v1/agency/seekers?q=叉车司机&category=registered_unemployed",
                      headers=_auth(city))
    assert resp.status_code == 200, resp.json
    body = resp.get_json()
    assert body["page"]["total"] == 1
    item = body["items"][0]
    assert (item["id"], item["name"], item["categories"]) == (
        city["driver"], "王**", ["registered_unemployed"])
    assert "王建国" not in resp.get_data(as_text=True)
    bad = client.get("/api/v1/agency/seekers?category=astronaut", headers=_auth(city))
    assert bad.status_code == 422


def _recs(app: Flask) -> tuple[int, int]:
    with app.extensions["matcher"].uow() as uow:
        recs = uow.s.scalar(select(func.count()).select_from(Recommendation))
        audits = uow.s.scalar(select(func.count()).select_from(AuditLog).where(
            AuditLog.action == "recommendation.created"))
        return int(recs or 0), int(audits or 0)


def test_duplicate_recommendation_is_409_and_changes_nothing(app: Flask,
                                                               city: dict[str, Any]) -> None:
    client = app.test_client()
    body = {"seeker_id": city["driver"], "vacancy_id": city["vacancy"]}
    first = client.post("/api/v1/agency/recommendations", json=body, headers=_auth(city))
    assert first.status_code == 201, first.json
    again = client.post("/api/v1/agency/recommendations", json=body, headers=_auth(city))
    assert again.status_code == 409
    assert again.get_json()["error"]["code"] == "duplicate_recommendation"
    assert _recs(app) == (1, 1)
    listed = client.get("/api/v1/agency/recommendations", headers=_auth(city)).get_json()
    assert listed["items"][0]["vacancy_title"] == "仓库叉车司机"
    assert listed["items"][0]["seeker_name"] == "王**"


def _login(client: FlaskClient) -> str:
    page = client.get("/auth/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert token is not None
    client.post("/auth/login", data={"email": "staff@agency.test", "password": PASSWORD,
                                     "csrf_token": token.group(1)})
    return token.group(1)


def test_pages_recommend_with_buttons_not_numbers(app: Flask, city: dict[str, Any]) -> None:
    client = app.test_client()
    csrf = _login(client)
    seekers = client.get("/agency/seekers?q=叉车").get_data(as_text=True)
    assert "王**" in seekers and "王建国" not in seekers and "赵" not in seekers
    chosen = client.get(f"/agency/vacancies?q=叉车&seeker_id={city['driver']}&seeker_name=王**")
    html = chosen.get_data(as_text=True)
    assert "仓库叉车司机" in html and 'name="vacancy_id"' in html and 'type="number"' not in html
    back = f"/agency/vacancies?q=叉车&seeker_id={city['driver']}"
    done = client.post("/agency/", data={"seeker_id": city["driver"],
                                         "vacancy_id": city["vacancy"], "back": back,
                                         "csrf_token": csrf})
    assert done.status_code == 302
    assert unquote(done.headers["Location"]).endswith(back)
    again = client.post("/agency/", data={"seeker_id": city["driver"],
                                          "vacancy_id": city["vacancy"], "csrf_token": csrf})
    assert again.status_code == 409 and "已推荐过" in again.get_data(as_text=True)
    elsewhere = client.post("/agency/", data={"seeker_id": city["cook"],
                                              "vacancy_id": city["vacancy"],
                                              "back": "//evil.example/", "csrf_token": csrf})
    assert elsewhere.status_code == 302 and "evil" not in elsewhere.headers["Location"]
    assert _recs(app) == (2, 2)
    listing = client.get("/agency/").get_data(as_text=True)
    assert "仓库叉车司机" in listing and "王**" in listing


def test_ranked_candidates_page_offers_consenting_seekers(app: Flask,
                                                          city: dict[str, Any]) -> None:
    client = app.test_client()
    _login(client)
    page = client.get(f"/agency/vacancies/{city['vacancy']}/candidates")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "王**" in html and "赵" not in html
    assert f'name="seeker_id" value="{city["driver"]}"' in html
    api = app.test_client().get(f"/api/v1/agency/candidates?vacancy_id={city['vacancy']}",
                                headers=_auth(city))
    assert api.status_code == 200, api.json
    assert [c["name"] for c in api.get_json()["items"]] == ["王**"]
    missing = app.test_client().get("/api/v1/agency/candidates?vacancy_id=999999",
                                    headers=_auth(city))
    assert missing.status_code == 404
