"""The printable agreement: parties, staff (ID numbers masked), terms, signatures, print CSS."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path

from click.testing import CliRunner

from matcher.cli.lending_cmds import lending
from matcher.lending import agreements, documents, pool
from matcher.lending.pool import EmployeeInput
from matcher.models import Enterprise
from matcher.runtime import Runtime
from matcher.validators import make_credit_code, make_id_number


def _signed_agreement(rt: Runtime) -> int:
    with rt.uow() as uow:
        lender = Enterprise(external_id="L", name="停工酒店 <Idle> & Co",
                            credit_code=make_credit_code("110105", 1), district="朝阳区")
        borrower = Enterprise(external_id="B", name="口罩厂", district="顺义区")
        uow.s.add_all([lender, borrower])
        uow.s.flush()
        ids = [pool.declare_employee(rt, uow, lender.id, EmployeeInput(
            external_id=ext, name=name, available_from=date(2020, 2, 1),
            available_to=date(2020, 6, 30), daily_cost=20000, consent=True), actor="hr").id
            for ext, name in [("S1", "张三"), ("S2", "李四")]]
        a = agreements.propose(rt, uow, agreements.AgreementInput(
            lender_id=lender.id, borrower_id=borrower.id, employee_ids=tuple(ids),
            start_date=date(2020, 3, 2), end_date=date(2020, 3, 31), site="顺义区口罩车间",
            daily_hours=7.5, reimbursement_per_day=18050), actor="hr")
        agreements.accept(rt, uow, a.id, actor="b")
        agreements.sign(rt, uow, a.id, "lender", actor="l")
        agreements.acknowledge(rt, uow, a.id, ids[0], actor="e")
        uow.commit()
        return a.id


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_document_shows_parties_terms_and_signatures(rt: Runtime) -> None:
    aid = _signed_agreement(rt)
    with rt.uow() as uow:
        html = documents.render_agreement(uow.s, aid, generated_on=date(2020, 3, 1))
        signed_at = agreements.get_agreement(uow.s, aid).lender_signed_at
    text = _text(html)
    assert "共享用工协议" in text and "Shared Employment (Staff Lending) Agreement" in text
    assert "停工酒店 &lt;Idle&gt; &amp; Co" in html  # escaped, not raw markup
    assert make_credit_code("110105", 1) in text and "口罩厂" in text
    assert "张三" in text and "李四" in text and "S1" in text
    assert "2020-03-02 至 2020-03-31，共 30 天" in text
    assert "顺义区口罩车间" in text and "7.5 小时 / hours" in text
    assert "每人每日 180.50 元" in text and "about 10,830.00 yuan" in text  # 180.5 x 30 x 2
    assert "工资支付 Wages paid by 甲方（出借企业） Party A (the lender)" in text
    assert "社会保险缴纳 Social insurance paid by 甲方（出借企业） Party A (the lender)" in text
    assert signed_at is not None
    beijing = signed_at.replace(tzinfo=signed_at.tzinfo or UTC).astimezone(documents.BEIJING)
    assert f"Signed: {beijing:%Y-%m-%d %H:%M} 北京时间" in text  # the lender's signature
    assert "Signed: 未签署 not signed" in text  # the borrower has not signed yet
    assert text.count("未确认 not yet") == 2  # 李四, in the staff table and signature block
    assert "@media print" in html and "@page" in html
    assert "状态 Status: 已接受 accepted" in text


def test_id_numbers_only_ever_masked(rt: Runtime) -> None:
    aid = _signed_agreement(rt)
    id_number = make_id_number("110105", date(1990, 3, 7), 123)
    with rt.uow() as uow:
        view = agreements.get_agreement(uow.s, aid)
    staff = (replace(view.employees[0], id_number_masked=id_number), *view.employees[1:])
    html = documents.render_view(replace(view, employees=staff), {"name": "甲", "credit_code": "",
                                 "district": "", "city": ""},
                                 {"name": "乙", "credit_code": "", "district": "", "city": ""})
    assert id_number not in html
    assert f"{id_number[:6]}********{id_number[-4:]}" in html


def test_document_via_cli(rt: Runtime, tmp_path: Path) -> None:
    aid = _signed_agreement(rt)
    out = tmp_path / "agreement.html"
    env = {"WORKBRIDGE_DATABASE_URL": rt.settings.database_url, "WORKBRIDGE_ENCODER": "fake",
           "WORKBRIDGE_SECRET_KEY": "test-secret"}
    result = CliRunner().invoke(lending, ["document", str(aid), "--out", str(out)], env=env)
    assert result.exit_code == 0, result.output
    assert "张三" in out.read_text(encoding="utf-8")
    missing = CliRunner().invoke(lending, ["document", "999", "--out", str(out)], env=env)
    assert missing.exit_code == 1 and "[not_found]" in missing.output


def test_timestamps_render_in_beijing_time() -> None:
    assert documents.beijing_time(datetime(2020, 3, 2, 1, 30, tzinfo=UTC)) == \
        "2020-03-02 09:30 北京时间"
    assert documents.beijing_time(datetime(2020, 3, 2, 20, 0)) == "2020-03-03 04:00 北京时间"
    assert documents.beijing_time(None) == ""

