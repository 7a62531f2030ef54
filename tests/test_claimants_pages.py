"""Subsidy pages through the Flask client: a person sees what they qualify for and claims in
one click from the pre-filled form; the bureau's unclaimed table, CSV and direct payment."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from builders.accounts import World, build_world
from builders.claimants import EMPLOYMENT, HIRING, OFFICER, record_insurance
from builders.subsidy import add_vacancy, committing
from flask import Flask
from test_pages import login, post

from matcher.config import Settings
from matcher.enums import Role
from matcher.models import Enterprise, JobSeeker
from matcher.subsidy import placements
from matcher.subsidy.clock import today
from web import create_app


@pytest.fixture
def hired_app(settings: Settings) -> Iterator[tuple[Flask, World, int]]:
    app = create_app(settings)
    app.config.update(TESTING=True, WORKBRIDGE_CLAIM_LIMIT="1000 per minute")
    rt = app.extensions["matcher"]
    world = build_world(rt)
    ent, seeker = world.party(Role.ENTERPRISE), world.party(Role.SEEKER)
    with committing(rt) as uow:
        person = uow.s.get(JobSeeker, seeker.owned["seeker_id"])
        assert person is not None
        person.categories, person.graduation_year = ["graduate"], today().year
        person.degree_level = "bachelor"
        vacancy = add_vacancy(uow.s, ent.owned["enterprise_id"])
        placed = placements.hire(rt, uow, placements.HireRequest(
            person.id, vacancy, today(), today(), 24), actor=OFFICER)
    record_insurance(rt, placed.id, 1)
    yield app, world, placed.id
    rt.dispose()


def test_person_claims_in_one_click_and_the_bureau_pays_directly(
        hired_app: tuple[Flask, World, int]) -> None:
    app, world, pid = hired_app
    person = login(app, world, Role.SEEKER)
    inbox = person.get("/inbox").get_data(as_text=True)
    assert f'href="/seeker/claims?placement_id={pid}&amp;rule_code={EMPLOYMENT}' in inbox
    html = person.get("/seeker/claims").get_data(as_text=True)
    link = f"/seeker/claims?placement_id={pid}&amp;rule_code={EMPLOYMENT}&amp;tranche=1"
    assert link in html and "¥2,111" in html
    form = person.get(link.replace("&amp;", "&")).get_data(as_text=True)
    assert f'value="{EMPLOYMENT}" selected' in form
    key = form.split('name="idempotency_key" value="')[1].split('"')[0]
    resp = post(person, "/seeker/claims", {"placement_id": pid, "rule_code": EMPLOYMENT,
                                           "tranche": 1, "idempotency_key": key})
    assert resp.status_code == 302, resp.get_data(as_text=True)
    claim_page = person.get(resp.location)
    assert claim_page.status_code == 200 and 'data-testid="evidence"' in claim_page.get_data(
        as_text=True)
    claim_id = int(resp.location.rstrip("/").rsplit("/", 1)[1])
    assert login(app, world, Role.SEEKER, 1).get(f"/seeker/claims/{claim_id}").status_code == 404

    admin = login(app, world, Role.ADMIN)
    table = admin.get(f"/admin/eligibility?rule_code={HIRING}").get_data(as_text=True)
    assert f'name="placement_id" value="{pid}"' in table
    csv = admin.get(f"/admin/eligibility.csv?rule_code={HIRING}")
    assert csv.mimetype == "text/csv" and f"\n{pid},{HIRING},1,enterprise" in \
        csv.get_data(as_text=True).replace("\r\n", "\n")
    asked = post(admin, "/admin/eligibility/direct-pay", {"rule_code": HIRING, "placement_id": pid},
                 f"/admin/eligibility?rule_code={HIRING}")
    assert asked.status_code == 200 and 'data-testid="confirm"' in asked.get_data(as_text=True)
    assert f'name="placement_id" value="{pid}"' in admin.get(
        f"/admin/eligibility?rule_code={HIRING}").get_data(as_text=True)  # nothing paid yet
    for _ in range(2):  # twice: pays once
        done = post(admin, "/admin/eligibility/direct-pay",
                    {"rule_code": HIRING, "placement_id": pid, "confirmed": 1},
                    f"/admin/eligibility?rule_code={HIRING}")
        assert done.status_code == 302
    ent = login(app, world, Role.ENTERPRISE)
    assert "status paid" in ent.get("/enterprise/claims").get_data(as_text=True)
    assert f'value="{pid}"' not in admin.get("/admin/eligibility").get_data(as_text=True)
    assert ent.get("/admin/eligibility").status_code == 403


def test_profile_page_captures_graduation_year_and_degree(
        hired_app: tuple[Flask, World, int]) -> None:
    app, world, _ = hired_app
    person = login(app, world, Role.SEEKER, 1)
    assert 'name="degree_level"' in person.get("/seeker/").get_data(as_text=True)
    resp = post(person, "/seeker/", {"skills": "拣货", "graduation_year": "2025",
                                     "degree_level": "master", "consent_matching": "on"})
    assert resp.status_code == 302, resp.get_data(as_text=True)
    with app.extensions["matcher"].uow() as uow:
        seeker = uow.s.get(JobSeeker, world.party(Role.SEEKER, 1).owned["seeker_id"])
        assert seeker is not None
        assert (seeker.graduation_year, seeker.degree_level) == (2025, "master")
    form = person.get("/seeker/").get_data(as_text=True)
    assert 'value="master" selected' in form and 'value="2025"' in form


def test_bureau_sets_size_and_leading_flag_on_the_tiers_page(
        hired_app: tuple[Flask, World, int]) -> None:
    app, world, _ = hired_app
    admin = login(app, world, Role.ADMIN)
    ent_id = world.party(Role.ENTERPRISE).owned["enterprise_id"]
    assert f"/admin/enterprises/{ent_id}/category" in admin.get("/admin/tiers").get_data(
        as_text=True)
    resp = post(admin, f"/admin/enterprises/{ent_id}/category",
                {"size_class": "micro", "is_leading_industrial": "on"}, "/admin/tiers")
    assert resp.status_code == 302
    with app.extensions["matcher"].uow() as uow:
        ent = uow.s.get(Enterprise, ent_id)
        assert ent is not None and (ent.size_class.value, ent.is_leading_industrial) == (
            "micro", True)
    ent_client = login(app, world, Role.ENTERPRISE)
    assert post(ent_client, f"/admin/enterprises/{ent_id}/category", {"size_class": "large"},
                "/enterprise/").status_code == 403


def test_agency_claim_link_prefills_placement_rule_and_tranche(
        hired_app: tuple[Flask, World, int]) -> None:
    """The inbox's one-click link (found by scripts/walk_journeys.py) fills in all three fields."""
    app, world, pid = hired_app
    agency = login(app, world, Role.AGENCY)
    form = agency.get(f"/agency/claims?placement_id={pid}&rule_code={EMPLOYMENT}&tranche=2")
    html = form.get_data(as_text=True)
    assert form.status_code == 200
    assert f'value="{EMPLOYMENT}" selected' in html
    assert re.search(r'name="tranche"[^>]*value="2"|value="2"[^>]*name="tranche"', html)
