"""Early warning: reasons match the facts and sum to the score; watch list; suggestions."""

from __future__ import annotations

import math
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from matcher.bureau import warning
from matcher.enums import AgreementStatus, VacancyStatus
from matcher.errors import Refused, ValidationFailed
from matcher.models import Agreement, AuditLog, Enterprise, SurplusEmployee, Vacancy, WatchEntry
from matcher.runtime import Runtime

TODAY = date(2020, 5, 1)
CFG = warning.parse_config({"window_days": 30, "threshold": 6, "weights": {
    "surplus_declared": 0.5, "vacancies_closed_unfilled": 1.0, "agreements_terminated": 1.5,
    "wage_arrears_reports": 3.0, "layoff_reports": 4.0}})


def test_config_file_is_valid_and_validation_names_the_key() -> None:
    cfg = warning.load_config()
    assert set(cfg.weights) == set(warning.FACTS) and cfg.threshold > 0
    with pytest.raises(ValueError, match="weights.layoff_reports"):
        warning.parse_config({"window_days": 3, "threshold": 1, "weights": {
            **CFG.weights, "layoff_reports": -1}})
    with pytest.raises(ValueError, match="threshold"):
        warning.parse_config({"window_days": 3, "threshold": 0, "weights": CFG.weights})


def _seed(rt: Runtime) -> tuple[int, int, int]:
    with rt.uow() as uow:
        risky, calm, partner = (Enterprise(external_id=x, name=f"企业{x}", district="朝阳区")
                                for x in ("R", "C", "P"))
        uow.s.add_all([risky, calm, partner])
        uow.s.flush()
        for i in range(3):
            uow.s.add(SurplusEmployee(external_id=f"P{i}", enterprise_id=risky.id,
                                      skills=["分拣"], consent=True, daily_cost=100))
        uow.s.add(SurplusEmployee(external_id="C1", enterprise_id=calm.id, consent=True))
        uow.s.add(Vacancy(external_id="V1", enterprise_id=risky.id, title="x", headcount=3,
                          filled=1, status=VacancyStatus.CLOSED))
        uow.s.add(Vacancy(external_id="V2", enterprise_id=risky.id, title="y", headcount=1,
                          filled=1, status=VacancyStatus.CLOSED))  # filled: not a fact
        uow.s.add(Vacancy(external_id="V3", enterprise_id=partner.id, title="分拣员",
                          required_skills=["分拣"], district="朝阳区", headcount=2))
        uow.s.add(Agreement(lender_id=risky.id, borrower_id=partner.id, start_date=TODAY,
                            end_date=TODAY, status=AgreementStatus.TERMINATED,
                            termination_reason="停工", ended_at=datetime.now(UTC)))
        warning.file_report(uow, risky.id, "wage_arrears", reported_on=TODAY, officer="o",
                            affected=12)
        warning.file_report(uow, risky.id, "layoff", reported_on=TODAY - timedelta(days=3),
                            officer="o", affected=30)
        warning.file_report(uow, risky.id, "layoff", reported_on=TODAY - timedelta(days=60),
                            officer="o")  # outside the 30-day window
        uow.commit()
        return risky.id, calm.id, partner.id


def test_reasons_match_facts_and_sum_to_score(rt: Runtime) -> None:
    risky, calm, partner = _seed(rt)
    with rt.uow() as uow:
        scores = {r.enterprise_id: r for r in warning.risk_scores(uow.s, TODAY, CFG)}
    r = scores[risky]
    assert {x.fact: x.value for x in r.reasons} == {
        "surplus_declared": 3, "vacancies_closed_unfilled": 1, "agreements_terminated": 1,
        "wage_arrears_reports": 1, "layoff_reports": 1}
    assert all(x.contribution == x.value * x.weight == x.value * CFG.weights[x.fact]
               for x in r.reasons)
    assert r.score == pytest.approx(math.fsum(x.contribution for x in r.reasons))
    assert r.score == pytest.approx(1.5 + 1.0 + 1.5 + 3.0 + 4.0)
    assert scores[partner].score == 1.5  # terminated agreement as borrower
    assert scores[calm].score == 0.5
    assert list(scores) == [risky, partner, calm]  # highest first


def test_scan_watch_list_resolve_and_suggestions(rt: Runtime) -> None:
    risky, _, partner = _seed(rt)
    with rt.uow() as uow:
        _, added = warning.scan(uow, TODAY, actor="o", cfg=CFG)
        _, again = warning.scan(uow, TODAY, actor="o", cfg=CFG)  # one open entry each
        uow.commit()
    assert len(added) == 1 and again == []
    with rt.uow() as uow:
        rows = warning.watch_list(uow.s)
        sugg = warning.suggestions(rt, uow.s, risky, today=TODAY)
    assert [r["enterprise_id"] for r in rows] == [risky]
    assert "Layoff reports: 1 (risk score +4)." in rows[0]["reasons"]
    assert "layoff_reports" not in rows[0]["reasons"] and "×" not in rows[0]["reasons"]
    jobs = sugg["reemployment"]
    assert {j["employee_id"] for j in jobs} and all(j["employer"] == "企业P" for j in jobs)
    with rt.uow() as uow:
        with pytest.raises(ValidationFailed):
            warning.resolve(uow, added[0], "  ", actor="o")
        warning.resolve(uow, added[0], "已对接共享用工 lending arranged", actor="o")
        uow.commit()
    with rt.uow() as uow:
        assert warning.watch_list(uow.s) == []
        with pytest.raises(Refused):
            warning.resolve(uow, added[0], "again", actor="o")
        entry = uow.s.get(WatchEntry, added[0])
        assert entry is not None and entry.resolved_by == "o"
        actions = set(uow.s.scalars(select(AuditLog.action).where(
            AuditLog.entity == "watch_entry")))
    assert actions == {"watch.add", "watch.resolve"}
