"""The shortage desk: key enterprises report labor gaps; the desk ranks the open ones.

Ranking (documented order): enterprise key tier descending (priority, key, inclusive,
none), then urgency descending (critical, urgent, normal), then deadline ascending, then
gap id. The fill rate is ``recruited / needed`` capped at 1, where ``recruited`` counts the
gap's confirmed dispatch assignments plus cohort members handed over to the gap's linked
vacancy on or after the day the gap was reported.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from matcher import audit
from matcher.db import UnitOfWork
from matcher.enums import DispatchStatus, GapStatus, KeyTier, Urgency
from matcher.errors import NotFound, ValidationFailed
from matcher.models import (
    CohortMember,
    DispatchAssignment,
    Enterprise,
    LaborGap,
    Vacancy,
)
from matcher.words import msg, words


@dataclass(frozen=True)
class GapInput:
    """What a key enterprise reports."""

    title: str
    headcount: int
    deadline: date
    skills: tuple[str, ...] = ()
    urgency: str = "normal"
    site: str | None = None
    district: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    vacancy_id: int | None = None
    accepts_borrowed: bool = True


@dataclass(frozen=True)
class GapRow:
    """An open gap as the desk lists it."""

    id: int
    enterprise_id: int
    enterprise: str
    key_tier: str
    industry: str | None
    title: str
    skills: tuple[str, ...]
    needed: int
    recruited: int
    deadline: date
    urgency: str
    district: str | None
    vacancy_id: int | None
    reported_on: date
    status: str
    rank: int = 0
    extra: dict[str, object] = field(default_factory=dict)

    @property
    def remaining(self) -> int:
        """Headcount still to recruit."""
        return max(self.needed - self.recruited, 0)

    @property
    def fill_rate(self) -> float:
        """recruited / needed, capped at 1."""
        return fill_rate(self.recruited, self.needed)


def fill_rate(recruited: int, needed: int) -> float:
    """``min(recruited, needed) / needed`` rounded to 4 places (0 when nothing is needed)."""
    return round(min(recruited, needed) / needed, 4) if needed > 0 else 0.0


def rank_key(tier: str, urgency: str, deadline: date, gap_id: int) -> tuple[int, int, date, int]:
    """Sort key of the desk's order: tier desc, urgency desc, deadline asc, id asc."""
    return (-KeyTier(tier).rank, -Urgency(urgency).rank, deadline, gap_id)


def report_gap(uow: UnitOfWork, enterprise_id: int, data: GapInput, *, actor: str,
               today: date) -> int:
    """Record a labor gap of ``enterprise_id``; returns its id (the caller commits)."""
    fields: dict[str, list[str]] = {}
    if not data.title.strip():
        fields["title"] = [msg("Required.")]
    if data.headcount < 1:
        fields["headcount"] = [msg("At least 1.")]
    if data.deadline < today:
        fields["deadline"] = [msg("Must not be in the past.")]
    if data.urgency not in {u.value for u in Urgency}:
        fields["urgency"] = [msg("One of %(values)s.",
                                 values=words([u.value for u in Urgency]))]
    ent = uow.s.get(Enterprise, enterprise_id)
    if ent is None:
        raise NotFound(msg("No enterprise %(id)s.", id=enterprise_id))
    if data.vacancy_id is not None:
        v = uow.s.get(Vacancy, data.vacancy_id)
        if v is None or v.enterprise_id != enterprise_id:
            fields["vacancy_id"] = [msg("Not a vacancy of this enterprise.")]
    if fields:
        raise ValidationFailed(msg("The labor gap is invalid."), fields=fields)
    gap = LaborGap(
        enterprise_id=enterprise_id, vacancy_id=data.vacancy_id, title=data.title.strip(),
        skills=list(data.skills), headcount=data.headcount, deadline=data.deadline,
        urgency=Urgency(data.urgency), site=data.site, district=data.district or ent.district,
        latitude=data.latitude if data.latitude is not None else ent.latitude,
        longitude=data.longitude if data.longitude is not None else ent.longitude,
        accepts_borrowed=data.accepts_borrowed, reported_on=today,
    )
    uow.s.add(gap)
    uow.s.flush()
    audit.record(uow.s, actor, "gap.report", "labor_gap", gap.id,
                 {"enterprise_id": enterprise_id, "headcount": data.headcount,
                  "deadline": data.deadline.isoformat()})
    return gap.id


def close_gap(uow: UnitOfWork, gap_id: int, *, actor: str, today: date,
              filled: bool = False) -> None:
    """Close a gap (filled or withdrawn)."""
    gap = uow.s.get(LaborGap, gap_id)
    if gap is None:
        raise NotFound(msg("No labor gap %(id)s.", id=gap_id))
    gap.status = GapStatus.FILLED if filled else GapStatus.CLOSED
    gap.closed_on = today
    audit.record(uow.s, actor, "gap.close", "labor_gap", gap_id, {"status": str(gap.status)})


def recruited_counts(session: Session, gap_ids: list[int]) -> Counter[int]:
    """Recruited people per gap (see module docstring)."""
    out: Counter[int] = Counter()
    if not gap_ids:
        return out
    confirmed = select(DispatchAssignment.gap_id, func.count()).where(
        DispatchAssignment.gap_id.in_(gap_ids),
        DispatchAssignment.status == DispatchStatus.CONFIRMED,
    ).group_by(DispatchAssignment.gap_id)
    for gid, n in session.execute(confirmed):
        out[gid] += n
    handed = select(LaborGap.id, func.count()).join(
        CohortMember, CohortMember.vacancy_id == LaborGap.vacancy_id
    ).where(LaborGap.id.in_(gap_ids), CohortMember.handed_over_at.is_not(None),
            func.date(CohortMember.handed_over_at) >= LaborGap.reported_on
            ).group_by(LaborGap.id)
    for gid, n in session.execute(handed):
        out[gid] += n
    return out


def _row(g: LaborGap, e: Enterprise, recruited: int) -> GapRow:
    return GapRow(
        id=g.id, enterprise_id=e.id, enterprise=e.name, key_tier=str(e.key_tier),
        industry=e.industry, title=g.title, skills=tuple(g.skills or ()), needed=g.headcount,
        recruited=recruited, deadline=g.deadline, urgency=str(g.urgency), district=g.district,
        vacancy_id=g.vacancy_id, reported_on=g.reported_on, status=str(g.status),
    )


def load_gaps(session: Session, ids: list[int] | None = None, *,
              open_only: bool = True) -> list[GapRow]:
    """Gaps with their recruited counts, in the desk's ranking order (``rank`` from 1)."""
    stmt = select(LaborGap, Enterprise).join(Enterprise, Enterprise.id == LaborGap.enterprise_id)
    if open_only:
        stmt = stmt.where(LaborGap.status == GapStatus.OPEN)
    if ids is not None:
        stmt = stmt.where(LaborGap.id.in_(ids))
    pairs = list(session.execute(stmt))
    counts = recruited_counts(session, [g.id for g, _ in pairs])
    rows = [_row(g, e, counts[g.id]) for g, e in pairs]
    rows.sort(key=lambda r: rank_key(r.key_tier, r.urgency, r.deadline, r.id))
    return [GapRow(**{**r.__dict__, "rank": i}) for i, r in enumerate(rows, start=1)]


def get_gap(session: Session, gap_id: int) -> GapRow:
    """One gap (open or not) or NotFound."""
    found = load_gaps(session, [gap_id], open_only=False)
    if not found:
        raise NotFound(msg("No labor gap %(id)s.", id=gap_id))
    return found[0]


def gap_dict(r: GapRow) -> dict[str, object]:
    """A CSV/JSON-ready row of the desk's list."""
    return {"rank": r.rank, "gap_id": r.id, "enterprise": r.enterprise, "key_tier": r.key_tier,
            "urgency": r.urgency, "deadline": r.deadline.isoformat(), "title": r.title,
            "district": r.district or "", "needed": r.needed, "recruited": r.recruited,
            "fill_rate": r.fill_rate}
