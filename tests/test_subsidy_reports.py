"""Reports per agency and per rule and month, and their CSV export through the CLI."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import pytest
from builders.subsidy import add_agency, committing, placed_world
from click.testing import CliRunner

from matcher.cli.subsidy_cmds import subsidy
from matcher.config import PACKAGE_DATA
from matcher.enums import ClaimantKind
from matcher.runtime import Runtime
from matcher.subsidy.actors import Actor
from matcher.subsidy.claims import ClaimRequest, approve_claim, reject_claim, submit_claim
from matcher.subsidy.evaluate import Claimant
from matcher.subsidy.ledger import pay_claim, reverse_payment
from matcher.subsidy.reports import AgencyReportRow, RuleMonthRow, agency_report, rule_report
from matcher.subsidy.rules import load_rules

RULES = load_rules(PACKAGE_DATA / "subsidy_rules.yaml")
ADMIN = Actor.admin("admin")
INTRO = "employment_introduction"


@pytest.fixture
def history(rt: Runtime) -> dict[str, int]:
    """Agency A: 5 placements; claims paid, paid+reversed, approved, submitted, rejected."""
    world = placed_world(rt, 5)
    with committing(rt) as uow:
        idle = add_agency(uow.s, name="没有业务的机构")
        uow.commit()
    staff = Actor.agency("staff", world.agency_id)
    ids = []
    for i, pid in enumerate(world.placement_ids):
        with committing(rt) as uow:
            ids.append(submit_claim(
                uow, RULES, ClaimRequest(Claimant(ClaimantKind.AGENCY, world.agency_id), pid,
                                         INTRO), idempotency_key=f"k{i}", actor=staff,
                on_date=date(2024, 5, 1)).claim.id)
    for cid in ids[:3]:
        with committing(rt) as uow:
            approve_claim(uow, cid, actor=ADMIN)
    for cid, day in ((ids[0], date(2024, 6, 15)), (ids[1], date(2024, 6, 20))):
        with committing(rt) as uow:
            pay_claim(uow, cid, actor=ADMIN, booked_on=day)
    with committing(rt) as uow:
        reverse_payment(uow, ids[1], actor=ADMIN, reason="paid twice by mistake",
                        booked_on=date(2024, 7, 2))
    with committing(rt) as uow:
        reject_claim(uow, ids[4], actor=ADMIN, reason="no contract on file")
    return {"agency": world.agency_id, "idle": idle}


def test_agency_report(rt: Runtime, history: dict[str, int]) -> None:
    with committing(rt) as uow:
        rows = {r.agency_id: r for r in agency_report(uow.s)}
        empty_year = {r.agency_id: r for r in agency_report(uow.s, year=2025)}
    a = rows[history["agency"]]
    assert (a.placements, a.claims_draft, a.claims_submitted, a.claims_approved,
            a.claims_rejected, a.claims_paid, a.claims_reversed) == (5, 0, 1, 1, 1, 1, 1)
    assert (a.paid_fen, a.outstanding_fen, a.pending_fen) == (311_00, 311_00, 311_00)
    idle = rows[history["idle"]]
    assert (idle.agency, idle.placements, idle.paid_fen) == ("没有业务的机构", 0, 0)
    quiet = empty_year[history["agency"]]
    assert (quiet.placements, quiet.claims_paid, quiet.paid_fen) == (0, 0, 0)


def test_rule_report_by_month(rt: Runtime, history: dict[str, int]) -> None:
    with committing(rt) as uow:
        rows = rule_report(uow.s)
        only_2025 = rule_report(uow.s, year=2025)
    assert rows == [
        RuleMonthRow(INTRO, "2024-06", payments=2, paid_fen=622_00, reversals=0, reversed_fen=0,
                     net_fen=622_00),
        RuleMonthRow(INTRO, "2024-07", payments=0, paid_fen=0, reversals=1,
                     reversed_fen=-311_00, net_fen=-311_00),
    ]
    assert only_2025 == []


def test_cli_exports_csv(rt: Runtime, history: dict[str, int], tmp_path: Path) -> None:
    env = {"WORKBRIDGE_DATABASE_URL": rt.settings.database_url,
           "WORKBRIDGE_SECRET_KEY": "test-secret"}
    runner = CliRunner()
    agency_csv, rule_csv = tmp_path / "agency.csv", tmp_path / "rule.csv"
    result = runner.invoke(subsidy, ["report", "agency", "--csv", str(agency_csv)], env=env)
    assert result.exit_code == 0, result.output
    assert "2 agencies" in result.output
    result = runner.invoke(subsidy, ["report", "rule", "--csv", str(rule_csv)], env=env)
    assert result.exit_code == 0, result.output
    with agency_csv.open(encoding="utf-8-sig", newline="") as fh:
        agencies = {int(r["agency_id"]): r for r in csv.DictReader(fh)}
    row = agencies[history["agency"]]
    assert (row["paid_fen"], row["paid_yuan"], row["outstanding_yuan"]) == (
        "31100", "311.00", "311.00")
    assert row["claims_reversed"] == "1"
    assert list(row)[:3] == ["agency_id", "agency", "placements"]
    with rule_csv.open(encoding="utf-8-sig", newline="") as fh:
        months = list(csv.DictReader(fh))
    assert [(m["month"], m["net_yuan"]) for m in months] == [
        ("2024-06", "622.00"), ("2024-07", "-311.00")]
    assert {f for f in AgencyReportRow.__dataclass_fields__} <= set(row)
