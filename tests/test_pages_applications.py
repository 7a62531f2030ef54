"""Application pages through the Flask client, and ``workbridge import social-insurance``."""

from __future__ import annotations

from pathlib import Path

from builders.accounts import World
from click.testing import CliRunner
from flask import Flask
from test_pages import login, post

from matcher.cli import main
from matcher.enums import Role
from matcher.models import Placement


def test_pages_of_the_hiring_journey(world_app: tuple[Flask, World]) -> None:
    app, world = world_app
    vacancy_id = world.party(Role.ENTERPRISE).owned["vacancy_id"]
    anon = app.test_client()
    resp = anon.get(f"/seeker/vacancies/{vacancy_id}/apply")
    assert resp.status_code == 302 and f"next=/vacancies/{vacancy_id}" in resp.location.replace(
        "%2F", "/")
    seeker = login(app, world, Role.SEEKER)
    vacancy_page = f"/vacancies/{vacancy_id}"
    assert "apply-form" in seeker.get(vacancy_page).get_data(as_text=True)
    resp = post(seeker, f"/seeker/vacancies/{vacancy_id}/apply", {"message": "你好"},
                vacancy_page)
    assert resp.status_code == 302
    assert "status-applied" in seeker.get("/seeker/applications").get_data(as_text=True)

    ent = login(app, world, Role.ENTERPRISE)
    url = f"/enterprise/vacancies/{vacancy_id}/applications"
    html = ent.get(url).get_data(as_text=True)
    assert "你好" in html and "status-applied" in html
    app_id = int(html.split('data-application="')[1].split('"')[0])
    post(ent, f"/enterprise/applications/{app_id}/status", {"status": "offered"}, url)
    bad = post(ent, f"/enterprise/applications/{app_id}/hire", {"hired_on": "2030-01-10"}, url)
    assert bad.status_code == 302
    assert "必填：整月数，至少 1 个月。" in ent.get(url).get_data(as_text=True)  # no field code
    hire = {"hired_on": "2030-01-10", "contract_months": "12"}
    asked = post(ent, f"/enterprise/applications/{app_id}/hire", hire, url)
    assert asked.status_code == 200 and 'name="confirmed"' in asked.get_data(as_text=True)
    assert "status-hired" not in ent.get(url).get_data(as_text=True)  # nothing done yet
    post(ent, f"/enterprise/applications/{app_id}/hire", {**hire, "confirmed": "1"}, url)
    assert "status-hired" in ent.get(url).get_data(as_text=True)
    inbox = seeker.get("/inbox?lang=zh_CN").get_data(as_text=True)
    assert "application.hired" in inbox and "已录用：" in inbox and "Hired" not in inbox
    assert "Hired: " in seeker.get("/inbox?lang=en").get_data(as_text=True)
    seeker.get("/inbox?lang=zh_CN")
    assert ent.get("/inbox").status_code == 200
    other = login(app, world, Role.ENTERPRISE, 1)
    assert other.get(url).status_code == 404
    reopened = post(ent, f"/enterprise/vacancies/{vacancy_id}/reopen", {}, url)
    assert reopened.status_code == 302 and "reopen" not in ent.get(url).get_data(as_text=True)
    invited = world.party(Role.SEEKER, 1)
    post(ent, f"/enterprise/vacancies/{vacancy_id}/invite",
         {"seeker_id": invited.owned["seeker_id"]}, url)
    assert "application.invited" in login(app, world, Role.SEEKER, 1).get(
        "/inbox").get_data(as_text=True)

    admin = login(app, world, Role.ADMIN)
    html = admin.get("/admin/placements").get_data(as_text=True)
    assert "data-placement" in html
    assert seeker.get("/admin/placements").status_code == 403


def test_cli_import_social_insurance(world_app: tuple[Flask, World], tmp_path: Path,
                                     db_url: str) -> None:
    app, world = world_app
    placement_id = world.party(Role.AGENCY).owned["placement_id"]
    env = {"WORKBRIDGE_DATABASE_URL": db_url, "WORKBRIDGE_SECRET_KEY": "test-secret"}
    bad = tmp_path / "si-bad.csv"
    bad.write_text(f"placement_id,months\n{placement_id},6\n{placement_id},-1\n")
    result = CliRunner().invoke(main, ["import", "social-insurance", str(bad)], env=env)
    assert result.exit_code == 1 and "row 3" in result.output
    good = tmp_path / "si.csv"
    good.write_text(f"placement_id,months\n{placement_id},6\n")
    result = CliRunner().invoke(main, ["import", "social-insurance", str(good)], env=env)
    assert result.exit_code == 0, result.output
    with app.extensions["matcher"].uow() as uow:
        row = uow.s.get(Placement, placement_id)
        assert row is not None and row.social_insurance_months == 6


def test_withdrawing_asks_first_and_a_page_past_the_end_is_the_last(
        world_app: tuple[Flask, World]) -> None:
    app, world = world_app
    vacancy_id = world.party(Role.ENTERPRISE).owned["vacancy_id"]
    seeker = login(app, world, Role.SEEKER)
    post(seeker, f"/seeker/vacancies/{vacancy_id}/apply", {}, f"/vacancies/{vacancy_id}")
    html = seeker.get("/seeker/applications?page=999").get_data(as_text=True)
    assert "第 1 / 1 页" in html  # clamped to the last page
    assert 'rel="prev"' not in html and "已申请" in html and "Applied" not in html
    app_id = int(html.split('data-application="')[1].split('"')[0])
    url = f"/seeker/applications/{app_id}/withdraw"
    asked = post(seeker, url, {}, "/seeker/applications")
    assert asked.status_code == 200 and "确定撤回该申请吗" in asked.get_data(as_text=True)
    assert "status-applied" in seeker.get("/seeker/applications").get_data(as_text=True)
    done = post(seeker, url, {"confirmed": "1"}, "/seeker/applications")
    assert done.status_code == 302
    assert "status-withdrawn" in seeker.get("/seeker/applications").get_data(as_text=True)
