"""The bureau in headless Chromium: charts are drawn, desks render and answer, screenshots.

Screenshots go to ``docs/screenshots/bureau-*.png`` when ``WORKBRIDGE_SCREENSHOTS=1``,
otherwise to the test's temporary folder. Needs Debian's /usr/bin/chromium (never
``playwright install``).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select
from test_bureau_pages import ADMIN_EMAIL, PASSWORD, seed_city
from werkzeug.serving import make_server

from matcher.config import Settings
from matcher.models import CohortMember, CohortRegistration
from web import create_app

pytestmark = pytest.mark.browser
CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
ROOT = Path(__file__).resolve().parent.parent
BOARDS = ("gaps", "cohorts", "claims", "watch")
DAY = date.today().isoformat()  # the demo's dispatch is confirmed now: recruits show today


@pytest.fixture
def server(settings: Settings) -> Iterator[tuple[str, Flask]]:
    app = create_app(settings)
    seed_city(app.extensions["matcher"], date.today())
    httpd = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_port}", app
    httpd.shutdown()
    thread.join(5)
    app.extensions["matcher"].dispose()


@pytest.fixture
def shots(tmp_path: Path) -> Path:
    if os.environ.get("WORKBRIDGE_SCREENSHOTS") == "1":
        out = ROOT / "docs" / "screenshots"
        out.mkdir(parents=True, exist_ok=True)
        return out
    return tmp_path


CHART_STATE = """() => Array.from(document.querySelectorAll('figure.chart canvas')).map(c => {
  const chart = window.Chart && window.Chart.getChart(c);
  return {drawn: !!chart, type: chart ? chart.config.type : null,
          points: chart ? chart.data.datasets.reduce((n, d) => n + d.data.length, 0) : 0,
          width: c.width, height: c.height};
})"""


def test_dashboards_draw_charts(server: tuple[str, Flask], shots: Path) -> None:
    if not CHROMIUM.exists():
        pytest.skip("/usr/bin/chromium is not installed")
    sync_api = pytest.importorskip("playwright.sync_api")
    base, app = server
    with app.extensions["matcher"].uow() as uow:
        cohort_id, member_id = uow.s.execute(select(
            CohortRegistration.cohort_id, CohortMember.id).join(
            CohortMember, CohortMember.registration_id == CohortRegistration.id).where(
            CohortRegistration.cohort_id.is_not(None)).order_by(CohortMember.id)).first()
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS, headless=True)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="zh-CN")
            problems: list[str] = []
            page.on("console", lambda m: problems.append(f"{m.text} {m.location.get('url')}")
                    if m.type == "error" and "favicon" not in m.location.get("url", "") else None)
            page.on("pageerror", lambda e: problems.append(str(e)))
            page.goto(f"{base}/auth/login")
            page.fill("input[name=email]", ADMIN_EMAIL)
            page.fill("input[name=password]", PASSWORD)
            page.click("button[type=submit]")
            page.wait_for_load_state()
            for name in BOARDS:
                page.goto(f"{base}/admin/bureau/dashboards/{name}?day={DAY}")
                page.wait_for_selector("figure.chart.drawn", timeout=10_000)
                state = page.evaluate(CHART_STATE)
                assert state and all(s["drawn"] and s["points"] > 0 for s in state), (name, state)
                assert all(s["width"] > 100 and s["height"] > 100 for s in state), state
                assert page.evaluate(f"window.workbridgeCharts['{name}'].length") == len(state)
                assert page.locator("table.data tbody tr").count() > 0  # the fallback table
                page.screenshot(path=str(shots / f"bureau-dashboard-{name}.png"), full_page=True)
            page.goto(f"{base}/admin/bureau/dashboards?day={DAY}")
            page.wait_for_selector("figure.chart.drawn")
            assert len(page.evaluate(CHART_STATE)) == 5
            for desk, url in (("shortage", f"/admin/bureau/shortage?day={DAY}"),
                              ("dispatch", f"/admin/bureau/dispatch?day={DAY}"),
                              ("watch", "/admin/bureau/watch")):
                page.goto(base + url)
                assert page.locator(".bureau-nav a[aria-current=page]").count() == 1
                page.screenshot(path=str(shots / f"bureau-{desk}.png"), full_page=True)
            # ticking the health-check box submits its form (bureau.js), with the CSRF token
            page.goto(f"{base}/admin/bureau/cohorts/{cohort_id}")
            box = page.locator(f"tr#m{member_id} input[type=checkbox]")
            assert not box.is_checked()
            with page.expect_navigation():
                box.check()
            assert page.locator(f"tr#m{member_id} input[type=checkbox]").is_checked()
            page.screenshot(path=str(shots / "bureau-manifest.png"), full_page=True)
            assert problems == []  # no script errors, no CSP violations
        finally:
            browser.close()
    with app.extensions["matcher"].uow() as uow:
        member = uow.s.get(CohortMember, member_id)
        assert member is not None and member.health_checked


def _login(page: Any, base: str) -> None:
    page.goto(f"{base}/auth/login")
    page.fill("input[name=email]", ADMIN_EMAIL)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state()


def test_officer_desks_in_the_browser(server: tuple[str, Flask], shots: Path) -> None:
    """Shortage desk, a gap's candidates, plan and confirm a dispatch, form cohorts, scan."""
    if not CHROMIUM.exists():
        pytest.skip("/usr/bin/chromium is not installed")
    sync_api = pytest.importorskip("playwright.sync_api")
    base, app = server
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS, headless=True)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="zh-CN")
            _login(page, base)
            page.goto(f"{base}/admin/bureau/shortage?day={DAY}")
            assert page.locator("li.gap").count() > 0
            with page.expect_navigation():
                page.locator("li.gap:has(ol.cands li) a").first.click()
            assert "/admin/bureau/gaps/" in page.url
            assert page.locator("ol.cands li").count() > 0
            page.screenshot(path=str(shots / "bureau-gap.png"), full_page=True)

            page.goto(f"{base}/admin/bureau/dispatch?day={DAY}")
            with page.expect_navigation():
                page.get_by_role("button", name="生成当日派工方案").click()
            newest = page.locator("section.proposal").first
            assert "待确认" in newest.locator("h2 .badge").inner_text()
            rows = newest.locator("tbody tr").count()
            assert rows > 0 and "没有分配" not in newest.inner_text()
            with page.expect_navigation():
                newest.get_by_role("button", name="确认并通知").click()
            assert "已确认" in page.locator("section.proposal").first.locator(
                "h2 .badge").inner_text()
            assert f"已生成 {2 * rows} 条通知" in page.locator(".flash").inner_text()

            page.goto(f"{base}/admin/bureau/cohorts?day={DAY}")
            before = page.locator("tbody tr.status-formed").count()
            with page.expect_navigation():
                page.get_by_role("button", name="按登记成团").click()
            assert "成团" in page.locator(".flash").inner_text()
            assert page.locator("tbody tr.status-formed").count() > before

            page.goto(f"{base}/admin/bureau/watch")
            with page.expect_navigation():
                page.get_by_role("button", name="运行预警扫描").click()
            assert "评估企业" in page.locator(".flash").inner_text()
            assert page.locator("tbody tr").count() > 0
            page.screenshot(path=str(shots / "bureau-watch-scanned.png"), full_page=True)
        finally:
            browser.close()
