"""Shared employment in headless Chromium: the lender proposes from "who needs my staff", the
borrower accepts and both sign, each employee confirms through their own link, the
agreement activates and is returned.

The demo city (size 80, fake encoder) is seeded as of a week ago, so the lender's idle staff
can already go today and the agreement can run for one day, today.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date, timedelta

import pytest
from builders.serving import demo_app

from matcher.config import Settings
from matcher.models import SurplusEmployee
from matcher.runtime import Runtime

pytestmark = [pytest.mark.browser]
sync_api = pytest.importorskip("playwright.sync_api")
from test_browser import ARGS, CHROMIUM, _login, _page  # noqa: E402

if not CHROMIUM.exists():  # pragma: no cover - only on machines without Debian's chromium
    pytest.skip("needs Debian's chromium", allow_module_level=True)

TODAY = date.today()


@pytest.fixture
def server(settings: Settings) -> Iterator[tuple[str, Runtime]]:
    """The app on a free port over a demo city seeded as of a week ago."""
    with demo_app(settings, today=TODAY - timedelta(days=7)) as s:
        yield s


def _sign(page, url: str, name: str) -> None:
    page.goto(url)
    page.fill("form.sign input[name=signer_name]", name)
    page.check("form.sign input[name=confirm]")
    page.click("form.sign button[type=submit]")
    page.wait_for_load_state()
    assert "确定签署" in page.locator(".confirm-question").inner_text()
    page.click("[data-testid=confirm]")  # the confirmation page: nothing is signed before
    page.wait_for_url(url)


def test_lender_borrower_and_employees(server, tmp_path) -> None:
    base, rt = server
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS, headless=True)
        lender = _login(browser, base, "lender")
        lender.click("nav >> text=谁需要我的员工")
        offer = lender.locator("section.opportunity", has_text="客房保洁临时借调").first
        assert offer.locator("input[name=employee_ids]").count() >= 1
        offer.locator("input[name=start_date]").fill(TODAY.isoformat())
        offer.locator("input[name=end_date]").fill(TODAY.isoformat())
        offer.locator("input[name=reimbursement_yuan_per_day]").fill("9999")
        offer.locator("button[type=submit]").click()
        refused = lender.locator("section.opportunity .field-error").first
        assert "成本" in refused.inner_text()  # reimbursement above the declared cost
        offer = lender.locator("section.opportunity", has_text="客房保洁临时借调").first
        offer.locator("input[name=start_date]").fill(TODAY.isoformat())
        offer.locator("input[name=end_date]").fill(TODAY.isoformat())
        offer.locator("input[name=reimbursement_yuan_per_day]").fill("100")
        offer.locator("button[type=submit]").click()
        lender.wait_for_url(re.compile(r"/enterprise/agreements/\d+$"))
        agreement_url = lender.url
        assert lender.locator("span.status.proposed").count() == 1
        links = {}
        for li in lender.locator("ul.staff li").all():
            links[int(li.get_attribute("data-employee") or 0)] = \
                li.locator("code.ack-url").inner_text().strip()
        assert links and all("/ack/" in u for u in links.values())

        borrower = _login(browser, base, "enterprise")
        borrower.goto(agreement_url)
        borrower.click("form[action$='/accept'] button")
        assert borrower.locator("span.status.accepted").count() == 1
        _sign(borrower, agreement_url, "陈厂长")
        _sign(lender, agreement_url, "刘经理")

        with rt.uow() as uow:
            names = {i: uow.s.get(SurplusEmployee, i).name for i in links}
        for emp_id, url in links.items():
            person = _page(browser, base)
            person.goto(url)
            assert "社会保险" in person.content()
            person.fill("input[name=name]", "冒名顶替")
            person.click("form button[type=submit]")
            assert "姓名不符" in person.locator("[role=alert]").inner_text()
            person.fill("input[name=name]", names[emp_id] or "")
            person.click("form button[type=submit]")
            assert "已确认" in person.locator("[role=status]").inner_text()

        lender.goto(agreement_url)
        assert lender.locator("span.status.signed").count() == 1
        lender.click("form[action$='/activate'] button")
        assert lender.locator("span.status.active").count() == 1
        borrower.goto(agreement_url)
        borrower.click("form[action$='/return'] button")
        borrower.click("[data-testid=confirm]")
        assert borrower.locator("span.status.returned").count() == 1
        browser.close()
