"""Issue 16 on the enterprise pages: agreements read in the reader's language (status words,
yuan, times to the minute), signing asks first, and the vacancy form reports every error in
one round."""

from __future__ import annotations

import re

from test_lending_journey import World, _api, _login, _proposal, _staff
from test_lending_journey import w as w  # noqa: F401  (the fixture)

RAW_STATUS = re.compile(r">\s*(proposed|accepted|signed|active|returned|terminated)\s*<")
MICROSECONDS = re.compile(r"\d{2}:\d{2}:\d{2}\.\d+")


def _agreement(w: World) -> int:
    e1 = _staff(w, "H-1", "张三")
    made = _api(w, w.lender, "POST", "/agreements", _proposal(w, None, [e1], "150"))
    assert made.status_code == 201, made.json
    aid = int(made.json["id"])
    assert _api(w, w.borrower, "POST", f"/agreements/{aid}/accept").status_code == 200
    return aid


def test_agreement_page_speaks_the_readers_language(w: World) -> None:
    aid = _agreement(w)
    lender, _csrf = _login(w, 0)
    zh = lender.get(f"/enterprise/agreements/{aid}").get_data(as_text=True)
    assert "已接受" in zh and "借出方" in zh and "¥150" in zh and "¥200" in zh  # daily cost
    assert not RAW_STATUS.search(zh) and not MICROSECONDS.search(zh)
    assert re.search(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}", zh)  # accepted, Beijing time
    en = lender.get(f"/enterprise/agreements/{aid}?lang=en").get_data(as_text=True)
    assert "Accepted" in en and "You are the lender." in en and "¥150" in en
    assert "已接受" not in en and "借出方" not in en
    listing = lender.get("/enterprise/agreements?lang=zh_CN").get_data(as_text=True)
    assert "已接受" in listing and not RAW_STATUS.search(listing)


def test_signing_asks_first_and_changes_nothing_until_confirmed(w: World) -> None:
    aid = _agreement(w)
    borrower, csrf = _login(w, 1)
    form = {"csrf_token": csrf, "signer_name": "赵厂长", "confirm": "1"}
    asked = borrower.post(f"/enterprise/agreements/{aid}/sign?lang=en", data=form)
    page = asked.get_data(as_text=True)
    assert asked.status_code == 200
    assert f"Sign the agreement lending 1 staff to {w.borrower.name}?" in page
    assert 'name="confirmed" value="1"' in page and "赵厂长" in page
    assert _api(w, w.borrower, "GET", f"/agreements/{aid}").json["borrower_signed_at"] is None
    done = borrower.post(f"/enterprise/agreements/{aid}/sign", data={**form, "confirmed": "1"})
    assert done.status_code == 302
    assert _api(w, w.borrower, "GET", f"/agreements/{aid}").json["borrower_signed_by"] == "赵厂长"


def test_terminating_asks_first(w: World) -> None:
    aid = _agreement(w)
    lender, csrf = _login(w, 0)
    form = {"csrf_token": csrf, "reason": "停产"}
    page = lender.post(f"/enterprise/agreements/{aid}/terminate", data=form)
    assert "确定提前终止" in page.get_data(as_text=True)
    assert _api(w, w.lender, "GET", f"/agreements/{aid}").json["status"] == "accepted"
    lender.post(f"/enterprise/agreements/{aid}/terminate", data={**form, "confirmed": "1"})
    assert _api(w, w.lender, "GET", f"/agreements/{aid}").json["status"] == "terminated"


def test_vacancy_form_reports_every_error_at_once_and_keeps_the_input(w: World) -> None:
    client, csrf = _login(w, 1)
    resp = client.post("/enterprise/vacancies/new", data={
        "csrf_token": csrf, "title": "", "headcount": "0", "wage_min": "8000",
        "wage_max": "5000", "description": "夜班仓库"})
    html = resp.get_data(as_text=True)
    assert resp.status_code == 422
    errors = re.findall(r'<span class="field-error" id="([a-z_]+)-error">([^<]*)</span>', html)
    assert {name for name, _text in errors} == {"title", "headcount", "wage_max"}
    texts = " ".join(text for _name, text in errors)
    assert "不能低于最低工资" in texts and "fen" not in texts and "wage_min" not in texts
    assert 'value="8000"' in html and 'value="5000"' in html and "夜班仓库" in html
    en = client.post("/enterprise/vacancies/new?lang=en", data={
        "csrf_token": csrf, "title": "Packer", "headcount": "2", "wage_min": "8000",
        "wage_max": "5000"}).get_data(as_text=True)
    assert "Must be at least the minimum wage." in en

