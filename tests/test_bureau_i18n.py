"""Bureau desks in one language at a time: a zh page shows no English UI word, an en page
the English titles; enum codes read as words, warning reasons as sentences; a page number
past the last page shows the last page."""

from __future__ import annotations

import html
import re

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import String, Text, select
from test_bureau_pages import DAY, admin, app, csrf_from  # noqa: F401  (fixtures)

from matcher.bureau import gaps, warning
from matcher.models import CohortRegistration
from matcher.models.base import Base
from matcher.runtime import Runtime

WORD = re.compile(r"[A-Za-z][A-Za-z_]+")
#: ASCII words a zh page may show that are not English UI text
ALLOWED = {"workbridge", "CSV", "JSON", "English", "km", "YYYY", "MM", "DD"}
RAW_CODES = ("key", "priority", "none", "normal", "urgent", "critical", "open", "proposed",
             "confirmed", "formed", "departed", "arrived", "handed_over", "resolved",
             "seeker", "surplus", "cohort", "sms", "mail", "leftover")
TITLES = {"Shortage desk": "缺口台", "Daily dispatch": "每日派工",
          "Point-to-point return cohorts": "点对点返岗车次", "Watch list": "预警名单",
          "Dashboards": "局务图表", "Background jobs": "后台任务"}


def visible(page: str) -> str:
    """The text a person reads (scripts, styles, code blocks and tags removed)."""
    page = re.sub(r"(?s)<(script|style|code)\b.*?</\1>", " ", page)
    page = re.sub(r"(?s)<!--.*?-->", " ", page)
    return html.unescape(re.sub(r"<[^>]+>", " ", page))


def data_words(rt: Runtime) -> set[str]:
    """Every ASCII word stored in a text column (names and titles of data may be English)."""
    found: set[str] = set()
    with rt.uow() as uow:
        for table in Base.metadata.sorted_tables:
            cols = [c for c in table.columns if isinstance(c.type, String | Text)]
            if not cols:
                continue
            for row in uow.s.execute(select(*cols)):
                for value in row:
                    if isinstance(value, str):
                        found.update(WORD.findall(value))
    return found


def desk_urls(rt: Runtime) -> list[str]:
    with rt.uow() as uow:
        gap_id = gaps.load_gaps(uow.s)[0].id
        entry = warning.watch_list(uow.s)[0]["entry_id"]
        cohort = uow.s.scalar(select(CohortRegistration.cohort_id).where(
            CohortRegistration.cohort_id.is_not(None)))
    return [f"/admin/bureau/shortage?day={DAY}", f"/admin/bureau/gaps/{gap_id}?day={DAY}",
            f"/admin/bureau/dispatch?day={DAY}", f"/admin/bureau/cohorts?day={DAY}",
            f"/admin/bureau/cohorts/{cohort}", "/admin/bureau/watch?all=1",
            f"/admin/bureau/watch/{entry}?day={DAY}", f"/admin/bureau/dashboards?day={DAY}",
            "/admin/jobs/"]


def test_zh_pages_show_no_english_and_en_pages_no_chinese_ui(app: Flask,  # noqa: F811
                                                            admin: FlaskClient) -> None:  # noqa: F811
    rt: Runtime = app.extensions["matcher"]
    token = csrf_from(admin, f"/admin/bureau/dispatch?day={DAY}")
    assert admin.post("/admin/bureau/dispatch/plan",
                      data={"csrf_token": token, "day": DAY}).status_code == 302
    allowed = ALLOWED | data_words(rt)
    assert not {"Shortage", "Status", "Discard", "Reasons", "Deadline", "Show"} & allowed
    urls = desk_urls(rt)
    zh_text = ""
    for url in urls:
        resp = admin.get(url)
        assert resp.status_code == 200, url
        text = visible(resp.get_data(as_text=True))
        english = sorted(set(WORD.findall(text)) - allowed)
        assert not english, (url, english)
        for code in RAW_CODES:
            assert f">{code}<" not in resp.get_data(as_text=True), (url, code)
        zh_text += text
    for zh in TITLES.values():
        assert zh in zh_text
    assert "（风险分 +" in zh_text and "×" not in zh_text and "_reports" not in zh_text
    assert "fill_rate" not in zh_text and "net_fen" not in zh_text and "%" in zh_text
    assert "¥" in zh_text  # the claims table in yuan

    en_text = ""
    for url in urls:
        page = admin.get(url + ("&" if "?" in url else "?") + "lang=en").get_data(as_text=True)
        for code in RAW_CODES:
            assert f">{code}<" not in page, (url, code)
        en_text += visible(page)
    for en, zh in TITLES.items():
        assert en in en_text and zh not in en_text
    for zh_ui in ("缺口台", "填补率", "风险分", "预警名单", "状态", "局务图表"):
        assert zh_ui not in en_text, zh_ui
    assert "(risk score +" in en_text and "reports: " in en_text


def test_a_page_past_the_last_shows_the_last_page(app: Flask,  # noqa: F811
                                                  admin: FlaskClient) -> None:  # noqa: F811
    rt: Runtime = app.extensions["matcher"]
    with rt.uow() as uow:
        ranked = [g.id for g in gaps.load_gaps(uow.s)]
    pages = -(-len(ranked) // 10)
    assert pages > 1
    page = admin.get(f"/admin/bureau/shortage?day={DAY}&page=999").get_data(as_text=True)
    shown = [int(i) for i in re.findall(r'id="gap-(\d+)"', page)]
    assert shown == ranked[(pages - 1) * 10:]
    assert f"第 {pages} / {pages} 页" in page and "999" not in visible(page)
    assert 'rel="next"' not in page and f"page={pages - 1}" in page
    jobs = admin.get("/admin/jobs/?page=999").get_data(as_text=True)
    assert "999" not in visible(jobs) and 'rel="prev"' not in jobs
