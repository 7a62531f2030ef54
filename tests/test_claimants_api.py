"""The fields subsidy rules read, through the API: a seeker's degree and graduation year,
an enterprise's size at registration, and the bureau's size / leading-industrial edit (which
re-evaluates the enterprise's placements)."""

from __future__ import annotations

from builders.accounts import World
from builders.claimants import OFFICER, record_insurance
from builders.subsidy import add_vacancy, committing
from flask import Flask

from matcher.enums import Role
from matcher.models import Enterprise, JobSeeker
from matcher.subsidy import placements
from matcher.subsidy.clock import today
from matcher.validators import make_credit_code


def _auth(world: World, role: Role, i: int = 0) -> dict[str, str]:
    return {"Authorization": f"Bearer {world.party(role, i).token}"}


def test_degree_and_category_fields_drive_eligibility(world_app: tuple[Flask, World]) -> None:
    app, world = world_app
    rt, client = app.extensions["matcher"], app.test_client()
    seeker, ent = world.party(Role.SEEKER), world.party(Role.ENTERPRISE)
    resp = client.put("/api/v1/me/profile", headers=_auth(world, Role.SEEKER), json={
        "categories": ["graduate"], "graduation_year": today().year, "degree_level": "phd"})
    assert resp.status_code == 422 and "degree_level" in resp.get_json()["error"]["fields"]
    resp = client.put("/api/v1/me/profile", headers=_auth(world, Role.SEEKER), json={
        "categories": ["graduate"], "graduation_year": today().year, "degree_level": "bachelor"})
    assert resp.status_code == 200, resp.get_json()
    with committing(rt) as uow:
        person = uow.s.get(JobSeeker, seeker.owned["seeker_id"])
        assert person is not None and person.degree_level == "bachelor"
        vacancy = add_vacancy(uow.s, ent.owned["enterprise_id"])
        placed = placements.hire(rt, uow, placements.HireRequest(
            person.id, vacancy, today(), today(), 24), actor=OFFICER)
    record_insurance(rt, placed.id)

    def job_seeking() -> dict[str, object]:
        items = client.get("/api/v1/me/eligibility", headers=_auth(world, Role.SEEKER)
                           ).get_json()["items"]
        return next(i for i in items if i["rule_code"] == "graduate_job_seeking")

    assert job_seeking()["eligible"] is False
    url = f"/api/v1/admin/enterprises/{ent.owned['enterprise_id']}/category"
    assert client.put(url, headers=_auth(world, Role.ENTERPRISE),
                      json={"is_leading_industrial": True}).status_code == 403
    resp = client.put(url, headers=_auth(world, Role.ADMIN), json={"is_leading_industrial": True})
    assert resp.status_code == 200 and resp.get_json()["placements_evaluated"] >= 1
    assert (job_seeking()["eligible"], job_seeking()["amount_yuan"]) == (True, 1111)


def test_enterprise_registration_records_its_size(world_app: tuple[Flask, World]) -> None:
    app, _ = world_app
    resp = app.test_client().post("/api/v1/auth/register/enterprise", json={
        "email": "micro@example.test", "password": "a long enough passphrase 42",
        "name": "微型科技有限公司", "credit_code": make_credit_code("110105", 4242),
        "size_class": "micro"})
    assert resp.status_code == 201, resp.get_json()
    with app.extensions["matcher"].uow() as uow:
        ent = uow.s.query(Enterprise).filter_by(name="微型科技有限公司").one()
        assert (ent.size_class.value, ent.is_leading_industrial) == ("micro", False)
