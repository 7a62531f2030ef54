"""Role pages: each renders, forms post with CSRF, errors come back next to fields, others'
objects are hidden (404) or forbidden (403), and the UI speaks Chinese by default."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from builders.accounts import PASSWORD, World, build_world
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from matcher.config import Settings
from matcher.enums import Role
from matcher.models import AuditLog, JobSeeker, Vacancy
from web import create_app
from web.i18n import TRANSLATIONS_DIR, compile_catalogs

TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture
def world_app(settings: Settings) -> Iterator[tuple[Flask, World]]:
    app = create_app(settings)
    app.config.update(TESTING=True, WORKBRIDGE_CLAIM_LIMIT="1000 per minute")
    yield app, build_world(app.extensions["matcher"])
    app.extensions["matcher"].dispose()


def csrf(client: FlaskClient, url: str = "/auth/login") -> str:
    found = TOKEN.search(client.get(url).get_data(as_text=True))
    assert found, url
    return found.group(1)


def login(app: Flask, world: World, role: Role, i: int = 0) -> FlaskClient:
    client = app.test_client()
    resp = client.post("/auth/login", data={"email": world.party(role, i).email,
                                            "password": PASSWORD, "csrf_token": csrf(client)})
    assert resp.status_code == 302
    return client


def post(client: FlaskClient, url: str, data: dict[str, object], form_url: str | None = None):
    return client.post(url, data={**data, "csrf_token": csrf(client, form_url or url)})


PAGES = {
    Role.SEEKER: ["/seeker/", "/seeker/recommendations", "/seeker/delete"],
    Role.ENTERPRISE: ["/enterprise/", "/enterprise/vacancies/new", "/enterprise/staff",
                      "/enterprise/requests", "/enterprise/agreements"],
    Role.AGENCY: ["/agency/", "/agency/placements", "/agency/claims"],
    Role.ADMIN: ["/admin/", "/admin/tiers", "/admin/audit"],
}


def test_every_role_page_renders_and_other_roles_are_refused(world_app) -> None:
    app, world = world_app
    for role, urls in PAGES.items():
        client = login(app, world, role)
        for url in urls:
            resp = client.get(url)
            assert resp.status_code == 200, url
            assert 'lang="zh-CN"' in resp.get_data(as_text=True)
        for other, other_urls in PAGES.items():
            if other != role:
                assert client.get(other_urls[0]).status_code == 403, (role, other)
    anonymous = app.test_client().get("/enterprise/")
    assert anonymous.status_code == 302 and "/auth/login" in anonymous.headers["Location"]


def test_chinese_default_english_switch_is_remembered(world_app) -> None:
    app, _world = world_app
    client = app.test_client()
    assert "招聘职位" in client.get("/").get_data(as_text=True)
    assert "Open vacancies" in client.get("/?lang=en").get_data(as_text=True)
    html = client.get("/").get_data(as_text=True)  # the session remembers English
    assert "Open vacancies" in html and 'lang="en"' in html
    assert "招聘职位" in client.get("/?lang=zh_CN").get_data(as_text=True)


def test_seeker_sees_own_identifiers_and_explained_recommendations(world_app) -> None:
    app, world = world_app
    seeker = world.party(Role.SEEKER)
    client = login(app, world, Role.SEEKER)
    html = client.get("/seeker/").get_data(as_text=True)
    assert seeker.id_number in html and "13800138000" in html  # the owner sees own values
    recs = client.get("/seeker/recommendations").get_data(as_text=True)
    assert "仓库拣货员 Picker" in recs and "具备技能" in recs and "拣货" in recs
    assert "文本相似度" in recs  # score components, translated
    # an enterprise looking at candidates sees the identifiers masked, never in clear
    ent = login(app, world, Role.ENTERPRISE)
    vid = world.party(Role.ENTERPRISE).owned["vacancy_id"]
    cands = ent.get(f"/enterprise/vacancies/{vid}/candidates").get_data(as_text=True)
    assert seeker.id_number not in cands and "13800138000" not in cands


def test_profile_errors_are_shown_next_to_fields_and_nothing_is_saved(world_app) -> None:
    app, world = world_app
    client = login(app, world, Role.SEEKER)
    resp = post(client, "/seeker/", {"skills": "拣货", "phone": "123", "travel_km": "far"})
    html = resp.get_data(as_text=True)
    assert resp.status_code == 422
    assert 'id="travel_km-error"' in html and "请填写数字" in html
    resp = post(client, "/seeker/", {"skills": "拣货", "phone": "123"})
    assert resp.status_code == 422 and 'id="phone-error"' in resp.get_data(as_text=True)
    resp = post(client, "/seeker/", {"skills": "叉车、拣货", "desired_positions": "叉车司机",
                                     "phone": "13800138000", "consent_matching": "1"})
    assert resp.status_code == 302
    with app.extensions["matcher"].uow() as uow:
        row = uow.s.get(JobSeeker, world.party(Role.SEEKER).owned["seeker_id"])
        assert row is not None and row.skills == ["叉车", "拣货"]


def test_posting_without_csrf_is_refused(world_app) -> None:
    app, world = world_app
    client = login(app, world, Role.ENTERPRISE)
    resp = client.post("/enterprise/vacancies/new", data={"title": "x", "headcount": "1"})
    assert resp.status_code == 400


def test_enterprise_posts_vacancy_sees_candidates_and_closes_it(world_app) -> None:
    app, world = world_app
    client = login(app, world, Role.ENTERPRISE)
    bad = post(client, "/enterprise/vacancies/new", {"title": "", "headcount": "0",
                                                     "wage_min": "abc"})
    assert bad.status_code == 422
    assert {'id="title-error"', 'id="wage_min-error"'} <= set(
        re.findall(r'id="\w+-error"', bad.get_data(as_text=True)))
    resp = post(client, "/enterprise/vacancies/new", {
        "title": "拣货员 Order picker", "required_skills": "拣货", "headcount": "2",
        "wage_min": "6500", "wage_max": "7200.5", "district": "", "employment_type": "long_term",
        "urgency": "urgent"})
    assert resp.status_code == 302 and "/candidates" in resp.headers["Location"]
    page = client.get(resp.headers["Location"]).get_data(as_text=True)
    assert "求职者0" in page and "具备技能" in page
    with app.extensions["matcher"].uow() as uow:
        v = uow.s.scalar(select(Vacancy).where(Vacancy.title == "拣货员 Order picker"))
        assert v is not None and (v.wage_min, v.wage_max) == (650000, 720050)
        vid = v.id
    post(client, f"/enterprise/vacancies/{vid}/close", {"confirmed": "1"}, "/enterprise/")
    with app.extensions["matcher"].uow() as uow:
        assert str(uow.s.get(Vacancy, vid).status) == "closed"


def test_other_owners_objects_are_hidden_on_pages(world_app) -> None:
    app, world = world_app
    other_ent = world.party(Role.ENTERPRISE, 1).owned
    client = login(app, world, Role.ENTERPRISE)
    for url in (f"/enterprise/vacancies/{other_ent['vacancy_id']}/candidates",
                f"/enterprise/vacancies/{other_ent['vacancy_id']}/edit",
                f"/enterprise/agreements/{other_ent['agreement_id']}",
                f"/enterprise/agreements/{other_ent['agreement_id']}/document"):
        assert client.get(url).status_code == 404, url
    token = csrf(client, "/enterprise/")
    for url in (f"/enterprise/vacancies/{other_ent['vacancy_id']}/close",
                f"/enterprise/staff/{other_ent['employee_id']}/consent",
                f"/enterprise/requests/{other_ent['request_id']}/close",
                f"/enterprise/agreements/{other_ent['agreement_id']}/sign"):
        assert client.post(url, data={"csrf_token": token}).status_code == 404, url
    with app.extensions["matcher"].uow() as uow:
        v = uow.s.get(Vacancy, other_ent["vacancy_id"])
        assert v is not None and str(v.status) == "open"
    agency = login(app, world, Role.AGENCY)
    other_claim = world.party(Role.AGENCY, 1).owned["claim_id"]
    assert agency.get(f"/agency/claims/{other_claim}").status_code == 404
    own = world.party(Role.AGENCY).owned["claim_id"]
    assert agency.get(f"/agency/claims/{own}").status_code == 200


def test_interest_export_and_delete(world_app) -> None:
    app, world = world_app
    seeker = world.party(Role.SEEKER)
    client = login(app, world, Role.SEEKER)
    vid = world.party(Role.ENTERPRISE).owned["vacancy_id"]
    resp = post(client, f"/seeker/vacancies/{vid}/interest", {}, "/seeker/recommendations")
    assert resp.status_code == 302
    with app.extensions["matcher"].uow() as uow:
        entry = uow.s.scalar(select(AuditLog).where(AuditLog.action == "interest"))
        assert entry is not None and entry.entity_id == str(vid)
    download = client.get("/seeker/export")
    assert "attachment" in download.headers["Content-Disposition"]
    assert json.loads(download.data)["profile"]["id_number"] == seeker.id_number
    assert post(client, "/seeker/delete", {"confirm": "no"}).status_code == 422
    assert post(client, "/seeker/delete", {"confirm": "DELETE"}).status_code == 302
    assert client.get("/seeker/").status_code == 302  # logged out
    with app.extensions["matcher"].uow() as uow:
        row = uow.s.get(JobSeeker, seeker.owned["seeker_id"])
        assert row is not None and row.id_number_enc is None and str(row.status) == "deleted"


def test_signup_creates_seeker_and_login_in_one_transaction(world_app) -> None:
    app, world = world_app
    client = app.test_client()
    taken = {"email": world.party(Role.ADMIN).email, "password": "secret1-long",
             "skills": "叉车", "desired_positions": "叉车司机", "district": "大兴区"}
    rt = app.extensions["matcher"]
    with rt.uow() as uow:
        before = len(uow.s.scalars(select(JobSeeker.id)).all())
    resp = post(client, "/seeker/signup", taken)
    assert resp.status_code == 409 and 'id="email-error"' in resp.get_data(as_text=True)
    with rt.uow() as uow:  # the seeker row was rolled back with the user
        assert len(uow.s.scalars(select(JobSeeker.id)).all()) == before
    resp = post(client, "/seeker/signup", {**taken, "email": "new@example.test"})
    assert resp.status_code == 302
    assert "叉车" in client.get("/seeker/").get_data(as_text=True)


def test_agency_recommends_claims_idempotently_and_admin_decides(world_app) -> None:
    app, world = world_app
    agency = login(app, world, Role.AGENCY)
    seeker_id = world.party(Role.SEEKER).owned["seeker_id"]
    vid = world.party(Role.ENTERPRISE).owned["vacancy_id"]
    assert post(agency, "/agency/", {"seeker_id": "x", "vacancy_id": vid}).status_code == 422
    assert post(agency, "/agency/", {"seeker_id": seeker_id, "vacancy_id": vid}).status_code == 302
    assert f'href="/vacancies/{vid}"' in agency.get("/agency/").get_data(as_text=True)
    placement = world.party(Role.AGENCY).owned["placement_id"]
    claim = world.party(Role.AGENCY).owned["claim_id"]
    form = {"placement_id": placement, "rule_code": "employment_introduction", "tranche": 1,
            "idempotency_key": "world-0"}  # the key build_world submitted this claim with
    replay = post(agency, "/agency/claims", form)
    assert replay.status_code == 302 and replay.headers["Location"] == f"/agency/claims/{claim}"
    duplicate = post(agency, "/agency/claims", {**form, "idempotency_key": "another"})
    assert duplicate.status_code == 409 and 'class="error"' in duplicate.get_data(as_text=True)
    admin = login(app, world, Role.ADMIN)
    assert "待审批" in admin.get("/admin/").get_data(as_text=True)
    bad = post(admin, f"/admin/claims/{claim}/reject", {"reason": ""}, f"/admin/claims/{claim}")
    assert bad.status_code == 422 and 'id="reason-error"' in bad.get_data(as_text=True)
    ok = post(admin, f"/admin/claims/{claim}/approve", {"note": "ok", "confirmed": "1"},
              f"/admin/claims/{claim}")
    assert ok.status_code == 302
    assert "已批准" in admin.get(f"/admin/claims/{claim}").get_data(as_text=True)
    post(admin, f"/admin/claims/{claim}/pay", {"confirmed": "1"}, f"/admin/claims/{claim}")
    assert "已拨付" in agency.get(f"/agency/claims/{claim}").get_data(as_text=True)
    ent = world.party(Role.ENTERPRISE).owned["enterprise_id"]
    assert post(admin, f"/admin/tiers/{ent}", {"key_tier": "priority"},
                "/admin/tiers").status_code == 302
    audit = admin.get("/admin/audit?entity=enterprise").get_data(as_text=True)
    assert "设置重点企业级别" in audit  # the action in words (enterprise.key_tier)


def test_catalogs_compile_and_zh_is_complete(tmp_path: Path) -> None:
    import shutil

    from babel.messages.mofile import read_mo
    from babel.messages.pofile import read_po

    shutil.copytree(TRANSLATIONS_DIR, tmp_path / "t")
    written = compile_catalogs(tmp_path / "t")
    assert {p.parent.parent.name for p in written} == {"zh_Hans_CN", "en"}
    for mo in written:
        committed = TRANSLATIONS_DIR / mo.relative_to(tmp_path / "t")
        with committed.open("rb") as a, mo.open("rb") as b:  # the committed .mo is current
            assert {str(m.id): str(m.string) for m in read_mo(a) if m.id} == \
                   {str(m.id): str(m.string) for m in read_mo(b) if m.id}
    with (TRANSLATIONS_DIR / "zh_Hans_CN/LC_MESSAGES/messages.po").open("rb") as fh:
        untranslated = [m.id for m in read_po(fh) if m.id and not m.string]
    assert untranslated == []
