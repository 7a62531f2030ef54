"""Browser journey (Debian Chromium) of issue 14, no id typed anywhere: the agency finds a seeker
by words and recommends; the enterprise offers and hires; the bureau records 6 months of social
insurance; the agency claims the 311-yuan subsidy; the bureau approves and pays it."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from test_browser import CHROMIUM, _login, browser, server  # noqa: F401  (fixtures)

from matcher.models import Enterprise, User
from matcher.runtime import Runtime

sync_api = pytest.importorskip("playwright.sync_api")
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium"),
]


def _enterprise_name(rt: Runtime) -> str:
    """The name of the demo ``enterprise@`` user's enterprise (words the agency searches by)."""
    with rt.uow() as uow:
        return str(uow.s.scalar(select(Enterprise.name).join(
            User, User.enterprise_id == Enterprise.id).where(
            User.email == "enterprise@demo.workbridge.local")))


def test_agency_recommends_enterprise_hires_bureau_pays(server, browser) -> None:  # noqa: F811
    base, rt = server
    company = _enterprise_name(rt)

    agency = _login(browser, base, "agency")
    agency.goto("/agency/seekers?q=叉车&category=registered_unemployed")
    agency.locator("tr", has_text="王**").first.locator("a", has_text="选择岗位").click()
    agency.wait_for_url(re.compile(r"/agency/vacancies\?"))
    agency.fill("input[name=q]", company)
    agency.click("form.filter button[type=submit]")
    agency.wait_for_load_state()
    row = agency.locator("table.list tbody tr", has_text=company).first
    link = row.locator("td a").first
    title, href = link.inner_text(), link.get_attribute("href")
    row.locator("button[type=submit]").click()
    agency.wait_for_url(re.compile(r"/agency/vacancies\?"))
    agency.goto("/agency/")
    assert "王**" in agency.locator("table.list tbody tr", has_text=title).first.inner_text()

    # the enterprise: its vacancy list -> the vacancy -> applicants -> offer -> hire
    ent = _login(browser, base, "enterprise")
    ent.goto("/enterprise/")
    ent.locator(f"a[href='{href}']").first.click()
    ent.click("a[href$='/applications']")
    ent.wait_for_url(re.compile(r"/enterprise/vacancies/\d+/applications"))
    card = ent.locator("ol.applicants li.card", has_text="王").filter(
        has=ent.locator(".badge", has_text="推荐")).first
    card.locator("button[value=offered]").click()
    ent.wait_for_load_state()
    card = ent.locator("ol.applicants li.card", has_text="王").filter(
        has=ent.locator(".status-offered")).first
    today = (datetime.now(UTC) + timedelta(hours=8)).date().isoformat()
    card.locator("input[name=hired_on]").fill(today)
    card.locator("input[name=contract_months]").fill("12")
    card.locator("input[name=contract_reference]").fill("EC-AGENCY-0001")
    card.locator("button[value=hire]").click()
    ent.wait_for_load_state()
    ent.click("[data-testid=confirm]")  # the hire is confirmed on its own page
    ent.wait_for_load_state()
    hired = ent.locator("ol.applicants li.card", has=ent.locator(".status-hired"))
    assert "推荐" in hired.first.inner_text()

    # the bureau records 6 months of social insurance on the placements page
    admin = _login(browser, base, "admin")
    admin.click("header a[href='/admin/placements']")
    placed = admin.locator("table.placements tbody tr", has_text=title).filter(
        has_text=company).first
    placed.locator("input[name=months]").fill("6")
    placed.locator("button[type=submit]").click()
    admin.wait_for_load_state()
    placed = admin.locator("table.placements tbody tr", has_text=title).filter(
        has_text=company).first
    assert placed.locator("input[name=months]").input_value() == "6"

    # the agency claims from its placements list: a named placement, the rule by its text
    agency.click("header a[href='/agency/placements']")
    mine = agency.locator("table.list tbody tr", has_text=title).first
    assert mine.locator("td").nth(6).inner_text() == "6"
    mine.locator("a", has_text="申请补贴").click()
    agency.wait_for_url(re.compile(r"/agency/claims\?placement_id="))
    chosen = agency.locator("select[name=placement_id] option:checked").inner_text()
    assert title in chosen
    agency.select_option("select[name=rule_code]", value="employment_introduction")
    agency.click("form.stacked button[type=submit]")
    agency.wait_for_url(re.compile(r"/agency/claims/\d+$"))
    assert "¥311" in agency.content()
    number = agency.locator("h1").inner_text()

    # the bureau approves and pays it from its claims list
    admin.click("header a[href='/admin/']")
    claim_no = re.compile(rf"^{re.escape(number.split()[-1])}$")
    row = admin.locator("table.list tbody tr", has=admin.locator("a", has_text=claim_no))
    assert title in row.inner_text() and "王**" in row.inner_text()  # names, not ids
    row.locator("a", has_text=claim_no).click()
    admin.fill("input[name=note]", "材料齐全")
    admin.locator("form", has=admin.locator("input[name=note]")).locator("button").click()
    admin.wait_for_load_state()
    admin.click("[data-testid=confirm]")  # the approval is confirmed on its own page
    admin.wait_for_load_state()
    admin.locator("form[action$='/pay'] button").click()
    admin.wait_for_load_state()
    assert "311" in admin.locator(".confirm-question").inner_text()  # amount and payee asked
    admin.click("[data-testid=confirm]")
    admin.wait_for_load_state()
    sync_api.expect(admin.locator("dd .status").first).to_have_class(re.compile(r"\bpaid\b"))
    assert "¥311" in admin.locator("dl").inner_text()
    agency.reload()
    assert "paid" in str(agency.locator("dd .status").first.get_attribute("class"))
    agency.goto("/agency/claims?status=paid")
    paid_row = agency.locator("table.list tbody tr").first.inner_text()
    assert "¥311" in paid_row and title in paid_row
