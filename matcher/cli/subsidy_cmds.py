"""``workbridge subsidy``: check and record rules, decide and pay claims, export reports."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

import click

from matcher.cli.context import get_runtime, perform, read
from matcher.errors import DomainError
from matcher.principal import Principal
from matcher.subsidy import actions, claimant_actions, claimant_queries, queries, reports
from matcher.subsidy.rules import RulesError, load_rules


@click.group()
def subsidy() -> None:
    """Placement subsidies: rules, claims, payments, reports."""


@contextmanager
def _domain_errors() -> Iterator[None]:
    try:
        yield
    except DomainError as exc:
        detail = "".join(f"\n  {k}: {'; '.join(v)}" for k, v in exc.fields.items())
        raise click.ClickException(f"{exc.code}: {exc.message}{detail}") from None


@subsidy.group()
def rules() -> None:
    """The subsidy rules file."""


@rules.command("check")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
def rules_check(file: Path) -> None:
    """Validate FILE; print each problem as 'file: key path: message' (exit 1 if any)."""
    try:
        ruleset = load_rules(file)
    except RulesError as exc:
        for problem in exc.problems:
            click.echo(problem, err=True)
        raise SystemExit(1) from None
    for rule in ruleset.rules.values():
        amounts = ", ".join(f"{v.start}: {v.amount_fen / 100:.2f}" for v in rule.values)
        click.echo(f"{rule.code} v{rule.version} ({rule.claimant.value}, "
                   f"{len(rule.tranches)} tranche(s)) amounts {amounts} "
                   f"checksum {rule.checksum[:12]}")
    click.echo(f"{file.name}: {len(ruleset.rules)} rules OK")


@rules.command("load")
@click.argument("file", required=False, type=click.Path(dir_okay=False, path_type=Path))
def rules_load(file: Path | None) -> None:
    """Record the rule versions of FILE (default: the configured file) in the database."""
    path = file or get_runtime().settings.subsidy_rules
    try:
        ruleset = load_rules(path)
    except RulesError as exc:
        raise click.ClickException(str(exc)) from None
    with _domain_errors():
        recorded = perform(actions.record_rules, ruleset)
    for r in recorded:
        click.echo(f"{r.code} v{r.version} {'recorded' if r.newly_recorded else 'unchanged'}")


@subsidy.group()
def claim() -> None:
    """Look at, decide, pay and reverse claims (as a bureau admin)."""


@claim.command("show")
@click.argument("claim_id", type=int)
def claim_show(claim_id: int) -> None:
    """Print a claim with its trace as JSON."""
    with _domain_errors():
        view = read(queries.claim_detail, claim_id)
    click.echo(json.dumps(view.__dict__, default=str, ensure_ascii=False, indent=2))


ADMIN_OPTION = click.option("--by", "by", required=True, help="The admin deciding (audit log).")


def _admin(by: str) -> Principal:
    """The system principal deciding under the admin's name given with ``--by``."""
    return Principal.system(by)


BOOKED_OPTION = click.option("--booked-on", type=click.DateTime(["%Y-%m-%d"]), default=None,
                             help="Accounting date (default: today in Beijing).")


@claim.command("approve")
@click.argument("claim_id", type=int)
@ADMIN_OPTION
@click.option("--note", default="", help="Note for the audit log.")
def claim_approve(claim_id: int, by: str, note: str) -> None:
    """Approve a submitted claim (refused when a cap is full)."""
    with _domain_errors():
        view = perform(actions.approve_claim, claim_id, note, actor=_admin(by))
    click.echo(f"claim {view.id}: approved, {view.amount_fen / 100:.2f} yuan")


@claim.command("reject")
@click.argument("claim_id", type=int)
@ADMIN_OPTION
@click.option("--reason", required=True)
def claim_reject(claim_id: int, by: str, reason: str) -> None:
    """Reject a submitted claim with a reason."""
    with _domain_errors():
        view = perform(actions.reject_claim, claim_id, reason, actor=_admin(by))
    click.echo(f"claim {view.id}: rejected")


@claim.command("pay")
@click.argument("claim_id", type=int)
@ADMIN_OPTION
@BOOKED_OPTION
def claim_pay(claim_id: int, by: str, booked_on: datetime | None) -> None:
    """Pay an approved claim (a ledger row)."""
    with _domain_errors():
        entry = perform(actions.pay_claim, claim_id, booked_on.date() if booked_on else None,
                        actor=_admin(by))
    click.echo(f"claim {claim_id}: paid {entry.amount_fen / 100:.2f} yuan (ledger {entry.id})")


@claim.command("reverse")
@click.argument("claim_id", type=int)
@ADMIN_OPTION
@click.option("--reason", required=True)
@BOOKED_OPTION
def claim_reverse(claim_id: int, by: str, reason: str, booked_on: datetime | None) -> None:
    """Reverse a claim's payment (a new negative ledger row); frees the caps."""
    with _domain_errors():
        entry = perform(actions.reverse_payment, claim_id, reason,
                        booked_on.date() if booked_on else None, actor=_admin(by))
    click.echo(f"claim {claim_id}: reversed {entry.amount_fen / 100:.2f} yuan (ledger {entry.id})")


@subsidy.group()
def report() -> None:
    """Reports, exported as CSV."""


@report.command("agency")
@click.option("--csv", "csv_path", required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--year", type=int, default=None, help="Only this calendar year.")
def report_agency(csv_path: Path, year: int | None) -> None:
    """Per agency: placements, claims by state, amounts paid and outstanding."""
    rows = read(queries.agency_report, year)
    n = reports.write_csv(rows, csv_path, reports.AgencyReportRow)
    click.echo(f"{n} agencies written to {csv_path}")


@report.command("rule")
@click.option("--csv", "csv_path", required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--year", type=int, default=None, help="Only this calendar year.")
def report_rule(csv_path: Path, year: int | None) -> None:
    """Per rule: payments, reversals and net amount per month."""
    rows = read(queries.rule_report, year)
    n = reports.write_csv(rows, csv_path, reports.RuleMonthRow)
    click.echo(f"{n} rule-months written to {csv_path}")


@subsidy.group()
def eligibility() -> None:
    """Who qualifies (found after hires, insurance records, category and rule changes)."""


@eligibility.command("evaluate")
@click.argument("placement_ids", type=int, nargs=-1)
def eligibility_evaluate(placement_ids: tuple[int, ...]) -> None:
    """Evaluate every rule for every party of the placements given (default: all)."""
    with _domain_errors():
        ids = list(placement_ids) or read(claimant_queries.placement_ids)
        for pid in ids:
            found = perform(claimant_actions.evaluate_eligibility, pid)
            owed = [f"{e.party_kind} {e.rule_code}#{e.tranche} {e.amount_fen / 100:.2f}"
                    for e in found if e.eligible]
            click.echo(f"placement {pid}: {', '.join(owed) or 'nothing due yet'}")


@eligibility.command("unclaimed")
@click.option("--rule", "rule_code", default=None, help="Only this rule.")
@click.option("--district", default=None, help="Only enterprises in this district.")
@click.option("--csv", "csv_path", required=True, type=click.Path(dir_okay=False, path_type=Path))
def eligibility_unclaimed(rule_code: str | None, district: str | None, csv_path: Path) -> None:
    """Write who is eligible and has not claimed, with amounts, as CSV."""
    body = read(claimant_queries.unclaimed_csv, rule_code, district)
    csv_path.write_text(body, encoding="utf-8")
    click.echo(f"{max(body.count(chr(10)) - 1, 0)} unclaimed rows written to {csv_path}")


@eligibility.command("direct-pay")
@click.argument("rule_code")
@click.argument("placement_ids", type=int, nargs=-1, required=True)
@ADMIN_OPTION
def eligibility_direct_pay(rule_code: str, placement_ids: tuple[int, ...], by: str) -> None:
    """免申即享: create, approve and pay the claims of a direct-payment rule (twice: once)."""
    with _domain_errors():
        done = perform(claimant_actions.direct_pay, rule_code, list(placement_ids),
                       actor=_admin(by))
    for c in done.paid:
        click.echo(f"claim {c.id}: placement {c.placement_id} paid {c.amount_fen / 100:.2f}")
    for c in done.already:
        click.echo(f"claim {c.id}: placement {c.placement_id} was paid before")
    for s in done.skipped:
        click.echo(f"placement {s['placement_id']} tranche {s['tranche']}: skipped "
                   f"({s['code']}: {s['reason']})")
