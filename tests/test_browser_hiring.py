"""Browser journey (Debian Chromium): a seeker applies, the enterprise shortlists, schedules
an interview, offers and hires; the seeker sees each state and the notifications."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlalchemy import select
from test_browser import CHROMIUM, _login, browser, server, shots  # noqa: F401  (fixtures)

from matcher.enums import VacancyStatus
from matcher.models import Application, User, Vacancy
from matcher.runtime import Runtime

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium"),
]
DOMAIN = "demo.workbridge.local"


def _target(rt: Runtime) -> int:
    """An open vacancy of the demo enterprise the demo seeker has not applied to."""
    with rt.uow() as uow:
        ent, seeker = (uow.s.scalar(select(col).where(User.email == f"{role}@{DOMAIN}"))
                       for role, col in (("enterprise", User.enterprise_id),
                                         ("seeker", User.seeker_id)))
        applied = set(uow.s.scalars(select(Application.vacancy_id).where(
            Application.seeker_id == seeker)))
        ids = uow.s.scalars(select(Vacancy.id).where(
            Vacancy.enterprise_id == ent, Vacancy.status == VacancyStatus.OPEN,
            Vacancy.filled < Vacancy.headcount).order_by(Vacancy.id))
        return next(v for v in ids if v not in applied)


def test_apply_shortlist_interview_offer_hire(server, browser, shots: Path) -> None:  # noqa: F811
    base, rt = server
    vacancy_id = _target(rt)

    # an anonymous visitor is sent to log in and comes back to the same vacancy
    seeker = browser.new_context(base_url=base, locale="zh-CN").new_page()
    seeker.set_default_timeout(15_000)
    seeker.goto(f"/vacancies/{vacancy_id}")
    seeker.click("a[href*='/apply']")
    seeker.wait_for_url(re.compile(r"/auth/login"))
    seeker.fill("input[name=email]", "seeker@demo.workbridge.local")
    seeker.fill("input[name=password]", "demo")
    seeker.click("form button[type=submit]")
    seeker.wait_for_url(re.compile(rf"/vacancies/{vacancy_id}$"))
    seeker.fill("form.apply-form textarea[name=message]", "我有三年仓库经验")
    seeker.click("form.apply-form button[type=submit]")
    seeker.wait_for_url(re.compile(r"/seeker/applications"))
    card = seeker.locator("li.card", has=seeker.locator(f"a[href='/vacancies/{vacancy_id}']"))
    assert "status-applied" in card.locator(".status").get_attribute("class")

    ent = _login(browser, base, "enterprise")
    ent.goto(f"/vacancies/{vacancy_id}")
    ent.click("a[href$='/applications']")
    ent.wait_for_url(re.compile(r"/enterprise/vacancies/\d+/applications"))
    app = ent.locator("ol.applicants li.card").first
    assert "我有三年仓库经验" in app.inner_text()
    app.locator("button[value=shortlisted]").click()
    ent.wait_for_load_state()
    app = ent.locator("ol.applicants li.card").first
    assert "status-shortlisted" in app.locator(".status").get_attribute("class")
    app.locator("input[name=interview_at]").fill("2030-01-02T09:30")
    app.locator("input[name=interview_location]").fill("大兴区物流园 3 号楼")
    app.locator("button[value=interview]").click()
    ent.wait_for_load_state()
    app = ent.locator("ol.applicants li.card").first
    assert "大兴区物流园 3 号楼" in app.inner_text()

    seeker.goto("/seeker/applications")
    assert "大兴区物流园 3 号楼" in seeker.content()

    app.locator("button[value=offered]").click()
    ent.wait_for_load_state()
    app = ent.locator("ol.applicants li.card").first
    app.locator("input[name=hired_on]").fill("2030-01-10")
    app.locator("input[name=contract_months]").fill("12")
    app.locator("input[name=contract_reference]").fill("EC-2030-0001")
    app.locator("button[value=hire]").click()
    ent.wait_for_load_state()
    ent.locator("[data-testid=confirm]").click()  # a hire cannot be undone: confirmed first
    ent.wait_for_load_state()
    app = ent.locator("ol.applicants li.card").first
    assert "status-hired" in app.locator(".status").get_attribute("class")
    ent.screenshot(path=str(shots / "enterprise-applicants.png"), full_page=True)

    seeker.goto("/seeker/applications")
    card = seeker.locator("li.card", has=seeker.locator(f"a[href='/vacancies/{vacancy_id}']"))
    assert "status-hired" in card.locator(".status").get_attribute("class")
    seeker.click("a.inbox-link")
    seeker.wait_for_url(re.compile(r"/inbox"))
    kinds = [seeker.locator("ol.inbox li.card").nth(i).get_attribute("data-kind")
             for i in range(seeker.locator("ol.inbox li.card").count())]
    assert kinds[0] == "application.hired" and "application.interview" in kinds
    seeker.screenshot(path=str(shots / "seeker-inbox.png"), full_page=True)
