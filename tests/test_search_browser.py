"""The public search in headless Chromium: reasons on each card, the sort control, the
key-enterprise filter, and the links an empty result offers to drop a filter.

The demo city is indexed by the fake encoder by default (keywords, typos and the skills
vocabulary carry these checks); WORKBRIDGE_BROWSER_ENCODER=e5-small for the real model.
Screenshots go to docs/screenshots when WORKBRIDGE_SCREENSHOTS=1.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from builders.serving import demo_app
from test_browser import ARGS, CHROMIUM, SHOTS_DIR

from matcher.config import Settings
from matcher.runtime import Runtime
from matcher.vacancies.search import warm

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium"),
]
sync_api = pytest.importorskip("playwright.sync_api")


@pytest.fixture
def server(settings: Settings) -> Iterator[tuple[str, Runtime]]:
    encoder = os.environ.get("WORKBRIDGE_BROWSER_ENCODER", "fake")
    with demo_app(settings, encoder=encoder, seed=42, size=120) as (base, rt):
        warm(rt, wait=True)
        yield base, rt


@pytest.fixture
def page(server) -> Iterator[object]:
    base, _rt = server
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS, headless=True)
        context = browser.new_context(base_url=base, viewport={"width": 1200, "height": 900},
                                      locale="zh-CN")
        p = context.new_page()
        p.set_default_timeout(15_000)
        yield p
        browser.close()


def _shot(page, name: str) -> None:
    if os.environ.get("WORKBRIDGE_SCREENSHOTS") == "1":
        page.screenshot(path=str(SHOTS_DIR / name), full_page=True)


def test_search_says_why_sorts_filters_and_suggests(page) -> None:
    page.goto("/")
    page.fill("input[name=q]", "forklfit")
    page.click("form.search button[type=submit]")
    page.wait_for_url("**/?q=forklfit*")
    cards = page.locator("ul.cards li.card")
    assert cards.count() > 0
    assert "forklift" in page.locator("p.count .corrected").inner_text()
    for i in range(cards.count()):
        assert cards.nth(i).locator("ul.match-reasons li").count() >= 1
    _shot(page, "search-reasons.png")

    page.goto("/?q=叉车")
    first = page.locator("ul.cards li.card").first.locator("ul.match-reasons").inner_text()
    assert "标题包含" in first or "技能" in first
    page.select_option("select[name=sort]", "wage")
    page.click("form.search button[type=submit]")
    page.wait_for_url("**sort=wage*")
    assert page.locator("select[name=sort]").input_value() == "wage"

    page.goto("/")
    page.check("input[name=key_only]")
    page.click("form.search button[type=submit]")
    page.wait_for_url("**key_only=1*")
    cards = page.locator("ul.cards li.card")
    assert cards.count() > 0  # every one a key enterprise's (a tier badge)
    assert cards.count() == page.locator("ul.cards li.card:has(span.badge:not(.urgent))").count()

    page.goto("/?q=叉车&district=不存在区")
    assert page.locator("li.empty").count() == 1
    links = page.locator("ul.relax a")
    assert links.count() == 2  # drop the words, drop the district
    page.locator("ul.relax a", has_text="去掉区：").click()
    page.wait_for_load_state()
    assert "district" not in page.url and page.locator("ul.cards li.card").count() > 0
