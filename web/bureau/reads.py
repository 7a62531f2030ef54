"""Read-only listings for the desk pages that :mod:`matcher.bureau` has no function for.

Plain dicts out, no writes. Candidates to move into :mod:`matcher.bureau` later.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from matcher.bureau.gaps import load_gaps
from matcher.enums import SupplySource
from matcher.models import (
    Cohort,
    CohortMember,
    DispatchAssignment,
    DispatchProposal,
    JobSeeker,
    SurplusEmployee,
)

_NAME_MODEL: dict[SupplySource, Any] = {SupplySource.SEEKER: JobSeeker,
                                        SupplySource.SURPLUS: SurplusEmployee,
                                        SupplySource.COHORT: CohortMember}


def _names(session: Session, rows: list[DispatchAssignment]) -> dict[tuple[str, int], str]:
    out: dict[tuple[str, int], str] = {}
    for source, model in _NAME_MODEL.items():
        ids = sorted({r.person_id for r in rows if r.source == source})
        if ids:
            for pid, name in session.execute(select(model.id, model.name).where(
                    model.id.in_(ids))):
                out[(str(source), pid)] = name or ""
    return out


def proposals(session: Session, day: date) -> list[dict[str, Any]]:
    """The day's dispatch proposals (newest first), each with its assignments."""
    props = list(session.scalars(select(DispatchProposal).where(
        DispatchProposal.day == day).order_by(DispatchProposal.id.desc())))
    if not props:
        return []
    rows = list(session.scalars(select(DispatchAssignment).where(
        DispatchAssignment.proposal_id.in_([p.id for p in props])).order_by(
        DispatchAssignment.gap_id, DispatchAssignment.id)))
    gaps = {gp.id: gp for gp in load_gaps(session, sorted({r.gap_id for r in rows}),
                                         open_only=False)}
    names = _names(session, rows)
    out = []
    for p in props:
        mine = [r for r in rows if r.proposal_id == p.id]
        out.append({
            "id": p.id, "day": p.day, "status": str(p.status), "created_by": p.created_by,
            "created_at": p.created_at, "confirmed_at": p.confirmed_at,
            "confirmed_by": p.confirmed_by or "",
            "assignments": [{
                "gap_id": r.gap_id, "enterprise": gaps[r.gap_id].enterprise,
                "title": gaps[r.gap_id].title, "source": str(r.source),
                "person_id": r.person_id, "name": names.get((str(r.source), r.person_id), ""),
                "score": round(r.score, 4), "phase": r.phase, "status": str(r.status)}
                for r in mine]})
    return out


def cohorts(session: Session) -> list[dict[str, Any]]:
    """Every cohort, latest travel date first."""
    stmt = select(Cohort).order_by(Cohort.travel_date.desc(), Cohort.id)
    return [{"id": c.id, "origin": f"{c.origin_province}{c.origin_city}",
             "destination": c.destination_district, "travel_date": c.travel_date,
             "arrival_date": c.arrival_date, "size": c.size, "capacity": c.capacity,
             "status": str(c.status)} for c in session.scalars(stmt)]
