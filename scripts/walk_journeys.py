"""Walk issue 16's journeys through a running workbridge, by clicking, and screenshot each step.

    .venv/bin/python scripts/walk_journeys.py [--base http://127.0.0.1:5000] [--shots DIR]

Against a fresh demo city (``make run``; demo logins, password ``demo``), headless Debian
Chromium (/usr/bin/chromium) through Playwright. Nothing is typed that a person would not
type: no ids and no addresses; a page is reached by clicking links and buttons (the
confirmation step's ``[data-testid=confirm]`` included). Two things travel as a person
would pass them on: the link to a vacancy the enterprise shares with the graduate, and the
acknowledgement link the lender hands to its employee. The API token of journey 4 is made
by a program (``POST /api/v1/auth/token``), as tokens are. Each step is saved as
``journey-<n>-<step>.png``; a table of steps with PASS/FAIL is printed at the end (exit 1
when a step failed). Journeys:

1. small@ (a small enterprise) hires this year's graduate, the bureau records a month of
   social insurance, the enterprise sees its eligibility and claims;
2. the bureau officer (admin@): the unclaimed list, a direct payment, approves and pays
   the enterprise's claim;
3. agency@ claims for one of its placements;
4. eleven wrong passwords make the login page say wait; the tokens page lists a token
   with Revoke;
5. the public search finds forklift postings for 叉车, forklift and forklfit;
6. lender@ hands the acknowledgement link of an agreement to the employee, who confirms.
"""

from __future__ import annotations

import argparse
import json
import re
import secrets
import sys
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from playwright.sync_api import Browser, Page, sync_playwright

CHROMIUM = "/usr/bin/chromium"
SHOTS = Path(__file__).resolve().parent.parent / "docs" / "screenshots"
DOMAIN = "demo.workbridge.local"
PASSWORD = "demo"
FORKLIFT = re.compile(r"叉车|forklift", re.I)


class Stop(Exception):
    """A step failed: the rest of its journey cannot be walked."""


@dataclass
class Step:
    """One row of the table."""

    journey: int
    name: str
    ok: bool = False
    note: str = ""


@dataclass
class Walk:
    """The browser, the server and the steps walked so far."""

    browser: Browser
    base: str
    shots: Path
    steps: list[Step] = field(default_factory=list)
    state: dict[str, Any] = field(default_factory=dict)

    def page(self, role: str | None = None) -> Page:
        """A new browser context (Chinese, the default), logged in as ``role@`` if given."""
        context = self.browser.new_context(base_url=self.base, locale="zh-CN",
                                           viewport={"width": 1200, "height": 900})
        page = context.new_page()
        page.set_default_timeout(20_000)
        page.goto("/")
        if role:
            page.click("a[href^='/auth/login']")
            page.fill("input[name=email]", f"{role}@{DOMAIN}")
            page.fill("input[name=password]", PASSWORD)
            page.click("form button[type=submit]")
            page.wait_for_url(re.compile(r"/$"))
        return page

    @contextmanager
    def step(self, journey: int, name: str, page: Page) -> Iterator[Step]:
        """Record one step: PASS unless its body raises; a screenshot either way."""
        row = Step(journey, name)
        self.steps.append(row)
        try:
            yield row
            row.ok = True
        except Exception as exc:  # the table says why
            row.note = (str(exc).strip().splitlines() or [type(exc).__name__])[0][:150]
            raise Stop from exc
        finally:
            number = sum(1 for s in self.steps if s.journey == journey)
            with suppress(Exception):  # a closed page: no screenshot
                page.screenshot(path=str(self.shots / f"journey-{journey}-{number}-{name}.png"))

    def fail(self, journey: int, name: str, why: str) -> None:
        """A step that cannot be done by clicking."""
        self.steps.append(Step(journey, name, False, why))


def confirm(page: Page) -> None:
    """Click the shared confirmation step's button when the action asks first."""
    page.wait_for_load_state()
    button = page.locator("[data-testid=confirm]")
    if button.count():
        button.click()
        page.wait_for_load_state()


def flash_or_error(page: Page) -> str:
    """The page's flash message, or raise with its error text."""
    errors = page.locator(".error, .errors, [role=alert]")
    if errors.count() and errors.first.is_visible():
        raise AssertionError(f"error on {page.url}: {errors.first.inner_text()[:120]}")
    flash = page.locator(".flash")
    return flash.first.inner_text()[:80] if flash.count() else ""


def path_of(page: Page) -> str:
    """The path of the page's address."""
    return urlsplit(page.url).path


# -- journey 1: the small enterprise hires the graduate and claims ---------------------------
def journey_1(w: Walk) -> None:
    """small@ hires the graduate; the bureau records social insurance; small@ claims."""
    small = w.page("small")
    with w.step(1, "small-vacancies", small) as s:
        small.click("header a[href='/enterprise/'], nav a[href='/enterprise/']")
        apps = small.locator("a[href$='/applications']").first
        row = small.locator("tr, li").filter(has=apps).first
        w.state["vacancy_link"] = row.locator("a[href^='/vacancies/']").first.get_attribute(
            "href") or ""
        w.state["applications_link"] = apps.get_attribute("href")
        w.state["title"] = row.locator("a[href^='/vacancies/']").first.inner_text().strip()
        s.note = w.state["title"]
    grad = w.page("graduate")
    nonce = secrets.token_hex(3)
    with w.step(1, "graduate-applies", grad) as s:
        grad.goto(w.state["vacancy_link"])  # the link the enterprise shared
        grad.fill("form.apply-form textarea[name=message]", f"我是应届毕业生 {nonce}")
        grad.click("form.apply-form button[type=submit]")
        grad.wait_for_url(re.compile(r"/seeker/applications"))
        s.note = "through the shared vacancy link"
    with w.step(1, "small-offers", small) as s:
        small.click(f"a[href='{w.state['applications_link']}']")
        card = small.locator("ol.applicants li.card", has_text=nonce)
        w.state["graduate"] = card.locator(".card-head strong").first.inner_text().strip()
        hired_on = (date.today() - timedelta(days=35)).isoformat()
        for status in ("shortlisted", "offered"):
            button = card.locator(f"button[value={status}]")
            if status == "offered" or button.count():
                button.click()
                small.wait_for_load_state()
                card = small.locator("ol.applicants li.card", has_text=nonce)
        assert "status-offered" in (card.locator(".status").get_attribute("class") or "")
        s.note = w.state["graduate"]
    with w.step(1, "small-hires", small) as s:
        card.locator("input[name=hired_on]").fill(hired_on)
        card.locator("input[name=contract_months]").fill("24")
        card.locator("input[name=contract_reference]").fill(f"HT-{nonce}")
        card.locator("button[value=hire]").click()
        confirm(small)
        card = small.locator("ol.applicants li.card", has_text=nonce)
        assert "status-hired" in (card.locator(".status").get_attribute("class") or "")
        s.note = "confirmed"
    admin = w.page("admin")
    with w.step(1, "bureau-social-insurance", admin) as s:
        admin.click("a[href='/admin/placements']")
        row = admin.locator("tr[data-placement]", has_text=w.state["title"]).filter(
            has_text=hired_on).first
        w.state["placement"] = row.get_attribute("data-placement")  # read, to find it again
        row.locator("input[name=months]").fill("1")
        row.locator("button[type=submit]").click()
        s.note = f"placement {w.state['placement']}: {flash_or_error(admin)}"
    with w.step(1, "small-eligibility", small) as s:
        small.click("a[href='/enterprise/claims']")
        row = small.locator("tr").filter(has=small.locator(
            "td:first-child", has_text=re.compile(rf"^\s*{w.state['placement']}\s*$"))).filter(
            has=small.locator("a.button")).first
        s.note = re.sub(r"\s+", " ", row.inner_text())[:90]
    with w.step(1, "small-claims", small) as s:
        row.locator("a.button").click()
        small.click("form.stacked button[type=submit], form.row button[type=submit]")
        confirm(small)
        small.wait_for_url(re.compile(r"/enterprise/claims/\d+$"))
        w.state["claim_path"] = path_of(small).replace("/enterprise/", "/admin/")
        s.note = path_of(small)


# -- journey 2: the bureau officer ----------------------------------------------------------
def journey_2(w: Walk) -> None:
    """The officer: unclaimed list, a direct payment, approve and pay journey 1's claim."""
    admin = w.page("admin")
    with w.step(2, "unclaimed-list", admin) as s:
        admin.click("a[href^='/admin/eligibility']")
        s.note = f"{admin.locator('table.list tbody tr').count()} rows"
    with w.step(2, "direct-pay", admin) as s:
        admin.locator("p.hint a[href*='rule_code=']").first.click()
        admin.wait_for_load_state()
        boxes = admin.locator("input[type=checkbox][name=placement_id]")
        chosen = admin.locator("tr", has_text=w.state.get("graduate") or "\x00").locator(
            "input[type=checkbox]")
        (chosen if chosen.count() else boxes).first.check()
        admin.click("form[action$='/direct-pay'] button[type=submit]")
        confirm(admin)
        s.note = flash_or_error(admin)
        assert "/auth/login" not in admin.url
    if "claim_path" not in w.state:
        w.fail(2, "approve-claim", "no claim from journey 1 to approve")
        return
    with w.step(2, "approve-claim", admin) as s:
        admin.click("a[href='/admin/']")
        admin.click(f"a[href='{w.state['claim_path']}']")
        admin.fill("input[name=note]", "材料齐全")
        admin.click(f"form[action='{w.state['claim_path']}/approve'] button[type=submit]")
        confirm(admin)
        s.note = flash_or_error(admin)
    with w.step(2, "pay-claim", admin) as s:
        admin.click(f"form[action='{w.state['claim_path']}/pay'] button[type=submit]")
        confirm(admin)
        s.note = flash_or_error(admin)


# -- journey 3: the agency claims ------------------------------------------------------------
def journey_3(w: Walk) -> None:
    """agency@ follows a one-click claim link of its inbox and submits the claim."""
    agency = w.page("agency")
    with w.step(3, "agency-inbox", agency) as s:
        agency.click("a[href='/inbox']")
        links = [a.get_attribute("href") for a in
                 agency.locator("a.button[href*='placement_id=']").all()]
        s.note = f"{len(links)} 'claim now' links"
    unfilled = []
    with w.step(3, "agency-submits", agency) as s:
        for href in dict.fromkeys(h for h in links if h):  # the first one not claimed yet
            agency.click(f"a.button[href='{href}']")
            wanted = dict(parse_qsl(urlsplit(href).query))
            form = agency.locator("form.stacked")
            if form.locator("select[name=rule_code]").input_value() != wanted["rule_code"]:
                unfilled.append(wanted["rule_code"])  # the link did not choose the rule: by hand
                form.locator("select[name=rule_code]").select_option(wanted["rule_code"])
                form.locator("input[name=tranche]").fill(wanted.get("tranche", "1"))
            form.locator("button[type=submit]").click()
            confirm(agency)
            if re.search(r"/agency/claims/\d+$", agency.url):
                break
            agency.click("a[href='/inbox']")
        assert re.search(r"/agency/claims/\d+$", agency.url), "every claim link was refused"
        s.note = path_of(agency) + (" (rule chosen by hand)" if unfilled else "")
    if unfilled:
        w.fail(3, "claim-link-prefill", "the inbox's one-click link opened the form without "
               f"its rule ({', '.join(unfilled)}): chosen in the list instead")


# -- journey 4: login throttle and API tokens ------------------------------------------------
def journey_4(w: Walk) -> None:
    """Eleven wrong passwords, then the tokens page with Revoke."""
    page = w.page()
    email = f"walk-{secrets.token_hex(4)}@example.test"  # throttled like a real account
    with w.step(4, "eleven-wrong-passwords", page) as s:
        page.click("a[href^='/auth/login']")
        for _ in range(11):
            page.fill("input[name=email]", email)
            page.fill("input[name=password]", "wrong-password")
            page.click("form button[type=submit]")
            page.wait_for_load_state()
        text = page.inner_text("main")
        assert re.search(r"分钟|秒|稍后|wait|minute|second", text, re.I), text[:200]
        s.note = re.sub(r"\s+", " ", page.locator(".error, .flash, [role=alert]").first
                        .inner_text())[:90]
    name = f"walk-{secrets.token_hex(3)}"
    api_token(w.base, f"unemployed@{DOMAIN}", name)  # as a program makes one
    user = w.page("unemployed")
    with w.step(4, "tokens-page", user) as s:
        user.click("a[href='/auth/tokens']")
        row = user.locator("table.tokens tr", has_text=name)
        assert row.locator("button[type=submit]").count() == 1, "no Revoke button"
        s.note = f"token {name} listed with Revoke"
    with w.step(4, "token-revoked", user) as s:
        row.locator("button[type=submit]").click()
        confirm(user)
        assert user.locator("table.tokens tr", has_text=name).count() == 0
        s.note = "gone from the list"


def api_token(base: str, email: str, name: str) -> None:
    """``POST /api/v1/auth/token`` with a name, as a program asks for a token."""
    body = json.dumps({"email": email, "password": PASSWORD, "name": name}).encode()
    req = urllib.request.Request(base + "/api/v1/auth/token", data=body, method="POST",
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=30) as resp:
        assert resp.status in (200, 201)


# -- journey 5: public search ----------------------------------------------------------------
def journey_5(w: Walk) -> None:
    """The public search finds forklift postings for 叉车, forklift and forklfit."""
    page = w.page()
    for words in ("叉车", "forklift", "forklfit"):
        slug = {"叉车": "chinese", "forklfit": "typo"}.get(words, words)
        with w.step(5, f"search-{slug}", page) as s:
            page.click("header a[href='/'], a.brand, a[href='/']")
            page.fill("form.search input[name=q]", words)
            page.click("form.search button[type=submit]")
            page.wait_for_load_state()
            cards = page.locator("li.card")
            hits = [i for i in range(min(cards.count(), 5))
                    if FORKLIFT.search(cards.nth(i).inner_text())]
            assert hits, f"no forklift posting among the first {min(cards.count(), 5)}"
            s.note = f"{len(hits)} of the first 5 are forklift postings"


# -- journey 6: lending, the employee's acknowledgement --------------------------------------
def journey_6(w: Walk) -> None:
    """lender@ hands an acknowledgement link over; the employee confirms with their name."""
    lender = w.page("lender")
    with w.step(6, "agreement-link", lender) as s:
        lender.click("a[href='/enterprise/agreements']")
        links = [a.get_attribute("href") or "" for a in
                 lender.locator("a[href^='/enterprise/agreements/']").all()]
        for href in dict.fromkeys(h for h in links if re.search(r"/agreements/\d+$", h)):
            lender.click(f"a[href='{href}']")
            if lender.locator("code.ack-url").count():
                break
            lender.go_back()
        ack = lender.locator("code.ack-url").first
        item = lender.locator("ul.staff li").filter(has=ack)
        w.state["ack_url"] = ack.inner_text().strip()
        w.state["employee"] = item.inner_text().split("(", 1)[0].strip()
        s.note = f"for {w.state['employee']} on {path_of(lender)}"
    phone = w.page()
    with w.step(6, "employee-acknowledges", phone) as s:
        phone.goto(w.state["ack_url"])  # the link handed over (also sent by SMS)
        phone.fill("input[name=name]", w.state["employee"])
        phone.click("form.stacked button[type=submit]")
        phone.wait_for_load_state()
        assert phone.locator("p.ok").count() == 1, phone.inner_text("main")[:200]
        s.note = phone.locator("p.ok").inner_text()[:80]


JOURNEYS: list[tuple[str, Callable[[Walk], None]]] = [
    ("small enterprise: hire, social insurance, eligibility, claim", journey_1),
    ("officer: unclaimed list, direct pay, approve and pay", journey_2),
    ("agency: a claim", journey_3),
    ("login throttle; tokens with revoke", journey_4),
    ("public search 叉车 / forklift / forklfit", journey_5),
    ("lending: employee acknowledgement", journey_6),
]


def table(steps: list[Step]) -> str:
    """The steps as a plain-text table."""
    lines = [f"{'journey':<8}{'step':<26}{'result':<8}note", "-" * 100]
    lines += [f"{s.journey:<8}{s.name:<26}{'PASS' if s.ok else 'FAIL':<8}{s.note}" for s in steps]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Walk every journey; print the table; 1 when a step failed."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", default="http://127.0.0.1:5000")
    parser.add_argument("--shots", type=Path, default=SHOTS)
    parser.add_argument("--only", type=int, action="append", help="journey numbers to walk")
    args = parser.parse_args(argv)
    args.shots.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True,
                                     args=["--no-sandbox", "--disable-gpu"])
        walk = Walk(browser, args.base.rstrip("/"), args.shots)
        for number, (title, fn) in enumerate(JOURNEYS, 1):
            if args.only and number not in args.only:
                continue
            try:
                fn(walk)
            except Stop:
                pass
            except Exception as exc:  # outside a step: the journey could not start
                walk.fail(number, "start", f"{title}: {str(exc).splitlines()[0][:120]}")
        browser.close()
    print(table(walk.steps))
    return 0 if walk.steps and all(s.ok for s in walk.steps) else 1


if __name__ == "__main__":
    sys.exit(main())
