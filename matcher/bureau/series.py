"""Dashboard data: each series is a list of flat dicts, writable as CSV.

- ``gaps``: per sample day (every ``step_days`` from ``start`` to ``end``), district and
  industry: gaps open that day, headcount needed, recruited by then, fill rate.
- ``cohorts``: cohorts not yet handed over (formed, departed or arrived), with size.
- ``claims``: subsidy ledger by month (``booked_on``, else the creation day): payments,
  reversals and the net amount paid in fen.
- ``watch``: the open watch list with reasons.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from collections.abc import Callable, Sequence
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from matcher.bureau.gaps import fill_rate
from matcher.bureau.warning import watch_list
from matcher.csv_safe import safe_record
from matcher.enums import CohortStatus, DispatchStatus, LedgerKind
from matcher.models import Cohort, DispatchAssignment, Enterprise, LaborGap, LedgerEntry

Row = dict[str, Any]


def gaps_over_time(session: Session, start: date, end: date, step_days: int = 7) -> list[Row]:
    """Open gaps, needed, recruited and fill rate per sample day, district and industry."""
    if step_days < 1 or start > end:
        raise ValueError("step_days >= 1 and start <= end")
    gaps = list(session.execute(select(LaborGap, Enterprise.industry).join(
        Enterprise, Enterprise.id == LaborGap.enterprise_id)))
    confirmed: dict[int, list[date]] = defaultdict(list)
    for gid, at in session.execute(select(DispatchAssignment.gap_id,
                                          DispatchAssignment.confirmed_at).where(
            DispatchAssignment.status == DispatchStatus.CONFIRMED)):
        if at is not None:
            confirmed[gid].append(at.date())
    out: list[Row] = []
    day = start
    while day <= end:
        acc: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0, 0])
        for g, industry in gaps:
            if g.reported_on > day or (g.closed_on is not None and g.closed_on <= day):
                continue
            a = acc[(g.district or "", industry or "")]
            a[0] += 1
            a[1] += g.headcount
            a[2] += min(sum(1 for d in confirmed[g.id] if d <= day), g.headcount)
        for (district, industry), (n, needed, recruited) in sorted(acc.items()):
            out.append({"day": day.isoformat(), "district": district, "industry": industry,
                        "open_gaps": n, "needed": needed, "recruited": recruited,
                        "fill_rate": fill_rate(recruited, needed)})
        day += timedelta(days=step_days)
    return out


def cohorts_in_transit(session: Session) -> list[Row]:
    """Cohorts formed, departed or arrived but not handed over, by travel date."""
    stmt = select(Cohort).where(Cohort.status.in_(
        [CohortStatus.FORMED, CohortStatus.DEPARTED, CohortStatus.ARRIVED])).order_by(
        Cohort.travel_date, Cohort.id)
    return [{"cohort_id": c.id, "origin": f"{c.origin_province}{c.origin_city}",
             "destination": c.destination_district, "travel_date": c.travel_date.isoformat(),
             "arrival_date": c.arrival_date.isoformat(), "status": str(c.status),
             "size": c.size, "capacity": c.capacity} for c in session.scalars(stmt)]


def claims_paid_by_month(session: Session) -> list[Row]:
    """Subsidy ledger per month: payment count, reversal count, net fen paid."""
    acc: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    for kind, amount, booked, created in session.execute(select(
            LedgerEntry.kind, LedgerEntry.amount_fen, LedgerEntry.booked_on,
            LedgerEntry.created_at)):
        day = booked or created.date()
        a = acc[f"{day.year:04d}-{day.month:02d}"]
        a[0 if kind == LedgerKind.PAYMENT else 1] += 1
        a[2] += amount
    return [{"month": m, "payments": p, "reversals": r, "net_fen": net}
            for m, (p, r, net) in sorted(acc.items())]


SERIES: dict[str, Callable[[Session, date], list[Row]]] = {
    "gaps": lambda s, today: gaps_over_time(s, today - timedelta(days=56), today),
    "cohorts": lambda s, today: cohorts_in_transit(s),
    "claims": lambda s, today: claims_paid_by_month(s),
    "watch": lambda s, today: watch_list(s),
}


def series(session: Session, name: str, today: date) -> list[Row]:
    """The series called ``name`` (one of :data:`SERIES`)."""
    if name not in SERIES:
        raise ValueError(f"unknown series {name!r}: one of {', '.join(SERIES)}")
    return SERIES[name](session, today)


def write_csv(rows: Sequence[Row], path: Path, columns: Sequence[str] | None = None) -> int:
    """Write rows as UTF-8 CSV with a header (BOM for spreadsheet apps); returns row count."""
    cols = list(columns or (rows[0].keys() if rows else []))
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=cols)
        w.writeheader()
        w.writerows(safe_record(r) for r in rows)
    return len(rows)
