"""Bureau desk pages (/admin/bureau): admin only, CSV series, dispatch, health checks, watch."""

from __future__ import annotations

import csv
import io
import itertools
import re
from collections.abc import Iterator
from datetime import date, timedelta

import pytest
from builders import subsidy as built
from builders.subsidy import committing, placed_world
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from matcher.bureau import gaps, series, warning
from matcher.config import PACKAGE_DATA, Settings
from matcher.demo.seed import seed_demo
from matcher.enums import ClaimantKind, CohortStatus, DispatchStatus, KeyTier, Role, WatchStatus
from matcher.models import (
    Cohort,
    CohortMember,
    CohortRegistration,
    DispatchAssignment,
    DispatchProposal,
    Enterprise,
    OutboxMessage,
    WatchEntry,
)
from matcher.runtime import Runtime
from matcher.subsidy.actors import Actor
from matcher.subsidy.claims import ClaimRequest, approve_claim, submit_claim
from matcher.subsidy.evaluate import Claimant
from matcher.subsidy.ledger import pay_claim, reverse_payment
from matcher.subsidy.rules import load_rules
from web import create_app
from web.bureau.dashboards import DASHBOARDS

TODAY = date(2020, 4, 29)
DAY = TODAY.isoformat()
ADMIN_EMAIL = "admin@demo.workbridge.local"
PASSWORD = "demo"
PAGES = ["/admin/bureau/shortage", "/admin/bureau/dispatch", "/admin/bureau/cohorts",
         "/admin/bureau/watch", "/admin/bureau/dashboards",
         *(f"/admin/bureau/dashboards/{n}" for n in DASHBOARDS)]


def pay_some_claims(rt: Runtime) -> None:
    """Four paid claims over three months, one of them reversed (the claims chart's data)."""
    rules = load_rules(PACKAGE_DATA / "subsidy_rules.yaml")
    world = placed_world(rt, 4, hired_on=date(2020, 2, 3))
    staff, admin = Actor.agency("staff", world.agency_id), Actor.admin("admin")
    booked = [date(2020, 2, 20), date(2020, 3, 16), date(2020, 3, 30), date(2020, 4, 21)]
    for i, (pid, day) in enumerate(zip(world.placement_ids, booked, strict=True)):
        with committing(rt) as uow:
            cid = submit_claim(uow, rules, ClaimRequest(
                Claimant(ClaimantKind.AGENCY, world.agency_id), pid, "employment_introduction"),
                idempotency_key=f"bureau-{i}", actor=staff, on_date=day).claim.id
        with committing(rt) as uow:
            approve_claim(uow, cid, actor=admin)
        with committing(rt) as uow:
            pay_claim(uow, cid, actor=admin, booked_on=day)
    with committing(rt) as uow:
        reverse_payment(uow, cid, actor=admin, reason="duplicate", booked_on=date(2020, 4, 28))


def seed_city(rt: Runtime, today: date = TODAY) -> None:
    """The demo city with its bureau scenario on ``today``, plus paid subsidy claims.

    The demo numbers its enterprises' credit codes 1, 2, ... per district, and so do the
    builders (one counter per process): the builders' counter is moved past the demo's."""
    assert seed_demo(rt, seed=11, size=80, today=today).seeded
    built._serial = itertools.count(max(next(built._serial), 10_000))
    pay_some_claims(rt)


@pytest.fixture
def app(settings: Settings) -> Iterator[Flask]:
    app = create_app(settings)
    app.config["TESTING"] = True
    seed_city(app.extensions["matcher"])
    yield app
    app.extensions["matcher"].dispose()


def csrf_from(client: FlaskClient, url: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', client.get(url).get_data(as_text=True))
    assert found, url
    return found.group(1)


def login(client: FlaskClient, email: str) -> None:
    token = csrf_from(client, "/auth/login")
    resp = client.post("/auth/login", data={"email": email, "password": PASSWORD,
                                            "csrf_token": token})
    assert resp.status_code == 302, email


@pytest.fixture
def admin(app: Flask) -> FlaskClient:
    client = app.test_client()
    login(client, ADMIN_EMAIL)
    return client


def _csv(text: str) -> tuple[list[str], list[dict[str, str]]]:
    assert text.startswith("\ufeff")
    reader = csv.DictReader(io.StringIO(text[1:]))
    return list(reader.fieldnames or []), list(reader)


def test_admin_sees_every_page_and_series(app: Flask, admin: FlaskClient) -> None:
    rt: Runtime = app.extensions["matcher"]
    for url in PAGES:
        resp = admin.get(f"{url}?day={DAY}")
        assert resp.status_code == 200, url
    with rt.uow() as uow:
        ranked = gaps.load_gaps(uow.s)
        watched = warning.watch_list(uow.s)
        member = uow.s.scalars(select(CohortMember).where(
            CohortMember.id_number_masked.is_not(None)).order_by(CohortMember.id)).first()
        assert member is not None and member.id_number_enc
        cohort_id = uow.s.scalar(select(CohortRegistration.cohort_id).where(
            CohortRegistration.id == member.registration_id))
        clear_id = rt.cipher.decrypt(member.id_number_enc)
        masked, name = member.id_number_masked or "", member.name
        expected = {n: series.series(uow.s, n, TODAY) for n in DASHBOARDS}
    desk = admin.get(f"/admin/bureau/shortage?day={DAY}").get_data(as_text=True)
    shown = [int(i) for i in re.findall(r'id="gap-(\d+)"', desk)]
    assert shown == [g.id for g in ranked][:10] and len(shown) == min(len(ranked), 10)
    for label in ("求职者", "共享员工", "在途返岗人员"):
        assert desk.count(f"<h4>{label} ") == len(shown)
    top = ranked[0]
    assert f"需 {top.needed} 人，已招 {top.recruited} 人" in desk
    page = admin.get(f"/admin/bureau/cohorts/{cohort_id}").get_data(as_text=True)
    assert masked and clear_id and masked != clear_id
    assert masked in page and clear_id not in page and name in page
    watch = admin.get("/admin/bureau/watch").get_data(as_text=True)
    assert watched and all(w["enterprise"] in watch for w in watched)
    entry = admin.get(f"/admin/bureau/watch/{watched[0]['entry_id']}?day={DAY}")
    assert entry.status_code == 200 and "再就业建议" in entry.get_data(as_text=True)
    entry = admin.get(f"/admin/bureau/watch/{watched[0]['entry_id']}?day={DAY}&lang=en")
    assert "Re-employment suggestions" in entry.get_data(as_text=True)
    admin.get("/admin/bureau/watch?lang=zh_CN")
    boards = admin.get(f"/admin/bureau/dashboards?day={DAY}").get_data(as_text=True)
    assert boards.count("<canvas") == 5 and "vendor/chartjs/chart.umd.js" in boards
    for name, rows in expected.items():
        assert f'/admin/bureau/series/{name}.csv?day={DAY}' in boards
        resp = admin.get(f"/admin/bureau/series/{name}.csv?day={DAY}")
        assert resp.status_code == 200 and resp.mimetype == "text/csv"
        assert "attachment" in resp.headers["Content-Disposition"]
        header, back = _csv(resp.get_data(as_text=True))
        assert header == list(DASHBOARDS[name].columns)
        assert rows, name  # the demo (plus the paid claims) fills every series
        assert back == [{c: str(r[c]) for c in header} for r in rows], name
        data = admin.get(f"/admin/bureau/series/{name}.json?day={DAY}").get_json()
        assert data["rows"] == [{k: r[k] for k in r} for r in rows]
    claims = expected["claims"]
    assert [r["month"] for r in claims] == ["2020-02", "2020-03", "2020-04"]
    assert claims[-1]["reversals"] == 1 and claims[-1]["net_fen"] == 0
    assert admin.get("/admin/bureau/series/nope.csv").status_code == 404
    assert admin.get("/admin/bureau/dashboards?day=29-04-2020").status_code == 422


def test_other_roles_get_403_and_anonymous_is_sent_to_login(app: Flask) -> None:
    anon = app.test_client()
    resp = anon.get("/admin/bureau/shortage")
    assert resp.status_code == 302 and "/auth/login" in resp.headers["Location"]
    assert anon.get("/admin/bureau/series/gaps.csv").status_code == 302
    for role in (Role.ENTERPRISE, Role.AGENCY, Role.SEEKER):
        client = app.test_client()
        login(client, f"{role.value}@demo.workbridge.local")
        for url in [*PAGES, "/admin/bureau/series/watch.csv", "/admin/bureau/cohorts/1",
                    "/admin/bureau/gaps/1", "/admin/bureau/watch/1"]:
            assert client.get(url).status_code == 403, (role, url)
        token = csrf_from(client, "/auth/login")
        for url in ("/admin/bureau/dispatch/plan", "/admin/bureau/dispatch/1/confirm",
                    "/admin/bureau/cohorts/1/advance", "/admin/bureau/watch/1/resolve",
                    "/admin/bureau/cohorts/form", "/admin/bureau/watch/scan"):
            resp = client.post(url, data={"csrf_token": token, "note": "x", "to": "departed",
                                          "day": DAY, "capacity": "5"})
            assert resp.status_code == 403, (role, url)
    with app.extensions["matcher"].uow() as uow:
        assert uow.s.scalar(select(func.count()).select_from(DispatchProposal)) == 1
        assert uow.s.scalar(select(func.count()).select_from(WatchEntry).where(
            WatchEntry.status == WatchStatus.RESOLVED)) == 0


def _count(rt: Runtime, model: type) -> int:
    with rt.uow() as uow:
        return int(uow.s.scalar(select(func.count()).select_from(model)) or 0)


def test_officer_actions(app: Flask, admin: FlaskClient) -> None:
    rt: Runtime = app.extensions["matcher"]
    # daily dispatch: plan, then confirm -> outbox rows; a second confirm is refused
    with rt.uow() as uow:  # one more gap, so the plan surely has people to propose
        ent = uow.s.scalar(select(Enterprise.id).where(Enterprise.key_tier != KeyTier.NONE)
                           .order_by(Enterprise.id))
        assert ent is not None
        gaps.report_gap(uow, ent, gaps.GapInput("普工 general worker", 3,
                                                TODAY + timedelta(days=20)),
                        actor="test", today=TODAY)
        uow.commit()
    before = _count(rt, OutboxMessage)
    token = csrf_from(admin, f"/admin/bureau/dispatch?day={DAY}")
    resp = admin.post("/admin/bureau/dispatch/plan", data={"csrf_token": token, "day": DAY})
    assert resp.status_code == 302
    with rt.uow() as uow:
        prop = uow.s.scalars(select(DispatchProposal).order_by(DispatchProposal.id.desc())).first()
        assert prop is not None and prop.status == DispatchStatus.PROPOSED and prop.day == TODAY
        n = uow.s.scalar(select(func.count()).select_from(DispatchAssignment).where(
            DispatchAssignment.proposal_id == prop.id))
        pid = prop.id
    assert n and n > 0
    page = admin.get(f"/admin/bureau/dispatch?day={DAY}").get_data(as_text=True)
    assert f"/admin/bureau/dispatch/{pid}/confirm" in page
    assert admin.post(f"/admin/bureau/dispatch/{pid}/confirm",
                      data={"day": DAY}).status_code == 400  # no CSRF token
    assert _count(rt, OutboxMessage) == before
    resp = admin.post(f"/admin/bureau/dispatch/{pid}/confirm",
                      data={"csrf_token": token, "day": DAY})
    assert resp.status_code == 302
    assert _count(rt, OutboxMessage) == before + 2 * n
    with rt.uow() as uow:
        assert uow.s.get(DispatchProposal, pid).status == DispatchStatus.CONFIRMED  # type: ignore[union-attr]
    assert admin.post(f"/admin/bureau/dispatch/{pid}/confirm",
                      data={"csrf_token": token}).status_code == 422
    page = admin.get(f"/admin/bureau/dispatch?day={DAY}").get_data(as_text=True)
    with rt.uow() as uow:  # the dispatch outbox (other desks write to the outbox too)
        shown = uow.s.scalar(select(func.count()).select_from(OutboxMessage).where(
            OutboxMessage.entity == "dispatch_assignment"))
    assert shown and f"共 {shown} 条" in page

    # cohort manifest: health checks need CSRF; handover needs every member checked
    with rt.uow() as uow:
        cid = uow.s.scalar(select(CohortRegistration.cohort_id).where(
            CohortRegistration.cohort_id.is_not(None)).order_by(CohortRegistration.id))
        assert cid is not None
        members = list(uow.s.scalars(select(CohortMember.id).join(
            CohortRegistration, CohortRegistration.id == CohortMember.registration_id).where(
            CohortRegistration.cohort_id == cid)))
    url = f"/admin/bureau/cohorts/{cid}/members/{members[0]}/health-check"
    assert admin.post(url, data={"checked": "1"}).status_code == 400
    with rt.uow() as uow:
        assert not uow.s.get(CohortMember, members[0]).health_checked  # type: ignore[union-attr]
    assert admin.post(url, data={"checked": "1", "csrf_token": token}).status_code == 302
    with rt.uow() as uow:
        assert uow.s.get(CohortMember, members[0]).health_checked  # type: ignore[union-attr]
    assert admin.post(f"/admin/bureau/cohorts/{cid + 999}/members/{members[0]}/health-check",
                      data={"checked": "0", "csrf_token": token}).status_code == 404
    with rt.uow() as uow:
        current = uow.s.get(Cohort, cid).status  # type: ignore[union-attr]
    for status in ("departed", "arrived"):
        if current != CohortStatus.FORMED and status == "departed":
            continue  # the demo sends every other cohort on its way
        assert admin.post(f"/admin/bureau/cohorts/{cid}/advance",
                          data={"to": status, "csrf_token": token}).status_code == 302
    if len(members) > 1:
        resp = admin.post(f"/admin/bureau/cohorts/{cid}/advance",
                          data={"to": "handed_over", "csrf_token": token})
        assert resp.status_code == 422 and "健康检查" in resp.get_data(as_text=True)
    for m in members[1:]:
        admin.post(f"/admin/bureau/cohorts/{cid}/members/{m}/health-check",
                   data={"checked": "1", "csrf_token": token})
    assert admin.post(f"/admin/bureau/cohorts/{cid}/advance",
                      data={"to": "handed_over", "csrf_token": token}).status_code == 302
    assert "已交接" in admin.get(f"/admin/bureau/cohorts/{cid}").get_data(as_text=True)

    # early warning: resolving needs a note
    with rt.uow() as uow:
        entry = warning.watch_list(uow.s)[0]["entry_id"]
    resp = admin.post(f"/admin/bureau/watch/{entry}/resolve",
                      data={"note": "  ", "csrf_token": token})
    assert resp.status_code == 422
    assert admin.post(f"/admin/bureau/watch/{entry}/resolve",
                      data={"note": "已协调共享用工 staff lent out", "csrf_token": token}
                      ).status_code == 302
    with rt.uow() as uow:
        row = uow.s.get(WatchEntry, entry)
        assert row is not None and row.status == WatchStatus.RESOLVED
        assert row.resolved_by and row.resolved_by.startswith("user:")
    assert str(entry) not in re.findall(r"watch/(\d+)",
                                        admin.get("/admin/bureau/watch").get_data(as_text=True))


def test_buttons_and_empty_plan(app: Flask, admin: FlaskClient) -> None:
    rt: Runtime = app.extensions["matcher"]
    # the demo left work for the desk: the day's dispatch proposes people without a new gap
    token = csrf_from(admin, f"/admin/bureau/dispatch?day={DAY}")
    assert admin.post("/admin/bureau/dispatch/plan",
                      data={"csrf_token": token, "day": DAY}).status_code == 302
    with rt.uow() as uow:
        pid = uow.s.scalar(select(func.max(DispatchProposal.id)))
        assert uow.s.scalar(select(func.count()).select_from(DispatchAssignment).where(
            DispatchAssignment.proposal_id == pid))
    # an empty plan (every deadline passed) offers no confirm button and says why
    late = (TODAY + timedelta(days=400)).isoformat()
    assert admin.post("/admin/bureau/dispatch/plan",
                      data={"csrf_token": token, "day": late}).status_code == 302
    with rt.uow() as uow:
        empty = uow.s.scalar(select(func.max(DispatchProposal.id)))
    page = admin.get(f"/admin/bureau/dispatch?day={late}").get_data(as_text=True)
    assert f"/admin/bureau/dispatch/{empty}/confirm" not in page
    assert "无需确认" in page and f"/admin/bureau/dispatch/{empty}/discard" in page
    sent = _count(rt, OutboxMessage)
    resp = admin.post(f"/admin/bureau/dispatch/{empty}/confirm",
                      data={"csrf_token": token, "day": late})
    assert resp.status_code == 422 and "没有任何分配" in resp.get_data(as_text=True)
    assert _count(rt, OutboxMessage) == sent
    with rt.uow() as uow:
        assert uow.s.get(DispatchProposal, empty).status == DispatchStatus.PROPOSED  # type: ignore[union-attr]

    # "form cohorts" is a button on the cohort page (CSRF, seats checked)
    page = admin.get(f"/admin/bureau/cohorts?day={DAY}").get_data(as_text=True)
    assert 'action="/admin/bureau/cohorts/form"' in page
    before = _count(rt, Cohort)
    assert admin.post("/admin/bureau/cohorts/form",
                      data={"day": DAY, "capacity": "12"}).status_code == 400
    assert admin.post("/admin/bureau/cohorts/form", data={
        "day": DAY, "capacity": "many", "csrf_token": token}).status_code == 422
    resp = admin.post("/admin/bureau/cohorts/form",
                      data={"day": DAY, "capacity": "12", "csrf_token": token})
    assert resp.status_code == 302 and _count(rt, Cohort) > before
    assert "成团" in admin.get(resp.headers["Location"]).get_data(as_text=True)

    # "run warning scan" is a button on the watch page
    page = admin.get("/admin/bureau/watch").get_data(as_text=True)
    assert 'action="/admin/bureau/watch/scan"' in page
    resp = admin.post("/admin/bureau/watch/scan", data={"day": DAY, "csrf_token": token})
    assert resp.status_code == 302
    assert "评估企业" in admin.get(resp.headers["Location"]).get_data(as_text=True)
    assert admin.post("/admin/bureau/watch/scan", data={
        "day": "2020-02-30", "csrf_token": token}).status_code == 422
