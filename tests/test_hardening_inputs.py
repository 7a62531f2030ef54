"""Hardening (issue 17, items 4, 6, 7, 8 and 10d): request bodies, enumeration, lenient values,
partial PATCH and one money unit — each probe of the outside review, through the real API."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import pytest
from builders.accounts import World
from flask import Flask
from flask.testing import FlaskClient
from marshmallow import ValidationError as MarshmallowError
from sqlalchemy import select

from matcher.config import Settings
from matcher.dataio.schemas import SCHEMAS
from matcher.enums import Role
from matcher.errors import ValidationFailed
from matcher.lending import pool
from matcher.models import AuditLog, JobSeeker
from matcher.principal import Principal
from matcher.seekers import actions as seeker_actions
from matcher.vacancies import services as vacancy_services
from matcher.validators import InvalidIdentifier, InvalidText, clean_name, validate_phone
from web import create_app
from web.api.fields import latest_date

SURROGATE = '{"external_id": "s1", "title": "a\\ud800b"}'  # the JSON escape, as sent on the wire


def _call(app: Flask, world: World, role: Role, method: str, path: str, body: Any = None,
          raw: str | bytes | None = None, i: int = 0) -> tuple[int, dict[str, Any]]:
    client: FlaskClient = app.test_client()
    headers = {"Authorization": f"Bearer {world.party(role, i).token}",
               "Content-Type": "application/json", "Accept-Language": "en"}
    data = raw if raw is not None else json.dumps(body)
    resp = client.open(path, method=method, data=data, headers=headers)
    return resp.status_code, resp.get_json(silent=True) or {}


def _error(payload: dict[str, Any]) -> dict[str, Any]:
    assert set(payload) == {"error"}, payload
    return payload["error"]


# --- item 4: bodies that used to end in a 500, and body size ---------------------------------

def test_deeply_nested_json_is_400_invalid_json(world_app: tuple[Flask, World]) -> None:
    app, world = world_app
    deep = '{"external_id": "d1", "title": "t", "description": ' + "[" * 50_000 + "]" * 50_000 + "}"
    status, body = _call(app, world, Role.ENTERPRISE, "POST", "/api/v1/enterprise/vacancies",
                         raw=deep)
    assert status == 400 and _error(body)["code"] == "invalid_json"
    assert "nested" in _error(body)["message"].lower()


def test_lone_surrogate_is_400_invalid_json(world_app: tuple[Flask, World]) -> None:
    app, world = world_app
    status, body = _call(app, world, Role.ENTERPRISE, "POST", "/api/v1/enterprise/vacancies",
                         raw=SURROGATE)
    assert status == 400 and _error(body)["code"] == "invalid_json"
    assert "surrogate" in _error(body)["message"]
    # a surrogate in a key, and in a page's JSON body, too
    status, body = _call(app, world, Role.SEEKER, "PUT", "/api/v1/me/profile",
                         raw='{"sk\\udc00ills": ["x"]}')
    assert status == 400 and _error(body)["code"] == "invalid_json"


def test_body_over_the_limit_is_413_in_the_error_shape(settings: Settings) -> None:
    app = create_app(settings.override(max_content_length=64 * 1024))
    client = app.test_client()
    big = json.dumps({"email": "x@example.test", "password": "p" * 200_000})
    resp = client.post("/api/v1/auth/token", data=big, content_type="application/json")
    assert resp.status_code == 413
    assert _error(resp.get_json())["code"] == "request_entity_too_large"
    form = client.post("/auth/login", data={"email": "x", "password": "p" * 200_000})
    assert form.status_code == 413
    assert create_app(settings).config["MAX_CONTENT_LENGTH"] == 2 * 1024 * 1024


# --- item 6: no enumeration of registered ID numbers -----------------------------------------

def test_someone_elses_id_number_answers_like_a_fresh_one(world_app: tuple[Flask, World]) -> None:
    app, world = world_app
    taken = world.party(Role.SEEKER, 1).id_number
    assert taken is not None
    fresh = "110101199001011237"
    status_taken, body_taken = _call(app, world, Role.SEEKER, "PUT", "/api/v1/me/profile",
                                     {"id_number": taken, "skills": ["叉车"]})
    status_fresh, body_fresh = _call(app, world, Role.SEEKER, "PUT", "/api/v1/me/profile",
                                     {"id_number": fresh, "skills": ["叉车"]}, i=1)
    assert status_taken == status_fresh == 200
    assert set(body_taken) == set(body_fresh)
    assert body_taken["id_number_masked"] == f"{taken[:6]}********{taken[-4:]}"
    assert body_taken["skills"] == ["叉车"]  # the other changes are applied
    rt = app.extensions["matcher"]
    with rt.uow() as uow:
        me = uow.s.get(JobSeeker, world.party(Role.SEEKER, 0).owned["seeker_id"])
        assert me is not None and rt.cipher.decrypt(me.id_number_enc) != taken  # not stored
        flags = uow.s.scalars(select(AuditLog.entity_id).where(
            AuditLog.action == "seeker.id_number_conflict")).all()
    assert flags == [str(world.party(Role.SEEKER, 0).owned["seeker_id"])]


def test_profile_changes_are_throttled_per_account(world_app: tuple[Flask, World]) -> None:
    app, world = world_app
    app.config["WORKBRIDGE_PROFILE_LIMIT"] = "3 per hour"
    codes = [_call(app, world, Role.SEEKER, "PUT", "/api/v1/me/profile", {"skills": ["x"]})[0]
             for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    assert _call(app, world, Role.SEEKER, "PUT", "/api/v1/me/profile", {"skills": ["x"]},
                 i=1)[0] == 200  # another account is not affected


# --- item 7: lenient values ------------------------------------------------------------------

def _vacancy(**extra: Any) -> dict[str, Any]:
    return {"external_id": "h-1", "title": "叉车司机 Forklift driver", **extra}


@pytest.mark.parametrize("headcount", [1.5, "3", True, 2.0])
def test_headcount_must_be_a_json_integer(world_app: tuple[Flask, World], headcount: Any) -> None:
    app, world = world_app
    status, body = _call(app, world, Role.ENTERPRISE, "POST", "/api/v1/enterprise/vacancies",
                         _vacancy(headcount=headcount))
    assert status == 422 and "headcount" in _error(body)["fields"]


def test_query_strings_still_take_digits(world_app: tuple[Flask, World]) -> None:
    app, world = world_app
    status, body = _call(app, world, Role.ENTERPRISE, "GET",
                         "/api/v1/enterprise/vacancies?page=1&per_page=5")
    assert status == 200 and body["page"]["per_page"] == 5


@pytest.mark.parametrize(("path", "payload"), [
    ("/api/v1/enterprise/staff", {"external_id": "e-9", "district": "火星区"}),
    ("/api/v1/enterprise/vacancies", _vacancy(district="火星区")),
    ("/api/v1/me/profile", {"district": "火星区"}),
])
def test_district_must_be_one_of_the_city(world_app: tuple[Flask, World], path: str,
                                          payload: dict[str, Any]) -> None:
    app, world = world_app
    role = Role.SEEKER if path.startswith("/api/v1/me") else Role.ENTERPRISE
    status, body = _call(app, world, role, "PUT" if role == Role.SEEKER else "POST", path,
                         payload)
    assert status == 422 and "district" in _error(body)["fields"]


def test_known_district_spellings_are_stored_canonically(world_app: tuple[Flask, World]) -> None:
    app, world = world_app
    status, body = _call(app, world, Role.ENTERPRISE, "POST", "/api/v1/enterprise/staff",
                         {"external_id": "e-10", "district": "Chaoyang"})
    assert status == 201 and body["district"] == "朝阳区"


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31", "1999-12-31"])
def test_dates_outside_the_sane_window_are_refused(world_app: tuple[Flask, World],
                                                   day: str) -> None:
    app, world = world_app
    status, body = _call(app, world, Role.ENTERPRISE, "POST", "/api/v1/enterprise/vacancies",
                         _vacancy(start_date=day))
    assert status == 422 and "start_date" in _error(body)["fields"]
    assert latest_date(date(2028, 2, 29)) == date(2033, 2, 28)


@pytest.mark.parametrize("name", ["\u200b\u200b\u200b", "\u202eevil", "a\u2066b", "   "])
def test_blank_or_bidi_names_are_refused(world_app: tuple[Flask, World], name: str) -> None:
    app, world = world_app
    status, body = _call(app, world, Role.ENTERPRISE, "POST", "/api/v1/enterprise/staff",
                         {"external_id": "e-11", "name": name})
    assert status == 422 and "name" in _error(body)["fields"]
    status, body = _call(app, world, Role.ENTERPRISE, "POST", "/api/v1/enterprise/vacancies",
                         _vacancy(title=name))
    assert status == 422 and "title" in _error(body)["fields"]


def test_names_are_nfc_without_zero_width_characters() -> None:
    assert clean_name("  Jose\u0301\u200b  Li ") == "Jos\u00e9 Li"
    with pytest.raises(InvalidText):
        clean_name("\u200d\ufeff")


def test_full_width_and_zero_width_in_identifiers(world_app: tuple[Flask, World]) -> None:
    app, world = world_app
    assert validate_phone("１３８\u200b００１３８０００") == "13800138000"
    with pytest.raises(InvalidIdentifier):
        validate_phone("１２３")
    wide = "".join(chr(ord(c) + 0xFEE0) for c in "110101199001011237")
    status, body = _call(app, world, Role.SEEKER, "PUT", "/api/v1/me/profile",
                         {"id_number": "110101199001\u200b011237",
                          "phone": "１３９ ００１３ ９０００"})
    assert status == 200, body
    assert body["id_number_masked"] == "110101********1237"
    assert body["phone_masked"].startswith("139")
    status, body = _call(app, world, Role.SEEKER, "PUT", "/api/v1/me/profile",
                         {"id_number": wide}, i=1)
    # full-width digits name the number seeker 0 now holds: the same answer, never a 409
    assert status == 200 and body["id_number_masked"] == "110101********1237"


# --- item 8: PATCH is partial ---------------------------------------------------------------

def test_patch_vacancy_changes_only_the_given_fields(world_app: tuple[Flask, World]) -> None:
    app, world = world_app
    vid = world.party(Role.ENTERPRISE).owned["vacancy_id"]
    status, before = _call(app, world, Role.ENTERPRISE, "GET",
                           f"/api/v1/enterprise/vacancies/{vid}")
    status, body = _call(app, world, Role.ENTERPRISE, "PATCH",
                         f"/api/v1/enterprise/vacancies/{vid}", {"headcount": 4})
    assert status == 200, body
    assert body["headcount"] == 4 and body["title"] == before["title"]
    status, body = _call(app, world, Role.ENTERPRISE, "PATCH",
                         f"/api/v1/enterprise/vacancies/{vid}", {"headcount": 4.5})
    assert status == 422


# --- item 10d: one money unit, documented -----------------------------------------------------

def test_daily_cost_in_fen_and_yuan(world_app: tuple[Flask, World]) -> None:
    app, world = world_app
    status, body = _call(app, world, Role.ENTERPRISE, "POST", "/api/v1/enterprise/staff",
                         {"external_id": "e-20", "daily_cost_yuan": "180.50"})
    assert status == 201 and body["daily_cost"] == 18050 and body["daily_cost_yuan"] == "180.50"
    status, body = _call(app, world, Role.ENTERPRISE, "POST", "/api/v1/enterprise/staff",
                         {"external_id": "e-21", "daily_cost": 30000})
    assert status == 201 and body["daily_cost_yuan"] == "300.00"
    status, body = _call(app, world, Role.ENTERPRISE, "POST", "/api/v1/enterprise/staff",
                         {"external_id": "e-22", "daily_cost": 100, "daily_cost_yuan": 2})
    assert status == 422 and "daily_cost_yuan" in _error(body)["fields"]
    status, body = _call(app, world, Role.ENTERPRISE, "POST", "/api/v1/enterprise/staff",
                         {"external_id": "e-23", "daily_cost_yuan": "1.005"})
    assert status == 422


def test_every_money_field_states_its_unit(world_app: tuple[Flask, World]) -> None:
    app, _ = world_app
    doc = app.test_client().get("/api/v1/openapi.json").get_json()
    seen = 0
    for schema in doc["components"]["schemas"].values():
        for name, prop in schema.get("properties", {}).items():
            if name.endswith(("_fen", "_yuan", "_yuan_per_day")) or name in (
                    "daily_cost", "declared_daily_cost", "reimbursement_per_day", "wage_min",
                    "wage_max"):
                seen += 1
                text = prop.get("description", "")
                assert "fen" in text or "yuan" in text, (name, prop)
    assert seen >= 15


def test_idle_staff_form_path_refuses_an_unknown_district(world_app: tuple[Flask, World]) -> None:
    """The page form and the CLI reach the same service as the API."""
    app, world = world_app
    rt = app.extensions["matcher"]
    owner = world.party(Role.ENTERPRISE).owned["enterprise_id"]
    with rt.uow() as uow, pytest.raises(ValidationFailed) as refused:
        pool.declare_employee(rt, uow, owner, pool.EmployeeInput(external_id="e-30",
                                                                 district="火星区"), actor="t")
    assert "district" in refused.value.fields
    with rt.uow() as uow:
        view = pool.declare_employee(rt, uow, owner, pool.EmployeeInput(
            external_id="e-31", district="Haidian"), actor="t")
    assert view.district == "海淀区"
    with rt.uow() as uow, pytest.raises(ValidationFailed) as refused:  # the vacancy form
        vacancy_services.post_vacancy(rt, uow, vacancy_services.VacancyInput(
            external_id="v-30", enterprise_id=owner, title="普工", district="火星区"),
            actor="t")
    assert "district" in refused.value.fields
    seeker = world.party(Role.SEEKER)
    me = Principal(user_id=seeker.user_id, email=seeker.email, role=Role.SEEKER,
                   seeker_id=seeker.owned["seeker_id"])
    with rt.uow() as uow, pytest.raises(ValidationFailed) as refused:  # the profile page
        seeker_actions.update_profile(uow, me, seeker_actions.ProfileChanges(
            {"district": "火星区"}, keep_unchanged_identifiers=True))
    assert "district" in refused.value.fields


def test_the_import_reads_identifiers_and_names_like_the_api() -> None:
    """`workbridge import` uses the same validators: the CLI and the API agree."""
    row = SCHEMAS["seekers"]().load({
        "external_id": "k-1", "name": "王\u200b五", "skills": "叉车",
        "id_number": "１１０１０１１９９００１０１\u200b１２３７",
        "phone": "１３８００１３８０００"})
    assert (row["name"], row["id_number"], row["phone"]) == (
        "王五", "110101199001011237", "13800138000")
    for bad in ({"name": "\u200b\u200b"}, {"name": "x\u202ey"}, {"district": "火星区"}):
        with pytest.raises(MarshmallowError) as refused:
            SCHEMAS["seekers"]().load({"external_id": "k-2", "skills": "叉车", **bad})
        assert set(bad) <= set(refused.value.messages)
