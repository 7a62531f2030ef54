"""Reports: per agency (placements, claims by state, paid and outstanding) and per rule
(payments and reversals per month), with CSV export. Money in fen, plus yuan in CSV."""

from __future__ import annotations

import csv
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import asdict, dataclass, fields
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from matcher.csv_safe import safe_row
from matcher.enums import ClaimantKind, ClaimStatus, LedgerKind
from matcher.models import HRAgency
from matcher.models.subsidy import LedgerEntry, Placement, SubsidyClaim
from matcher.subsidy.clock import local_date

CENT = Decimal("0.01")

CLAIM_STATES = ("draft", "submitted", "approved", "rejected", "paid", "reversed")


@dataclass(frozen=True)
class AgencyReportRow:
    """One agency: placements attributed, its claims by state, money paid and owed."""

    agency_id: int
    agency: str
    placements: int
    claims_draft: int
    claims_submitted: int
    claims_approved: int
    claims_rejected: int
    claims_paid: int
    claims_reversed: int
    paid_fen: int  # net ledger: payments minus reversals
    outstanding_fen: int  # approved, not yet paid
    pending_fen: int  # submitted, not yet decided


@dataclass(frozen=True)
class RuleMonthRow:
    """One rule in one month (by ledger booking date)."""

    rule_code: str
    month: str
    payments: int
    paid_fen: int
    reversals: int
    reversed_fen: int
    net_fen: int


def agency_report(session: Session, year: int | None = None) -> list[AgencyReportRow]:
    """One row per agency; ``year`` limits hires, claim dates and bookings to that year."""
    start, end = (date(year, 1, 1), date(year, 12, 31)) if year else (None, None)
    placed = select(Placement.agency_id, func.count()).where(Placement.agency_id.is_not(None))
    if start:
        placed = placed.where(Placement.hired_on.between(start, end))
    placements = dict(session.execute(placed.group_by(Placement.agency_id)).all())

    claims_q = select(SubsidyClaim.agency_id, SubsidyClaim.status,
                      SubsidyClaim.reversed_at.is_not(None), func.count(),
                      func.coalesce(func.sum(SubsidyClaim.amount_fen), 0)).where(
        SubsidyClaim.claimant_kind == ClaimantKind.AGENCY)
    if start:
        claims_q = claims_q.where(SubsidyClaim.claimed_on.between(start, end))
    counts: dict[int, dict[str, int]] = defaultdict(lambda: dict.fromkeys(CLAIM_STATES, 0))
    owed: dict[int, dict[str, int]] = defaultdict(lambda: {"approved": 0, "submitted": 0})
    for agency_id, status, reversed_, n, amount in session.execute(claims_q.group_by(
            SubsidyClaim.agency_id, SubsidyClaim.status, SubsidyClaim.reversed_at.is_not(None))):
        if agency_id is None:
            continue
        state = "reversed" if reversed_ else ClaimStatus(status).value
        counts[agency_id][state] += int(n)
        if state in ("approved", "submitted"):
            owed[agency_id][state] += int(amount)

    paid_q = select(LedgerEntry.agency_id, func.coalesce(func.sum(LedgerEntry.amount_fen), 0))
    if start:
        paid_q = paid_q.where(LedgerEntry.booked_on.between(start, end))
    paid = dict(session.execute(paid_q.group_by(LedgerEntry.agency_id)).all())

    rows = []
    agencies = session.execute(select(HRAgency.id, HRAgency.name).order_by(HRAgency.id))
    for agency_id, name in agencies:
        c = counts[agency_id]
        rows.append(AgencyReportRow(
            agency_id=agency_id, agency=name, placements=int(placements.get(agency_id, 0)),
            claims_draft=c["draft"], claims_submitted=c["submitted"],
            claims_approved=c["approved"], claims_rejected=c["rejected"],
            claims_paid=c["paid"], claims_reversed=c["reversed"],
            paid_fen=int(paid.get(agency_id, 0)), outstanding_fen=owed[agency_id]["approved"],
            pending_fen=owed[agency_id]["submitted"],
        ))
    return rows


def rule_report(session: Session, year: int | None = None) -> list[RuleMonthRow]:
    """Payments and reversals per rule and booking month, sorted by rule then month."""
    stmt = select(SubsidyClaim.rule_code, LedgerEntry.kind, LedgerEntry.amount_fen,
                  LedgerEntry.booked_on, LedgerEntry.created_at).join(
        SubsidyClaim, SubsidyClaim.id == LedgerEntry.claim_id)
    totals: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    for code, kind, amount, booked_on, created_at in session.execute(stmt).yield_per(1000):
        day = booked_on or local_date(created_at)
        if year and day.year != year:
            continue
        t = totals[(code, f"{day:%Y-%m}")]
        if LedgerKind(kind) == LedgerKind.PAYMENT:
            t[0] += 1
            t[1] += int(amount)
        else:
            t[2] += 1
            t[3] += int(amount)
    return [RuleMonthRow(code, month, t[0], t[1], t[2], t[3], t[1] + t[3])
            for (code, month), t in sorted(totals.items())]


def write_csv(rows: Sequence[Any], path: Path | str, row_type: type) -> int:
    """Write dataclass ``rows`` to ``path`` (UTF-8 with BOM for spreadsheet programs).

    Each ``*_fen`` column is followed by a ``*_yuan`` column with two decimals. Returns the
    number of data rows written.
    """
    names = [f.name for f in fields(row_type)]
    header: list[str] = []
    for name in names:
        header.append(name)
        if name.endswith("_fen"):
            header.append(name.removesuffix("_fen") + "_yuan")
    with Path(path).open("w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        for row in rows:
            values = asdict(row)
            out: list[Any] = []
            for name in names:
                out.append(values[name])
                if name.endswith("_fen"):
                    out.append((Decimal(values[name]) / 100).quantize(CENT))  # a number
            writer.writerow(safe_row(out))
    return len(rows)
