"""Enterprises and persons claim their own placements like agencies do (idempotency key,
one claim per slot, caps, ledger, audit); another's placement is 404; the bureau sees who is
owed and has not claimed, and pays direct-payment rules in a batch that pays once."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import pytest
from builders.claimants import ADMIN, hire_graduate, record_insurance
from builders.subsidy import committing
from click.testing import CliRunner
from sqlalchemy import func, select

from matcher.cli.subsidy_cmds import subsidy
from matcher.dataio.importer import import_file
from matcher.errors import Conflict, NotFound, Refused
from matcher.models import AuditLog, Enterprise, JobSeeker
from matcher.models.subsidy import LedgerEntry
from matcher.principal import Principal
from matcher.runtime import Runtime
from matcher.subsidy import actions as admin_actions
from matcher.subsidy import claimant_actions as actions
from matcher.subsidy import claimant_queries as queries

HIRING, EMPLOYMENT = "small_micro_graduate_hiring", "small_micro_graduate_employment"


def claim(rt: Runtime, who: Principal, placement_id: int, rule: str,
          key: str) -> actions.SubmitResult:
    fn = actions.submit_enterprise_claim if who.enterprise_id else actions.submit_person_claim
    with committing(rt) as uow:
        return fn(uow, who, actions.OwnClaimInput(placement_id, rule, key))


def unclaimed(rt: Runtime, **kw: str) -> list[tuple[int, str]]:
    with rt.uow() as uow:
        page = queries.unclaimed(uow, ADMIN, per_page=100, **kw)
    return [(r["placement_id"], r["rule_code"]) for r in page.items]


def test_enterprise_and_person_claim_get_paid_and_cannot_claim_twice(rt: Runtime) -> None:
    h = hire_graduate(rt)
    record_insurance(rt, h.placement_id)
    assert set(unclaimed(rt)) == {(h.placement_id, HIRING), (h.placement_id, EMPLOYMENT)}
    ent = claim(rt, h.enterprise, h.placement_id, HIRING, "e-1")
    assert (ent.replayed, ent.claim.amount_fen, ent.claim.claimant_kind) == (
        False, 2111_00, "enterprise")
    assert claim(rt, h.enterprise, h.placement_id, HIRING, "e-1").replayed  # a retry
    with pytest.raises(Conflict) as dup:
        claim(rt, h.enterprise, h.placement_id, HIRING, "e-2")
    assert dup.value.code == "duplicate_claim"
    assert unclaimed(rt) == [(h.placement_id, EMPLOYMENT)]
    person = claim(rt, h.person, h.placement_id, EMPLOYMENT, "p-1").claim
    assert unclaimed(rt) == []
    for c in (ent.claim, person):
        with committing(rt) as uow:
            admin_actions.approve_claim(uow, ADMIN, c.id)
        with committing(rt) as uow:
            admin_actions.pay_claim(uow, ADMIN, c.id)
    with rt.uow() as uow:
        assert uow.s.scalar(select(func.sum(LedgerEntry.amount_fen))) == 2 * 2111_00
        assert uow.s.scalar(select(func.count()).select_from(AuditLog).where(
            AuditLog.action == "claim.paid")) == 2
        mine = queries.own_claims(uow, h.person, 1, 20)
        assert [c["id"] for c in mine.items] == [person.id]
        assert queries.own_claim(uow, h.person, person.id).status == "paid"
        with pytest.raises(NotFound):
            queries.own_claim(uow, h.person, ent.claim.id)  # the enterprise's claim
    with pytest.raises(Conflict):
        claim(rt, h.person, h.placement_id, EMPLOYMENT, "p-2")


def test_another_placement_is_not_found_and_missing_conditions_refused(rt: Runtime) -> None:
    h, other = hire_graduate(rt), hire_graduate(rt, n=1)
    with pytest.raises(NotFound):
        claim(rt, other.enterprise, h.placement_id, HIRING, "x-1")
    with pytest.raises(NotFound):
        claim(rt, other.person, h.placement_id, EMPLOYMENT, "x-2")
    with pytest.raises(Refused) as refused:  # no social insurance yet
        claim(rt, h.enterprise, h.placement_id, HIRING, "x-3")
    assert refused.value.code == "not_eligible"
    assert "tranche[1].social_insurance_months_min" in refused.value.fields or \
        "social_insurance_months_min" in refused.value.fields


def test_unclaimed_filters_and_csv(rt: Runtime) -> None:
    h = hire_graduate(rt)
    record_insurance(rt, h.placement_id)
    assert unclaimed(rt, rule_code=HIRING) == [(h.placement_id, HIRING)]
    assert unclaimed(rt, district="朝阳区") == []
    with rt.uow() as uow:
        text = queries.unclaimed_csv(uow, ADMIN, HIRING, "海淀区")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [(r["placement_id"], r["amount_yuan"]) for r in rows] == [
        (str(h.placement_id), "2111.0")]


def test_direct_pay_twice_pays_once(rt: Runtime) -> None:
    h, g = hire_graduate(rt), hire_graduate(rt, n=1)
    for x in (h, g):
        record_insurance(rt, x.placement_id)
    ids = [h.placement_id, g.placement_id]
    with committing(rt) as uow:
        first = actions.direct_pay(uow, ADMIN, HIRING, ids)
    assert len(first.paid) == 2 and not first.already and not first.skipped
    assert {c.status for c in first.paid} == {"paid"}
    assert all(c.trace["checks"] for c in first.paid)  # each traced
    with committing(rt) as uow:
        second = actions.direct_pay(uow, ADMIN, HIRING, ids)
    assert (second.paid, len(second.already)) == ([], 2)
    with rt.uow() as uow:
        assert uow.s.scalar(select(func.count()).select_from(LedgerEntry)) == 2
    assert unclaimed(rt, rule_code=HIRING) == []
    with pytest.raises(Conflict):  # the enterprise cannot claim what was paid directly
        claim(rt, h.enterprise, h.placement_id, HIRING, "late")


def test_direct_pay_refuses_rules_without_the_flag_and_skips_the_ineligible(rt: Runtime) -> None:
    h = hire_graduate(rt)
    with committing(rt) as uow, pytest.raises(Refused) as refused:
        actions.direct_pay(uow, ADMIN, "graduate_job_seeking", [h.placement_id])
    assert refused.value.code == "not_direct_payment"
    with committing(rt) as uow:
        out = actions.direct_pay(uow, ADMIN, HIRING, [h.placement_id])  # no insurance yet
    assert out.paid == [] and [s["code"] for s in out.skipped] == ["not_eligible"]


def test_import_captures_degree_level_and_the_leading_flag(rt: Runtime, tmp_path: Path) -> None:
    ents, people = tmp_path / "e.csv", tmp_path / "s.csv"
    ents.write_text("external_id,name,size_class,is_leading_industrial\n"
                    "L1,领军制造有限公司,large,是\nL2,小微科技,micro,\n", encoding="utf-8")
    people.write_text("external_id,name,skills,categories,graduation_year,degree_level\n"
                      "G1,李四,焊接,graduate,2026,master\n", encoding="utf-8")
    import_file(rt, "enterprises", ents)
    import_file(rt, "seekers", people)
    with rt.uow() as uow:
        flags = dict(uow.s.execute(select(Enterprise.external_id,
                                          Enterprise.is_leading_industrial)).all())
        degree = uow.s.scalar(select(JobSeeker.degree_level).where(
            JobSeeker.external_id == "G1"))
    assert (flags, degree) == ({"L1": True, "L2": False}, "master")
    bad = tmp_path / "bad.csv"
    bad.write_text("external_id,name,skills,degree_level\nG2,王五,焊接,phd\n", encoding="utf-8")
    with pytest.raises(Exception, match="nothing was imported"):
        import_file(rt, "seekers", bad)


def test_cli_evaluates_lists_and_pays_directly(rt: Runtime, tmp_path: Path) -> None:
    h = hire_graduate(rt)
    record_insurance(rt, h.placement_id)
    env = {"WORKBRIDGE_DATABASE_URL": rt.settings.database_url,
           "WORKBRIDGE_SECRET_KEY": "test-secret"}

    def run(*args: str) -> Any:
        return CliRunner().invoke(subsidy, list(args), env=env)

    found = run("eligibility", "evaluate", str(h.placement_id))
    assert found.exit_code == 0 and f"enterprise {HIRING}#1 2111.00" in found.output
    out = tmp_path / "unclaimed.csv"
    listed = run("eligibility", "unclaimed", "--rule", HIRING, "--csv", str(out))
    assert listed.exit_code == 0 and "1 unclaimed rows" in listed.output
    for expected in ("paid 2111.00", "was paid before"):
        paid = run("eligibility", "direct-pay", HIRING, str(h.placement_id), "--by", "officer")
        assert paid.exit_code == 0 and expected in paid.output, paid.output
    refused = run("eligibility", "direct-pay", "graduate_job_seeking", str(h.placement_id),
                  "--by", "officer")
    assert refused.exit_code == 1 and "not_direct_payment" in refused.output
