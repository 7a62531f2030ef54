"""Browser journeys in headless Chromium (Debian's /usr/bin/chromium, via Playwright).

The app runs in a background thread (werkzeug ``make_server``) on a demo city (size 80)
with indexes built by the fake encoder (WORKBRIDGE_BROWSER_ENCODER=e5-small for the real
one: ~95 s instead of ~10 s). Journeys: a seeker signs up and sees
explained recommendations; an enterprise posts a vacancy and sees candidates; an agency
recommends and claims; an admin approves. Screenshots go to docs/screenshots when
WORKBRIDGE_SCREENSHOTS=1, else to a temporary folder.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from builders.serving import demo_app
from sqlalchemy import select

from matcher.config import Settings
from matcher.enums import PersonStatus
from matcher.models import JobSeeker
from matcher.runtime import Runtime
from matcher.subsidy.actors import Actor
from matcher.subsidy.clock import today
from matcher.subsidy.placements import HireRequest, hire

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
SHOTS_DIR = Path(__file__).resolve().parent.parent / "docs" / "screenshots"
PASSWORD = "demo"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium"),
]
sync_api = pytest.importorskip("playwright.sync_api")


@pytest.fixture
def server(settings: Settings) -> Iterator[tuple[str, Runtime]]:
    """The app on a free port, over a seeded demo city with built indexes."""
    # the fake encoder by default: with e5-small seeding and indexing take ~70 s of the ~95 s
    with demo_app(settings, encoder=os.environ.get("WORKBRIDGE_BROWSER_ENCODER", "fake")) as s:
        yield s


@pytest.fixture
def shots(tmp_path: Path) -> Path:
    if os.environ.get("WORKBRIDGE_SCREENSHOTS") == "1":
        SHOTS_DIR.mkdir(parents=True, exist_ok=True)
        return SHOTS_DIR
    return tmp_path


@pytest.fixture
def browser() -> Iterator[object]:
    with sync_api.sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS, headless=True)
        yield b
        b.close()


def _page(browser, base: str):
    context = browser.new_context(base_url=base, viewport={"width": 1200, "height": 900},
                                  locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(15_000)
    return page


def _login(browser, base: str, role: str):
    page = _page(browser, base)
    page.goto("/auth/login")
    page.fill("input[name=email]", f"{role}@demo.workbridge.local")
    page.fill("input[name=password]", PASSWORD)
    page.click("form button[type=submit]")
    page.wait_for_url(re.compile(r"/$"))
    return page


def test_four_role_journeys(server, browser, shots: Path) -> None:
    base, rt = server

    # public search
    page = _page(browser, base)
    page.goto("/?q=仓库")
    assert page.locator("li.card").count() > 0
    page.screenshot(path=str(shots / "search.png"), full_page=True)

    # a seeker signs up and sees explained recommendations
    page.goto("/seeker/signup")
    page.fill("input[name=email]", "new.seeker@example.test")
    page.fill("input[name=password]", "secret-pass")
    page.fill("input[name=desired_positions]", "仓库拣货员、warehouse picker")
    page.fill("input[name=skills]", "拣货、叉车、扫码枪")
    page.fill("textarea[name=experience]", "三年电商仓库拣货和打包经验")
    page.select_option("select[name=district]", "大兴区")
    page.fill("input[name=travel_km]", "15")
    page.click("form.stacked button[type=submit]")
    page.wait_for_url(re.compile(r"/seeker/recommendations"))
    cards = page.locator("ol.matches li.card")
    assert cards.count() > 0
    assert "具备技能" in cards.first.inner_text() and "欠缺技能" not in page.content()
    cards.first.locator("details summary").click()
    assert cards.first.locator("table.components tbody tr").count() >= 5
    page.screenshot(path=str(shots / "seeker-recommendations.png"), full_page=True)
    page.context.close()

    # an enterprise posts a vacancy and sees explained candidates
    page = _login(browser, base, "enterprise")
    page.goto("/enterprise/vacancies/new")
    page.fill("input[name=title]", "仓库拣货员 Warehouse picker")
    page.fill("textarea[name=description]", "电商仓库拣货、打包，做五休二，包午餐")
    page.fill("input[name=required_skills]", "拣货")
    page.fill("input[name=preferred_skills]", "叉车")
    page.fill("input[name=headcount]", "3")
    page.select_option("select[name=district]", "大兴区")
    page.fill("input[name=wage_min]", "6500")
    page.fill("input[name=wage_max]", "7500")
    page.click("form.stacked button[type=submit]")
    page.wait_for_url(re.compile(r"/enterprise/vacancies/\d+/candidates"))
    vacancy_id = int(re.search(r"/vacancies/(\d+)/", page.url).group(1))  # type: ignore[union-attr]
    assert page.locator("ol.matches li.card").count() > 0
    page.screenshot(path=str(shots / "enterprise-candidates.png"), full_page=True)
    page.context.close()

    # an agency recommends a consenting seeker; the enterprise hires; the agency claims
    with rt.uow() as uow:
        eligible = [s.id for s in uow.s.scalars(select(JobSeeker).where(
            JobSeeker.status == PersonStatus.ACTIVE,
            JobSeeker.consent_share_with_agencies.is_(True)).order_by(JobSeeker.id))
            if {"graduate", "registered_unemployed"} & set(s.categories or ())]
    assert eligible
    seeker_id = eligible[0]
    page = _login(browser, base, "agency")
    page.goto(f"/agency/vacancies?seeker_id={seeker_id}&q=Warehouse+picker")  # the seeker's
    page.locator("tr", has_text="仓库拣货员 Warehouse picker").locator(  # "Choose a vacancy"
        "button[type=submit]").first.click()
    assert page.locator(".flash").count() == 1
    with rt.uow() as uow:  # no hiring page exists: the enterprise's hire goes through the service
        hired_on = today()  # the bureau's local date, as attribution compares it
        placement = hire(rt, uow, HireRequest(seeker_id, vacancy_id, hired_on, hired_on, 12, 1),
                         actor=Actor.admin("test"))
        uow.commit()
    page.goto(f"/agency/claims?placement_id={placement.id}")
    page.select_option("select[name=rule_code]", "employment_introduction")
    page.click("form.stacked button[type=submit]")
    assert page.locator("div.error").count() == 0, page.inner_text("main")[:1500]
    page.wait_for_url(re.compile(r"/agency/claims/\d+"))
    claim_id = int(page.url.rsplit("/", 1)[1])
    assert "待审批" in page.inner_text("main")
    page.goto("/agency/claims")
    page.screenshot(path=str(shots / "agency-claims.png"), full_page=True)
    page.context.close()

    # an admin approves it
    page = _login(browser, base, "admin")
    page.goto("/admin/")
    page.screenshot(path=str(shots / "admin-claims.png"), full_page=True)
    page.click(f"a[href='/admin/claims/{claim_id}']")
    page.fill("input[name=note]", "材料齐全")
    page.click("text=批准")
    page.locator("[data-testid=confirm]").click()  # approving asks first
    page.wait_for_url(re.compile(rf"/admin/claims/{claim_id}$"))
    assert "已批准" in page.inner_text("main")
    page.goto("/?lang=en")
    assert "Open vacancies" in page.inner_text("main")
    page.context.close()
