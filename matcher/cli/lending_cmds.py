"""``workbridge lending``: idle staff, borrowing demand, matching, allocation, return-due.

The agreement commands (propose, accept, sign, ack, activate, return, terminate, show,
document) live in :mod:`matcher.cli.lending_agreement_cmds` and are added to this group;
register only :data:`lending` with the main group. Declaring staff, consent and requests
call the same actions as the web, as the system principal named by ``--actor``.
"""

from __future__ import annotations

import json
import sys
from datetime import datetime
from pathlib import Path

import click

from matcher.cli.context import pass_runtime, perform
from matcher.cli.jobs_cmds import KEY, WAIT, fail_exit, start_job
from matcher.cli.lending_agreement_cmds import (
    ACTOR,
    AGREEMENT_COMMANDS,
    DAY,
    day_or_today,
    domain_errors,
    fen,
    ref_id,
    split_list,
)
from matcher.lending import actions, allocation, matching
from matcher.lending.demand import RequestInput
from matcher.lending.pool import EmployeeInput
from matcher.models import Enterprise, SurplusEmployee
from matcher.principal import Principal
from matcher.runtime import Runtime


@click.group()
def lending() -> None:
    """Shared employment: lend idle staff between enterprises."""


@lending.command("declare")
@click.argument("enterprise")
@click.argument("external_id")
@click.option("--name")
@click.option("--skills", default="", help="Separated by ; or ,")
@click.option("--experience", default="")
@click.option("--district")
@click.option("--from", "from_", type=DAY, help="Lendable from (YYYY-MM-DD).")
@click.option("--to", type=DAY, help="Lendable until (YYYY-MM-DD).")
@click.option("--daily-cost", help="The lender's cost in yuan per day.")
@click.option("--consent/--no-consent", default=False, help="The employee consented.")
@ACTOR
@pass_runtime
@domain_errors
def declare_cmd(rt: Runtime, enterprise: str, external_id: str, name: str | None, skills: str,
                experience: str, district: str | None, from_: datetime | None,
                to: datetime | None, daily_cost: str | None, consent: bool, actor: str) -> None:
    """Declare one idle employee of ENTERPRISE lendable."""
    with rt.uow() as uow:
        owner = ref_id(uow.s, Enterprise, enterprise)
    view = perform(actions.declare_employee, EmployeeInput(
        external_id=external_id, name=name, skills=split_list(skills), experience=experience,
        district=district, available_from=from_.date() if from_ else None,
        available_to=to.date() if to else None,
        daily_cost=fen(daily_cost) if daily_cost else None, consent=consent), owner,
        actor=Principal.system(actor))
    click.echo(f"employee {view.id} {view.external_id} declared (consent: {view.consent})")


@lending.command("consent")
@click.argument("employee")
@click.option("--withdraw", is_flag=True, help="Withdraw consent instead of giving it.")
@ACTOR
@pass_runtime
@domain_errors
def consent_cmd(rt: Runtime, employee: str, withdraw: bool, actor: str) -> None:
    """Record that EMPLOYEE consents to being lent (or withdraws consent)."""
    with rt.uow() as uow:
        employee_id = ref_id(uow.s, SurplusEmployee, employee)
    view = perform(actions.record_consent, employee_id, not withdraw,
                   actor=Principal.system(actor))
    click.echo(f"employee {view.external_id}: consent {'given' if view.consent else 'withdrawn'}")


@lending.command("request")
@click.argument("enterprise")
@click.option("--title", required=True)
@click.option("--skills", default="", help="Separated by ; or ,")
@click.option("--headcount", type=int, required=True)
@click.option("--from", "from_", type=DAY, required=True)
@click.option("--to", type=DAY, required=True)
@click.option("--site")
@click.option("--district")
@ACTOR
@pass_runtime
@domain_errors
def request_cmd(rt: Runtime, enterprise: str, title: str, skills: str, headcount: int,
                from_: datetime, to: datetime, site: str | None, district: str | None,
                actor: str) -> None:
    """Post a borrowing request of ENTERPRISE."""
    with rt.uow() as uow:
        owner = ref_id(uow.s, Enterprise, enterprise)
    d = perform(actions.post_request, RequestInput(
        title=title, skills=split_list(skills), headcount=headcount, start_date=from_.date(),
        end_date=to.date(), site=site, district=district), owner, actor=Principal.system(actor))
    click.echo(f"borrowing request {d['id']} posted: {d['title']} x{d['headcount']}")


@lending.command("match")
@click.option("--request", "request_id", type=int, help="Employees for a borrowing request.")
@click.option("--vacancy", "vacancy_id", type=int, help="Employees for a borrowing vacancy.")
@click.option("--lender", help="Demand that fits this enterprise's idle staff.")
@click.option("--date", "day", type=DAY, help="The day to match for (default today).")
@pass_runtime
@domain_errors
def match_cmd(rt: Runtime, request_id: int | None, vacancy_id: int | None, lender: str | None,
              day: datetime | None) -> None:
    """Match both ways: lenders for a demand, or demand for a lender."""
    with rt.uow() as uow:
        if lender:
            for n in matching.match_lender(rt, uow.s, ref_id(uow.s, Enterprise, lender),
                                           today=day_or_today(day)):
                click.echo(f"{n.demand.key} {n.demand.enterprise_name}: {n.demand.title} "
                           f"needs {n.demand.headcount} ({n.demand.start_date}.."
                           f"{n.demand.end_date}), fits {n.fits}, score {n.score:.3f}: "
                           + ", ".join(c.employee.external_id for c in n.candidates))
            return
        if (request_id is None) == (vacancy_id is None):
            raise click.UsageError("give exactly one of --request, --vacancy, --lender")
        kind, ref = ("request", request_id) if request_id is not None else ("vacancy", vacancy_id)
        m = matching.match_demand(rt, uow.s, kind, int(ref), today=day_or_today(day))  # type: ignore[arg-type]
    ext = {c.employee.id: c.employee.external_id for g in m.groups for c in g.candidates}
    names = {g.lender_id: g.lender_name for g in m.groups}
    click.echo(f"{m.demand.key} {m.demand.title} x{m.demand.headcount} "
               f"({m.demand.start_date}..{m.demand.end_date})")
    click.echo("plan (fewest lenders): " + "; ".join(
        f"{names[lid]}: {', '.join(ext[i] for i in ids)}" for lid, ids in m.plan))
    for g in m.groups:
        click.echo(f"[{g.lender_name}] covers {g.covers}, score {g.score:.3f}")
        for c in g.candidates:
            click.echo(f"  {c.employee.external_id} {c.employee.name or ''} {c.score:.3f}")
            for reason in c.reasons:
                click.echo(f"      - {reason}")


@lending.command("return-due")
@click.option("--today", type=DAY, help="The scheduler's date (default: today).")
@KEY
@WAIT
def return_due_cmd(today: datetime | None, key: str | None, wait: bool) -> None:
    """Return active agreements whose end date has passed; their staff rejoin the pool."""
    params = {"day": day_or_today(today).isoformat(), "actor": "scheduler"}
    job = start_job("return_due", params, key=key, wait=wait)
    if job is None:
        return
    if job.status != "succeeded":
        fail_exit(job)
    ids = (job.result or {}).get("returned", [])
    click.echo(f"returned {len(ids)} agreement(s){': ' if ids else ''}"
               + ", ".join(str(i) for i in ids))


@lending.command("activate-due")
@click.option("--today", type=DAY, help="The scheduler's date (default: today).")
@KEY
@WAIT
def activate_due_cmd(today: datetime | None, key: str | None, wait: bool) -> None:
    """Activate signed agreements whose period has begun; their staff leave the pool."""
    params = {"day": day_or_today(today).isoformat(), "actor": "scheduler"}
    job = start_job("activate_due", params, key=key, wait=wait)
    if job is None:
        return
    if job.status != "succeeded":
        fail_exit(job)
    result = job.result or {}
    ids = result.get("activated", [])
    click.echo(f"activated {len(ids)} agreement(s){': ' if ids else ''}"
               + ", ".join(str(i) for i in ids))
    for agreement_id, code in result.get("refused", {}).items():
        click.echo(f"agreement {agreement_id} not activated: {code}")


@lending.command("allocate")
@click.option("--date", "day", type=DAY, required=True, help="The day to allocate.")
@click.option("--key-share", type=click.FloatRange(0, 1), default=allocation.DEFAULT_KEY_SHARE,
              show_default=True, help="Share of available staff key demand may take first.")
@click.option("--min-score", type=float, default=matching.DEFAULT_MIN_SCORE, show_default=True)
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), help="Write JSON here.")
@click.option("--propose", is_flag=True, help="Also propose one agreement per demand and lender.")
@ACTOR
@pass_runtime
@domain_errors
def allocate_cmd(rt: Runtime, day: datetime, key_share: float, min_score: float,
                 out: Path | None, propose: bool, actor: str) -> None:
    """Print (and optionally write or propose) the day's allocation of idle staff."""
    with rt.uow() as uow:
        plan = allocation.allocate_day(rt, uow.s, day.date(), key_share=key_share,
                                       min_score=min_score, progress=sys.stderr.isatty())
        rows = [{"demand": p.demand.key, "borrower": p.demand.enterprise_name,
                 "title": p.demand.title, "employee": p.employee.external_id,
                 "lender": p.employee.enterprise_name, "score": p.score, "phase": p.phase}
                for p in plan.pairs]
        click.echo(f"{plan.day}: {plan.demand_count} demand(s), {plan.employee_count} "
                   f"employee(s), key cap {plan.key_cap}, {len(rows)} assigned, "
                   f"total score {plan.total_score:.3f}")
        for r in rows:
            click.echo(f"  {r['demand']} {r['borrower']} {r['title']} <- {r['employee']} "
                       f"({r['lender']}) {r['score']:.3f} [{r['phase']}]")
        for key, n in sorted(plan.unfilled.items()):
            click.echo(f"  {key}: {n} unfilled")
        if out:
            out.write_text(json.dumps({"day": plan.day.isoformat(), "assignments": rows,
                                       "unfilled": plan.unfilled}, ensure_ascii=False, indent=2),
                           encoding="utf-8")
            click.echo(f"wrote {out}")
        if propose:
            made = allocation.propose_allocation(rt, uow, plan, actor=actor)
            uow.commit()
            click.echo("proposed agreements: " + ", ".join(str(a.id) for a in made))


for _command in AGREEMENT_COMMANDS:
    lending.add_command(_command)
