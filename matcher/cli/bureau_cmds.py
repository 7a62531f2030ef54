"""``workbridge bureau``: shortage desk, daily dispatch, cohorts, early warning, series.

Register :data:`bureau` with the main group. Refusals exit with status 1 and the message.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import click

from matcher.bureau import actions, gaps, queries, series
from matcher.cli.context import perform, read
from matcher.cli.jobs_cmds import KEY, WAIT, fail_exit, start_job
from matcher.cli.lending_agreement_cmds import ACTOR, DAY, day_or_today, domain_errors
from matcher.principal import Principal


def _as(actor: str) -> Principal:
    """The system principal acting under the ``--actor`` name."""
    return Principal.system(actor)


@click.group()
def bureau() -> None:
    """Bureau desks: labor gaps, dispatch, point-to-point cohorts, early warning."""


@bureau.command("gaps")
@click.option("--date", "day", type=DAY, help="The day (default today).")
@click.option("--candidates", "k", type=int, default=0, help="Show the best K per source.")
@click.option("--csv", "csv_path", type=click.Path(dir_okay=False, path_type=Path))
@domain_errors
def gaps_cmd(day: datetime | None, k: int, csv_path: Path | None) -> None:
    """List open labor gaps ranked by tier, urgency and deadline, with fill rates."""
    found = read(queries.ranked_gaps, day_or_today(day), k)
    for g in found:
        r = g.gap
        click.echo(f"{r.rank:>3}. gap {r.id} [{r.key_tier}/{r.urgency}] {r.enterprise}: "
                   f"{r.title} {r.recruited}/{r.needed} ({r.fill_rate:.0%}) "
                   f"by {r.deadline}")
        for source, cands in g.candidates.items():
            for c in cands:
                click.echo(f"       {source:<7} {c.supply.person_id:>6} "
                           f"{c.supply.name or ''} {c.score:.3f}")
    rows = [g.gap for g in found]
    if csv_path:
        series.write_csv([gaps.gap_dict(r) for r in rows], csv_path)
        click.echo(f"{len(rows)} rows written to {csv_path}")


@bureau.command("dispatch")
@click.option("--date", "day", type=DAY, help="The day (default today).")
@click.option("--confirm", is_flag=True, help="Confirm the proposal and write notifications.")
@ACTOR
@domain_errors
def dispatch_cmd(day: datetime | None, confirm: bool, actor: str) -> None:
    """Propose the day's dispatch (saved for an officer); --confirm confirms it at once."""
    done = perform(actions.plan_dispatch, day_or_today(day), actor=_as(actor))
    plan, pid = done.plan, done.proposal_id
    for a in plan.assignments:
        click.echo(f"gap {a.gap.id} {a.gap.enterprise}: {a.supply.source} "
                   f"{a.supply.person_id} {a.supply.name or ''} {a.score:.3f} ({a.phase})")
    confirm = confirm and bool(plan.assignments)  # an empty plan cannot be confirmed
    sent = perform(actions.confirm_dispatch, pid, actor=_as(actor)) if confirm else 0
    state = (f"confirmed, {sent} notifications queued" if confirm else
             "nothing to confirm" if not plan.assignments else "awaiting confirmation")
    click.echo(f"proposal {pid}: {len(plan.assignments)} assignments over {plan.gap_count} "
               f"gaps, {sum(plan.unfilled.values())} places unfilled; {state}")


@bureau.group("cohorts")
def cohorts_group() -> None:
    """Point-to-point return trips."""


@cohorts_group.command("form")
@click.option("--date", "day", type=DAY, required=True)
@click.option("--capacity", type=int, required=True, help="Seats per vehicle.")
@click.option("--allocate/--no-allocate", default=True, help="Allocate workers to employers.")
@ACTOR
@domain_errors
def form_cmd(day: datetime, capacity: int, allocate: bool, actor: str) -> None:
    """Form the day's cohorts from registrations, whole groups per vehicle."""
    done = perform(actions.form_cohorts, day.date(), capacity, allocate, actor=_as(actor))
    for f in done.formed:
        v = f.cohort
        click.echo(f"cohort {v.id}: {v.origin} -> {v.destination_district} "
                   f"{v.size}/{v.capacity}, {f.placed} placed")
    for rid in done.refused:
        click.echo(f"registration {rid}: group larger than {capacity} seats, not formed",
                   err=True)


@cohorts_group.command("manifest")
@click.argument("cohort_id", type=int)
@click.option("--csv", "csv_path", type=click.Path(dir_okay=False, path_type=Path))
@domain_errors
def manifest_cmd(cohort_id: int, csv_path: Path | None) -> None:
    """Print a cohort's manifest (ID numbers masked)."""
    v = read(queries.cohort_manifest, cohort_id).cohort
    click.echo(f"cohort {v.id} {v.origin} -> {v.destination_district} {v.travel_date} "
               f"[{v.status}] {v.size}/{v.capacity}")
    rows = [line.to_dict() for line in v.manifest]
    for r in rows:
        click.echo(json.dumps(r, ensure_ascii=False))
    if csv_path:
        series.write_csv(rows, csv_path)


@bureau.group("warning")
def warning_group() -> None:
    """Early warning of enterprises at risk."""


@warning_group.command("scan")
@click.option("--date", "day", type=DAY, help="The day (default today).")
@ACTOR
@KEY
@WAIT
@domain_errors
def scan_cmd(day: datetime | None, actor: str, key: str | None, wait: bool) -> None:
    """Score every enterprise and add those over the threshold to the watch list (a job)."""
    params = {"day": day_or_today(day).isoformat(), "actor": actor}
    job = start_job("warning_scan", params, key=key, wait=wait)
    if job is None:
        return
    if job.status != "succeeded":
        fail_exit(job)
    done = job.result or {}
    for r in done.get("top", []):
        click.echo(f"{r['score']:7.2f} {r['enterprise']}: {r['why']}")
    click.echo(f"{done.get('scored', 0)} enterprises scored, {len(done.get('added', []))} "
               f"added to the watch list")


@bureau.command("series")
@click.argument("name", type=click.Choice(sorted(series.SERIES)))
@click.option("--csv", "csv_path", type=click.Path(dir_okay=False, path_type=Path),
              required=True)
@click.option("--date", "day", type=DAY, help="The day (default today).")
@domain_errors
def series_cmd(name: str, csv_path: Path, day: datetime | None) -> None:
    """Write a dashboard series (gaps, cohorts, claims, watch) as CSV."""
    rows = read(queries.series_rows, name, day_or_today(day))
    series.write_csv(rows, csv_path)
    click.echo(f"{len(rows)} rows written to {csv_path}")
