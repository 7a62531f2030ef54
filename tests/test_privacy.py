"""Privacy: export own data, delete the account, vanish from results; no full ID leaks."""

from __future__ import annotations

import logging
import re

import pytest
from builders.accounts import World
from flask import Flask

from matcher.enums import Role
from matcher.index.registry import get_registry
from matcher.matching.profiles import person_key

ID_RE = re.compile(r"\d{17}[\dX]")


def _auth(world: World, role: Role, i: int = 0) -> dict[str, str]:
    return {"Authorization": f"Bearer {world.party(role, i).token}"}


def test_export_then_delete_removes_seeker_everywhere(world_app: tuple[Flask, World]) -> None:
    app, world = world_app
    client = app.test_client()
    seeker = world.party(Role.SEEKER)
    sid = seeker.owned["seeker_id"]
    vacancy = world.party(Role.ENTERPRISE).owned["vacancy_id"]
    cand = client.get(f"/api/v1/enterprise/vacancies/{vacancy}/candidates?per_page=50",
                      headers=_auth(world, Role.ENTERPRISE))
    assert cand.status_code == 200
    assert sid in [c["person_id"] for c in cand.get_json()["items"] if c["kind"] == "seeker"]
    recs = client.get("/api/v1/me/recommendations", headers=_auth(world, Role.SEEKER))
    assert recs.status_code == 200 and recs.get_json()["items"]
    assert "components" in recs.get_json()["items"][0]

    export = client.get("/api/v1/me/export", headers=_auth(world, Role.SEEKER)).get_json()
    assert export["profile"]["id_number"] == seeker.id_number  # the owner sees it in clear
    assert export["profile"]["external_id"] == "api-k0"

    reg = get_registry(app.extensions["matcher"])
    assert person_key("seeker", sid) in set(reg.keys("people").tolist())
    resp = client.delete("/api/v1/me", headers=_auth(world, Role.SEEKER))
    assert resp.status_code == 200
    cand = client.get(f"/api/v1/enterprise/vacancies/{vacancy}/candidates?per_page=50",
                      headers=_auth(world, Role.ENTERPRISE)).get_json()
    assert sid not in [c["person_id"] for c in cand["items"] if c["kind"] == "seeker"]
    assert person_key("seeker", sid) not in set(reg.keys("people").tolist())
    # the login is gone too
    assert client.get("/api/v1/me/profile", headers=_auth(world, Role.SEEKER)).status_code == 401


def test_no_full_id_number_leaks_to_others(world_app: tuple[Flask, World],
                                           caplog: pytest.LogCaptureFixture) -> None:
    app, world = world_app
    client = app.test_client()
    caplog.set_level(logging.DEBUG)
    full_ids = {world.party(Role.SEEKER, i).id_number for i in (0, 1)}
    seen: list[str] = []
    for role in Role:
        for i in (0, 1):
            for rule in app.url_map.iter_rules():
                if (not rule.rule.startswith("/api/v1") or rule.arguments
                        or "GET" not in rule.methods or rule.endpoint.endswith("export")):
                    continue
                body = client.get(rule.rule, headers=_auth(world, role, i)).get_data(as_text=True)
                seen.append(body)
    vacancy = world.party(Role.ENTERPRISE).owned["vacancy_id"]
    seen.append(client.get(f"/api/v1/enterprise/vacancies/{vacancy}/candidates",
                           headers=_auth(world, Role.ENTERPRISE)).get_data(as_text=True))
    text = "\n".join(seen) + "\n".join(r.getMessage() for r in caplog.records)
    assert len(seen) > 50
    leaked = set(ID_RE.findall(text)) & full_ids
    assert not leaked
    # masked forms do appear (the seeker's own profile), so the scan looks at real output
    profile = client.get("/api/v1/me/profile", headers=_auth(world, Role.SEEKER)).get_json()
    assert profile["id_number_masked"].startswith("110101") and "*" in profile["id_number_masked"]
    # and the owner's own export is the one place it appears in clear
    export = client.get("/api/v1/me/export", headers=_auth(world, Role.SEEKER)).get_data(
        as_text=True)
    assert world.party(Role.SEEKER).id_number in export
