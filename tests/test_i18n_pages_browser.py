"""Issue 16's acceptance test: every page of every demo role speaks one language.

One demo city (size 80, fake encoder) served in a thread, one headless Chromium; for each
demo login (and an anonymous visitor) one browser context crawls every kind of page it
can reach by links (tests/builders/crawl.py), first in Chinese (the default), then, after
``?lang=en``, in English. A test per role and language fails with the pages and texts that
break the rules: English UI on a zh page, Chinese UI on an en page (districts included),
raw codes, field codes, ``user:4``, times with seconds, ``None``, template leftovers,
server errors. Data (names, titles, skills, sites, notes...) are shown as stored, in
either language. The lender's crawl also reads every agreement and the acknowledgement
link it hands to a lent employee; error pages (404, 403) are read too. Not covered: pages
only a POST reaches (confirmation steps, form errors, flashes).

``WORKBRIDGE_I18N_REPORT=<file>`` writes every finding, grouped by part of the site, there.
"""

from __future__ import annotations

import logging
import os
import re
import shutil
from collections import defaultdict
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from builders.crawl import DISTRICT_NAMES, CrawlResult, DataWords, crawl, data_words
from builders.serving import demo_app

from matcher import migrate
from matcher.config import load_settings
from matcher.demo.users import DEMO_DOMAIN

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
#: every demo login (README) and an anonymous visitor
ROLES = ("anonymous", "seeker", "graduate", "unemployed", "enterprise", "small", "lender",
         "pending-enterprise", "agency", "admin")
LANGS = ("zh", "en")
REPORT_ENV = "WORKBRIDGE_I18N_REPORT"
#: pages read one by one, not one per kind: the lender's agreements stand in every state
#: (and the unacknowledged ones show the employees' acknowledgement links, read too)
DISTINCT = {"lender": (r"^/enterprise/agreements/\d+$",)}
#: where the crawl starts besides the home page: error pages (not found, forbidden)
STARTS = {"anonymous": ("/", "/no-such-page", "/vacancies/99999999"), "seeker": ("/", "/admin/")}

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium"),
]
sync_api = pytest.importorskip("playwright.sync_api")


@pytest.fixture(scope="module")
def city(db_template: str, tmp_path_factory: pytest.TempPathFactory
         ) -> Iterator[tuple[str, DataWords]]:
    """The demo city served in a thread (its own SQLite file); (base URL, its data words)."""
    folder = tmp_path_factory.mktemp("i18n-city")
    db = folder / "wb.db"
    if Path(db_template).is_file():
        shutil.copyfile(db_template, db)
    else:  # the template is a PostgreSQL database: this module stays on SQLite
        migrate.upgrade(f"sqlite:///{db}")
    settings = load_settings(environ={}, database_url=f"sqlite:///{db}",
                             index_dir=folder / "indexes", encoder="fake",
                             secret_key="i18n-crawl")
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    with demo_app(settings) as (base, rt):
        with rt.uow() as uow:
            data = data_words(uow)
        yield base, data


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with sync_api.sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS, headless=True)
        yield b
        b.close()


def _crawl_role(browser: Any, base: str, data: DataWords, role: str) -> dict[str, CrawlResult]:
    """One context for ``role``: log in, crawl in Chinese, switch to English, crawl again."""
    context = browser.new_context(base_url=base, viewport={"width": 1200, "height": 900},
                                  locale="zh-CN")
    context.route(re.compile(r"\.(png|jpg|svg|woff2?|ico)$"), lambda route: route.abort())
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        if role != "anonymous":
            page.goto("/auth/login")
            page.fill("input[name=email]", f"{role}@{DEMO_DOMAIN}")
            page.fill("input[name=password]", "demo")
            page.click("form button[type=submit]")
            page.wait_for_url(re.compile(r"/$"))
        distinct = DISTINCT.get(role, ())
        starts = STARTS.get(role, ("/",))
        out = {"zh": crawl(page, base, "zh", data, starts, distinct=distinct)}
        page.goto("/?lang=en")
        out["en"] = crawl(page, base, "en", data, starts, distinct=distinct)
        return out
    finally:
        context.close()


@pytest.fixture(scope="module")
def crawled(city: tuple[str, DataWords], browser: Any
            ) -> Iterator[Callable[[str], dict[str, CrawlResult]]]:
    """``crawled(role)``: that role's crawl in both languages (made once, on first use)."""
    base, data = city
    done: dict[str, dict[str, CrawlResult]] = {}

    def get(role: str) -> dict[str, CrawlResult]:
        if role not in done:
            done[role] = _crawl_role(browser, base, data, role)
        return done[role]

    yield get
    if os.environ.get(REPORT_ENV):
        write_report(Path(os.environ[REPORT_ENV]), done)


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("role", ROLES)
def test_every_page_speaks_the_readers_language(crawled: Callable[[str], dict[str, CrawlResult]],
                                                role: str, lang: str) -> None:
    result = crawled(role)[lang]
    assert len(result.pages) >= 3, result.pages  # the crawl reached the role's pages
    shown = "\n".join(str(f) for f in result.findings[:60])
    more = len(result.findings) - 60
    if result.findings:
        pytest.fail(f"{role}, {lang}: {len(result.findings)} findings on {len(result.pages)} "
                    f"pages:\n{shown}" + (f"\n... and {more} more" if more > 0 else ""),
                    pytrace=False)


GROUPS = (  # (part of the site, path pattern), first match wins
    ("bureau desks", r"^/admin/bureau|^/admin/jobs|^/admin/tiers|^/admin/watch"),
    ("lending", r"^/enterprise/(agreements|requests|staff|lending)|^/lending|^/ack/"),
    ("claims / eligibility", r"/claims|/eligibility"),
    ("admin", r"^/admin"), ("agency", r"^/agency"), ("enterprise", r"^/enterprise"),
    ("seeker / applications", r"^/seeker|^/inbox|/applications"),
    ("auth / tokens", r"^/auth"), ("public", r""),
)


#: what varies between findings of one kind (numbers, districts): one entry for all
SAME = re.compile(r"\d+|" + "|".join(sorted(DISTRICT_NAMES)))


def _group(path: str) -> str:
    return next(name for name, rx in GROUPS if re.search(rx, path))


def write_report(path: Path, done: dict[str, dict[str, CrawlResult]]) -> None:
    """Every finding once, grouped by part of the site, with the pages and roles showing it."""
    seen: dict[str, dict[tuple[str, str, str], list[str]]] = defaultdict(dict)
    pages = 0
    for role, by_lang in done.items():
        for result in by_lang.values():
            pages += len(result.pages)
            for f in result.findings:
                where = f"{f.url} ({role})"
                key = (f.lang, f.kind, SAME.sub("#", f.text))
                entry = seen[_group(f.url)].setdefault(key, [f.text])
                if where not in entry:
                    entry.append(where)
    total = sum(len(v) for v in seen.values())
    lines = [f"# issue 16 crawl: {total} distinct findings on {pages} pages read "
             f"({', '.join(done)})", ""]
    for name, _rx in GROUPS:
        if name not in seen:
            continue
        lines.append(f"## {name}: {len(seen[name])}")
        for (lang, kind, _key), (text, *shown_on) in sorted(seen[name].items()):
            extra = f" +{len(shown_on) - 3} more" if len(shown_on) > 3 else ""
            lines.append(f"[{lang}] {kind}: {text!r}\n      on {', '.join(shown_on[:3])}{extra}")
        lines.append("")
    lines.append("## pages read")
    for role, by_lang in done.items():
        read = sorted(set().union(*(r.pages for r in by_lang.values())))
        lines.append(f"{role} ({len(read)}): {' '.join(read)}")
    path.write_text("\n".join(lines) + "\n")

