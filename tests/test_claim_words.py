"""Issue 16 for claims: the evidence is a table of conditions in the reader's language, paying
asks first (amount in yuan, payee by name), and subsidy API errors speak zh or en with the
same ``code``."""

from __future__ import annotations

from builders.accounts import World
from flask import Flask
from test_claimants_pages import hired_app  # noqa: F401  (the fixture)
from test_pages import login, post

from matcher.enums import Role
from matcher.models import HRAgency
from matcher.models.subsidy import SubsidyClaim
from matcher.subsidy.evidence import evidence
from matcher.subsidy.wording import missing


def _claim(world: World) -> int:
    return int(world.party(Role.AGENCY).owned["claim_id"])


def _status(app: Flask, claim_id: int) -> str:
    with app.extensions["matcher"].uow() as uow:
        claim = uow.s.get(SubsidyClaim, claim_id)
        assert claim is not None
        return claim.status.value


def test_evidence_rows_are_words_not_codes() -> None:
    trace = {"checks": [
        {"condition": "tranche[2].social_insurance_months_min", "passed": False,
         "facts": {"social_insurance_months": 1}, "params": {"min": 6}, "reason": "x"},
        {"condition": "seeker_category_in", "passed": True,
         "facts": {"seeker_categories": ["graduate"]},
         "params": {"any_of": ["graduate", "registered_unemployed"]}, "reason": "x"},
        {"condition": "brand_new_condition", "passed": True, "facts": {}, "params": {}}]}
    rows = evidence(trace)
    assert [str(r.condition) for r in rows] == [
        "Instalment 2: Months of social insurance paid", "Category of the person",
        "brand_new_condition"]
    assert (str(rows[0].required), str(rows[0].recorded), str(rows[0].verdict)) == (
        "At least 6 months", "1 month", "Not met")
    assert str(rows[1].required) == "One of: graduate / registered_unemployed"
    assert [str(m) for m in missing(trace)] == [
        "Needs 5 more months of social insurance (1 recorded, 6 required)."]


def test_claim_page_shows_the_evidence_table_in_each_language(
        world_app: tuple[Flask, World]) -> None:
    app, world = world_app
    claim = _claim(world)
    for role, prefix in ((Role.AGENCY, "/agency"), (Role.ADMIN, "/admin")):
        client = login(app, world, role)
        zh = client.get(f"{prefix}/claims/{claim}").get_data(as_text=True)
        assert 'data-testid="evidence"' in zh
        for words in ("已缴社保月数", "劳动合同期限", "人员类别", "符合", "职业介绍补贴"):
            assert words in zh, words
        for raw in ("_fen", "amount_fen", '"checks"', "{&#34;", "employment_introduction v",
                    "Months of social insurance paid", "user:"):
            assert raw not in zh, raw
        en = client.get(f"{prefix}/claims/{claim}?lang=en").get_data(as_text=True)
        for words in ("Months of social insurance paid", "Length of the labour contract",
                      "Met", "Employment-introduction subsidy", "At least 12 months"):
            assert words in en, words
        assert "已缴社保月数" not in en and "_fen" not in en


def test_paying_asks_first_with_amount_and_payee(world_app: tuple[Flask, World]) -> None:
    app, world = world_app
    claim = _claim(world)
    with app.extensions["matcher"].uow() as uow:
        agency = uow.s.get(HRAgency, world.party(Role.AGENCY).owned["agency_id"])
        assert agency is not None
        payee = agency.name
    admin = login(app, world, Role.ADMIN)
    page = f"/admin/claims/{claim}"
    asked = post(admin, f"{page}/approve", {"note": "ok"}, page)
    assert asked.status_code == 200 and 'data-testid="confirm"' in asked.get_data(as_text=True)
    assert _status(app, claim) == "submitted"  # nothing changed before the confirmation
    assert post(admin, f"{page}/approve", {"note": "ok", "confirmed": "1"},
                page).status_code == 302
    assert _status(app, claim) == "approved"

    question = post(admin, f"{page}/pay", {}, page)
    html = question.get_data(as_text=True)
    assert question.status_code == 200 and "311" in html and payee in html
    assert "拨付" in html and "元" in html and 'name="confirmed" value="1"' in html
    assert _status(app, claim) == "approved"
    done = post(admin, f"{page}/pay", {"confirmed": "1"}, page)
    assert done.status_code == 302 and _status(app, claim) == "paid"
    assert "已拨付" in admin.get(page).get_data(as_text=True)


def test_reject_checks_the_reason_before_asking(world_app: tuple[Flask, World]) -> None:
    app, world = world_app
    claim = _claim(world)
    admin = login(app, world, Role.ADMIN)
    page = f"/admin/claims/{claim}"
    bad = post(admin, f"{page}/reject", {"reason": ""}, page)
    assert bad.status_code == 422 and 'id="reason-error"' in bad.get_data(as_text=True)
    asked = post(admin, f"{page}/reject", {"reason": "材料不全"}, page)
    assert asked.status_code == 200 and "不可撤销" in asked.get_data(as_text=True)
    assert _status(app, claim) == "submitted"
    assert post(admin, f"{page}/reject", {"reason": "材料不全", "confirmed": "1"},
                page).status_code == 302
    assert _status(app, claim) == "rejected"


def test_subsidy_api_errors_speak_the_callers_language(world_app: tuple[Flask, World]) -> None:
    app, world = world_app
    client = app.test_client()
    auth = {"Authorization": f"Bearer {world.party(Role.ADMIN).token}"}
    zh = client.get("/api/v1/admin/claims/999999", headers=auth)
    assert zh.status_code == 404
    assert zh.get_json()["error"] == {"code": "not_found", "message": "补贴申请 999999 不存在。"}
    en = client.get("/api/v1/admin/claims/999999", headers={**auth, "Accept-Language": "en"})
    assert en.get_json()["error"] == {"code": "not_found", "message": "No claim 999999."}

    agency = {"Authorization": f"Bearer {world.party(Role.AGENCY).token}"}
    body = {"placement_id": world.party(Role.AGENCY).owned["placement_id"],
            "rule_code": "employment_introduction"}
    dup = client.post("/api/v1/agency/claims", json=body,
                      headers={**agency, "Idempotency-Key": "another-key"})
    error = dup.get_json()["error"]
    assert dup.status_code == 409 and error["code"] == "duplicate_claim"
    assert "职业介绍补贴" in error["message"] and "待审批" in error["message"]
    dup_en = client.post("/api/v1/agency/claims", json=body, headers={
        **agency, "Idempotency-Key": "another-key", "Accept-Language": "en"}).get_json()["error"]
    assert dup_en["code"] == "duplicate_claim"
    assert "Employment-introduction subsidy" in dup_en["message"]
    assert "submitted" in dup_en["message"].lower()


def test_unmet_conditions_read_as_sentences_on_the_claim_form(
        hired_app: tuple[Flask, World, int]) -> None:  # noqa: F811
    app, world, pid = hired_app
    person = login(app, world, Role.SEEKER)
    form = person.get("/seeker/claims").get_data(as_text=True)
    key = form.split('name="idempotency_key" value="')[1].split('"')[0]
    refused = post(person, "/seeker/claims", {"placement_id": pid, "tranche": 1,
                                              "rule_code": "graduate_job_seeking",
                                              "idempotency_key": key})
    html = refused.get_data(as_text=True)
    assert refused.status_code == 422
    assert "用人单位须为本市工业龙头企业。" in html and "该申请不符合补贴条件。" in html
    assert "leading_industrial" not in html and "Leading industrial" not in html
