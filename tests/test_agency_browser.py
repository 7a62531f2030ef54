"""Browser journey (Debian Chromium): an agency asks for its seeker search, logs in and comes
back to it, finds a consenting registered-unemployed seeker by words, picks a vacancy by words
and recommends with one button; the bureau approves a registered enterprise. No id typed."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from builders.serving import demo_app

from matcher.config import Settings

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium"),
]
sync_api = pytest.importorskip("playwright.sync_api")


@pytest.fixture
def server(settings: Settings) -> Iterator[str]:
    """The app on a free port over a small seeded demo city (fake encoder)."""
    with demo_app(settings) as (base, _rt):
        yield base


def _log_in(page, role: str) -> None:  # type: ignore[no-untyped-def]
    page.fill("input[name=email]", f"{role}@demo.workbridge.local")
    page.fill("input[name=password]", "demo")
    page.click("form button[type=submit]")


def test_agency_finds_recommends_and_admin_approves(server: str) -> None:
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS, headless=True)
        page = browser.new_context(base_url=server, locale="zh-CN").new_page()
        page.set_default_timeout(15_000)
        page.goto("/agency/seekers?q=叉车")
        page.wait_for_url(re.compile(r"/auth/login\?next="))
        _log_in(page, "agency")
        page.wait_for_url(re.compile(r"/agency/seekers\?q="))
        page.select_option("select[name=category]", "registered_unemployed")
        page.click("form.filter button[type=submit]")
        row = page.locator("tr", has_text="王**").first
        assert "登记失业人员" in row.inner_text()
        row.locator("a", has_text="选择岗位").click()
        page.wait_for_url(re.compile(r"/agency/vacancies\?"))
        page.fill("input[name=q]", "叉车")
        page.click("form.filter button[type=submit]")
        title = page.locator("table.list tbody tr td a").first.inner_text()
        page.locator("table.list tbody tr button[type=submit]").first.click()
        page.wait_for_url(re.compile(r"/agency/vacancies\?"))
        page.goto("/agency/")
        listed = page.locator("table.list tbody").inner_text()
        assert "王**" in listed and title in listed
        page.context.close()

        admin = browser.new_context(base_url=server, locale="zh-CN").new_page()
        admin.set_default_timeout(15_000)
        admin.goto("/admin/accounts")
        _log_in(admin, "admin")
        admin.wait_for_url(re.compile(r"/admin/accounts"))
        row = admin.locator("tr", has_text="朝阳新锐物流有限公司")
        row.locator("button", has_text="批准").click()
        admin.wait_for_url(re.compile(r"/admin/accounts"))
        assert admin.locator("tr", has_text="朝阳新锐物流有限公司").count() == 0
        browser.close()
