"""``workbridge bureau``: shortage desk, daily dispatch, cohorts, early warning, series.

Register :data:`bureau` with the main group. Refusals exit with status 1 and the message.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import click

from matcher.bureau import cohorts, dispatch, gaps, series, warning
from matcher.bureau.candidates import candidates_for_gap
from matcher.cli.context import pass_runtime
from matcher.cli.lending_agreement_cmds import ACTOR, DAY, day_or_today, domain_errors
from matcher.runtime import Runtime


@click.group()
def bureau() -> None:
    """Bureau desks: labor gaps, dispatch, point-to-point cohorts, early warning."""


@bureau.command("gaps")
@click.option("--date", "day", type=DAY, help="The day (default today).")
@click.option("--candidates", "k", type=int, default=0, help="Show the best K per source.")
@click.option("--csv", "csv_path", type=click.Path(dir_okay=False, path_type=Path))
@pass_runtime
@domain_errors
def gaps_cmd(rt: Runtime, day: datetime | None, k: int, csv_path: Path | None) -> None:
    """List open labor gaps ranked by tier, urgency and deadline, with fill rates."""
    today = day_or_today(day)
    with rt.uow() as uow:
        rows = gaps.load_gaps(uow.s)
        for r in rows:
            click.echo(f"{r.rank:>3}. gap {r.id} [{r.key_tier}/{r.urgency}] {r.enterprise}: "
                       f"{r.title} {r.recruited}/{r.needed} ({r.fill_rate:.0%}) "
                       f"by {r.deadline}")
            if k > 0:
                for source, cands in candidates_for_gap(rt, uow.s, r.id, today=today,
                                                        k=k).items():
                    for c in cands:
                        click.echo(f"       {source:<7} {c.supply.person_id:>6} "
                                   f"{c.supply.name or ''} {c.score:.3f}")
    if csv_path:
        series.write_csv([gaps.gap_dict(r) for r in rows], csv_path)
        click.echo(f"{len(rows)} rows written to {csv_path}")


@bureau.command("dispatch")
@click.option("--date", "day", type=DAY, help="The day (default today).")
@click.option("--confirm", is_flag=True, help="Confirm the proposal and write notifications.")
@ACTOR
@pass_runtime
@domain_errors
def dispatch_cmd(rt: Runtime, day: datetime | None, confirm: bool, actor: str) -> None:
    """Propose the day's dispatch (saved for an officer); --confirm confirms it at once."""
    today = day_or_today(day)
    with rt.uow() as uow:
        plan = dispatch.plan_dispatch(rt, uow.s, today)
        pid = dispatch.save_plan(uow, plan, actor=actor)
        for a in plan.assignments:
            click.echo(f"gap {a.gap.id} {a.gap.enterprise}: {a.supply.source} "
                       f"{a.supply.person_id} {a.supply.name or ''} {a.score:.3f} ({a.phase})")
        sent = dispatch.confirm(uow, pid, actor=actor) if confirm else 0
        uow.commit()
    state = f"confirmed, {sent} notifications queued" if confirm else "awaiting confirmation"
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
@pass_runtime
@domain_errors
def form_cmd(rt: Runtime, day: datetime, capacity: int, allocate: bool, actor: str) -> None:
    """Form the day's cohorts from registrations, whole groups per vehicle."""
    from matcher.bureau.cohort_allocation import allocate_cohort

    with rt.uow() as uow:
        made, refused = cohorts.form_cohorts(uow, day.date(), capacity, actor=actor)
        for cid in made:
            placed = allocate_cohort(rt, uow, cid, today=day.date(), actor=actor) \
                if allocate else {}
            v = cohorts.manifest(uow.s, cid)
            click.echo(f"cohort {cid}: {v.origin} -> {v.destination_district} "
                       f"{v.size}/{v.capacity}, {len(placed)} placed")
        uow.commit()
    for rid in refused:
        click.echo(f"registration {rid}: group larger than {capacity} seats, not formed",
                   err=True)


@cohorts_group.command("manifest")
@click.argument("cohort_id", type=int)
@click.option("--csv", "csv_path", type=click.Path(dir_okay=False, path_type=Path))
@pass_runtime
@domain_errors
def manifest_cmd(rt: Runtime, cohort_id: int, csv_path: Path | None) -> None:
    """Print a cohort's manifest (ID numbers masked)."""
    with rt.uow() as uow:
        v = cohorts.manifest(uow.s, cohort_id)
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
@pass_runtime
@domain_errors
def scan_cmd(rt: Runtime, day: datetime | None, actor: str) -> None:
    """Score every enterprise and add those over the threshold to the watch list."""
    with rt.uow() as uow:
        scores, added = warning.scan(uow, day_or_today(day), actor=actor)
        uow.commit()
    for r in scores[:20]:
        why = ", ".join(f"{x.fact}={x.value}×{x.weight:g}" for x in r.reasons)
        click.echo(f"{r.score:7.2f} {r.enterprise}: {why}")
    click.echo(f"{len(scores)} enterprises scored, {len(added)} added to the watch list")


@bureau.command("series")
@click.argument("name", type=click.Choice(sorted(series.SERIES)))
@click.option("--csv", "csv_path", type=click.Path(dir_okay=False, path_type=Path),
              required=True)
@click.option("--date", "day", type=DAY, help="The day (default today).")
@pass_runtime
@domain_errors
def series_cmd(rt: Runtime, name: str, csv_path: Path, day: datetime | None) -> None:
    """Write a dashboard series (gaps, cohorts, claims, watch) as CSV."""
    with rt.uow() as uow:
        rows = series.series(uow.s, name, day_or_today(day))
    series.write_csv(rows, csv_path)
    click.echo(f"{len(rows)} rows written to {csv_path}")
