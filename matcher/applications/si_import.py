"""The bureau's monthly social-insurance file: rows resolved to placements, all or nothing.

A row names a placement by ``placement_id``, or by the seeker's and the vacancy's external
ids, and gives ``months``. Every row is checked before anything is written; the error
lists each bad row by its number in the file (the header is row 1).
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from matcher.errors import ValidationFailed
from matcher.models import JobSeeker, Placement, Vacancy
from matcher.words import msg


@dataclass(frozen=True)
class Row:
    """One line of the file, as text."""

    number: int
    placement_id: str = ""
    seeker_external_id: str = ""
    vacancy_external_id: str = ""
    months: str = ""


def read_csv(lines: Iterable[str]) -> list[Row]:
    """Parse CSV text with a header (placement_id or seeker/vacancy external ids, months)."""
    reader = csv.DictReader(lines)
    rows = []
    for number, rec in enumerate(reader, start=2):
        rec = {(k or "").strip(): (v or "").strip() for k, v in rec.items()}
        rows.append(Row(number, rec.get("placement_id", ""),
                        rec.get("seeker_external_id", ""),
                        rec.get("vacancy_external_id", ""), rec.get("months", "")))
    return rows


def _placement(s: Session, row: Row) -> int | None:
    if row.placement_id:
        if not row.placement_id.isdigit():
            return None
        return s.scalar(select(Placement.id).where(Placement.id == int(row.placement_id)))
    return s.scalar(select(Placement.id)
                    .join(JobSeeker, JobSeeker.id == Placement.seeker_id)
                    .join(Vacancy, Vacancy.id == Placement.vacancy_id)
                    .where(JobSeeker.external_id == row.seeker_external_id,
                           Vacancy.external_id == row.vacancy_external_id))


def resolve(s: Session, rows: list[Row]) -> list[tuple[int, int]]:
    """``(placement id, months)`` per row, or ValidationFailed naming every bad row."""
    errors: dict[str, list[str]] = {}
    out: list[tuple[int, int]] = []
    for row in rows:
        problems: list[str] = []
        months = int(row.months) if row.months.isdigit() else None
        if months is None:
            problems.append(msg("Months %(value)s must be a whole number, at least 0.",
                                 value=repr(row.months)))
        if not row.placement_id and not (row.seeker_external_id and row.vacancy_external_id):
            problems.append(msg("Name the placement id, or the seeker's and the vacancy's "
                                 "external ids."))
            placement_id = None
        else:
            placement_id = _placement(s, row)
            if placement_id is None:
                problems.append(msg("No such placement."))
        if problems:
            errors[f"row {row.number}"] = problems
        elif placement_id is not None and months is not None:
            out.append((placement_id, months))
    if not rows:
        errors["file"] = [msg("No rows.")]
    if errors:
        raise ValidationFailed(msg("%(n)s rows are invalid; nothing was recorded.",
                                   n=len(errors)),
                               fields=errors)
    return out
