"""What bureau officers read at their desks: the shortage desk, one gap, the dispatch board,
cohorts and their manifests, the watch list, the dashboard series and enterprises' key
tiers.

All are administrators' queries (the system may read them too). Candidates come from the
engine (:mod:`matcher.bureau.candidates`), ranked from the stored vectors.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from matcher.action import query
from matcher.bureau import cohorts, dispatch, gaps, outbox, series, warning
from matcher.bureau.candidates import GapCandidate, candidates_for_gap, candidates_for_gaps
from matcher.bureau.cohorts import CohortView
from matcher.bureau.gaps import GapRow
from matcher.bureau.outbox import Message
from matcher.enums import CohortStatus, Role, SupplySource
from matcher.errors import NotFound, ValidationFailed
from matcher.matching.weights import WeightsError
from matcher.models import (
    Cohort,
    CohortMember,
    DispatchAssignment,
    DispatchProposal,
    Enterprise,
    JobSeeker,
    SurplusEmployee,
)
from matcher.principal import Principal
from matcher.recommend.service import weights_on
from matcher.runtime import Runtime, Work
from matcher.vacancies.queries import Page, paginate, slice_page
from matcher.words import Msg, msg

Candidates = dict[str, list[GapCandidate]]
OUTBOX_SHOWN = 200
_NAME_MODEL: dict[SupplySource, Any] = {SupplySource.SEEKER: JobSeeker,
                                        SupplySource.SURPLUS: SurplusEmployee,
                                        SupplySource.COHORT: CohortMember}


@dataclass(frozen=True)
class ShortageDesk:
    """One page of open gaps in the desk's order, each with its best candidates per source."""

    rows: list[GapRow]
    candidates: dict[int, Candidates]
    page: int
    pages: int
    total: int
    needed: int
    recruited: int
    fill: float


@dataclass(frozen=True)
class GapDetail:
    """One gap with its candidates per source."""

    gap: GapRow
    candidates: Candidates


@dataclass(frozen=True)
class DispatchBoard:
    """The day's proposals with their assignments, and the newest outbox messages."""

    proposals: list[dict[str, Any]]
    outbox: list[Message]
    outbox_total: int
    recipients: dict[str, str] = field(default_factory=dict)
    notices: dict[int, Msg] = field(default_factory=dict)


@dataclass(frozen=True)
class ManifestPage:
    """A cohort's manifest, the status it may move to next and the health checks left."""

    cohort: CohortView
    next_status: str | None
    unchecked: int


@dataclass(frozen=True)
class WatchEntryDetail:
    """One watch-list entry with lending and re-employment suggestions."""

    entry: dict[str, Any]
    suggestions: dict[str, list[dict[str, Any]]]


def ranking_day(rt: Runtime, day: date) -> date:
    """``day`` if ranking weights are in force on it; else a 422 on the ``date`` field."""
    try:
        weights_on(rt, day)
    except WeightsError as exc:
        raise ValidationFailed(msg("No ranking weights are in force on %(day)s.", day=str(day)),
                               fields={"date": [msg("No ranking weights are in force on "
                                                    "%(day)s.", day=str(day))]}) from exc
    return day


@query(Role.ADMIN)
def shortage_desk(uow: Work, actor: Principal, day: date, page: int, per_page: int,
                  k: int) -> ShortageDesk:
    """Open gaps ranked by tier, urgency and deadline; candidates for the page's gaps."""
    rows = gaps.load_gaps(uow.s)
    ranking_day(uow.rt, day)
    pages = max((len(rows) + per_page - 1) // per_page, 1)
    page = min(max(page, 1), pages)  # past the last page: the last page
    shown = rows[(page - 1) * per_page:page * per_page]
    cands = (candidates_for_gaps(uow.rt, uow.s, [r.id for r in shown], today=day, k=k)
             if k > 0 else {})
    needed = sum(r.needed for r in rows)
    recruited = sum(min(r.recruited, r.needed) for r in rows)
    return ShortageDesk(shown, cands, page, pages, len(rows), needed, recruited,
                        gaps.fill_rate(recruited, needed))


@query(Role.ADMIN)
def ranked_gaps(uow: Work, actor: Principal, day: date, k: int = 0) -> list[GapDetail]:
    """Every open gap in the desk's order, with the best ``k`` candidates per source."""
    rows = gaps.load_gaps(uow.s)
    ranking_day(uow.rt, day)
    found = (candidates_for_gaps(uow.rt, uow.s, [r.id for r in rows], today=day, k=k)
             if k > 0 else {})
    return [GapDetail(r, found.get(r.id, {})) for r in rows]


@query(Role.ADMIN)
def gap_detail(uow: Work, actor: Principal, gap_id: int, day: date, k: int = 10) -> GapDetail:
    """One gap with up to ``k`` candidates from each source."""
    row = gaps.get_gap(uow.s, gap_id)
    ranking_day(uow.rt, day)
    return GapDetail(row, candidates_for_gap(uow.rt, uow.s, gap_id, today=day, k=k))


def _names(session: Session, rows: list[DispatchAssignment]) -> dict[tuple[str, int], str]:
    out: dict[tuple[str, int], str] = {}
    for source, model in _NAME_MODEL.items():
        ids = sorted({r.person_id for r in rows if r.source == source})
        if ids:
            for pid, name in session.execute(select(model.id, model.name).where(
                    model.id.in_(ids))):
                out[(str(source), pid)] = name or ""
    return out


def _proposals(session: Session, day: date) -> list[dict[str, Any]]:
    props = list(session.scalars(select(DispatchProposal).where(
        DispatchProposal.day == day).order_by(DispatchProposal.id.desc())))
    if not props:
        return []
    rows = list(session.scalars(select(DispatchAssignment).where(
        DispatchAssignment.proposal_id.in_([p.id for p in props])).order_by(
        DispatchAssignment.gap_id, DispatchAssignment.id)))
    by_gap = {gp.id: gp for gp in gaps.load_gaps(session, sorted({r.gap_id for r in rows}),
                                                open_only=False)}
    names = _names(session, rows)
    return [{
        "id": p.id, "day": p.day, "status": str(p.status), "created_by": p.created_by,
        "created_at": p.created_at, "confirmed_at": p.confirmed_at,
        "confirmed_by": p.confirmed_by or "",
        "assignments": [{
            "gap_id": r.gap_id, "enterprise": by_gap[r.gap_id].enterprise,
            "title": by_gap[r.gap_id].title, "source": str(r.source),
            "person_id": r.person_id, "name": names.get((str(r.source), r.person_id), ""),
            "score": round(r.score, 4), "phase": r.phase, "status": str(r.status)}
            for r in rows if r.proposal_id == p.id]} for p in props]


@query(Role.ADMIN)
def dispatch_board(uow: Work, actor: Principal, day: date) -> DispatchBoard:
    """The day's dispatch proposals (newest first) and the dispatch outbox (newest first)."""
    box = outbox.messages(uow.s, entity="dispatch_assignment")
    box.reverse()
    shown = box[:OUTBOX_SHOWN]
    return DispatchBoard(_proposals(uow.s, day), shown, len(box),
                         _recipient_names(uow.s, [m.recipient for m in shown]),
                         dispatch.notices(uow.s, shown))


_RECIPIENT_MODEL: dict[str, Any] = {"enterprise": Enterprise, "seeker": JobSeeker,
                                    "surplus": SurplusEmployee, "cohort-member": CohortMember}


def _recipient_names(session: Session, recipients: list[str]) -> dict[str, str]:
    """Outbox recipients (``enterprise:3``, ``seeker:7 138****0000``) by name."""
    wanted: dict[str, set[int]] = {}
    for r in recipients:
        kind, _, rest = r.partition(":")
        num = rest.split(" ", 1)[0]
        if kind in _RECIPIENT_MODEL and num.isdigit():
            wanted.setdefault(kind, set()).add(int(num))
    names: dict[tuple[str, int], str] = {}
    for kind, ids in wanted.items():
        model = _RECIPIENT_MODEL[kind]
        for pid, name in session.execute(select(model.id, model.name).where(
                model.id.in_(sorted(ids)))):
            names[(kind, pid)] = name or ""
    out: dict[str, str] = {}
    for r in recipients:
        kind, _, rest = r.partition(":")
        num, _, tail = rest.partition(" ")
        name = names.get((kind, int(num))) if num.isdigit() else None
        if name:
            out[r] = f"{name} {tail}".strip()
    return out


def _cohort_row(c: Cohort) -> dict[str, Any]:
    return {"id": c.id, "origin": f"{c.origin_province}{c.origin_city}",
            "destination": c.destination_district, "travel_date": c.travel_date,
            "arrival_date": c.arrival_date, "size": c.size, "capacity": c.capacity,
            "status": str(c.status)}


_COHORTS = select(Cohort).order_by(Cohort.travel_date.desc(), Cohort.id)


@query(Role.ADMIN)
def cohort_list(uow: Work, actor: Principal) -> list[dict[str, Any]]:
    """Every cohort, latest travel date first, with its status and fill."""
    return [_cohort_row(c) for c in uow.s.scalars(_COHORTS)]


@query(Role.ADMIN)
def cohort_page(uow: Work, actor: Principal, page: int, per_page: int) -> Page:
    """One page of cohorts, latest travel date first."""
    return paginate(uow.s, _COHORTS, page, per_page, _cohort_row)


@query(Role.ADMIN)
def cohort_manifest(uow: Work, actor: Principal, cohort_id: int) -> ManifestPage:
    """A cohort's manifest (ID numbers masked) with its next status."""
    view = cohorts.manifest(uow.s, cohort_id)
    nxt = cohorts.NEXT.get(CohortStatus(view.status))
    return ManifestPage(view, str(nxt) if nxt else None,
                        sum(1 for m in view.manifest if not m.health_checked))


@query(Role.ADMIN)
def watch_list(uow: Work, actor: Principal, open_only: bool = True) -> list[dict[str, Any]]:
    """Watch-list entries, highest score first, each with its reasons."""
    return warning.watch_list(uow.s, open_only=open_only)


@query(Role.ADMIN)
def watch_page(uow: Work, actor: Principal, open_only: bool, page: int, per_page: int) -> Page:
    """One page of the watch list, highest score first."""
    return slice_page(warning.watch_list(uow.s, open_only=open_only), page, per_page)


@query(Role.ADMIN)
def watch_entry(uow: Work, actor: Principal, entry_id: int, day: date) -> WatchEntryDetail:
    """One watch-list entry with suggestions for its enterprise's idle staff."""
    rows = [r for r in warning.watch_list(uow.s, open_only=False) if r["entry_id"] == entry_id]
    if not rows:
        raise NotFound(msg("No watch entry %(id)s.", id=entry_id))
    found = warning.suggestions(uow.rt, uow.s, int(rows[0]["enterprise_id"]),
                                today=ranking_day(uow.rt, day))
    return WatchEntryDetail(rows[0], found)


@query(Role.ADMIN)
def series_rows(uow: Work, actor: Principal, name: str, day: date) -> list[dict[str, Any]]:
    """One dashboard series as rows (``gaps``, ``cohorts``, ``claims``, ``watch``)."""
    if name not in series.SERIES:
        raise ValidationFailed(msg("Unknown series %(name)s.", name=name), fields={"name": [
            msg("One of %(values)s.", values=", ".join(sorted(series.SERIES)))]})
    return series.series(uow.s, name, day)


def _tier_row(e: Enterprise) -> dict[str, Any]:
    return {"id": e.id, "name": e.name, "district": e.district, "key_tier": str(e.key_tier),
            "key_tier_set_on": e.key_tier_set_on, "size_class": str(e.size_class),
            "is_leading_industrial": e.is_leading_industrial}


@query(Role.ADMIN)
def enterprise_tiers(uow: Work, actor: Principal, words: str, page: int,
                     per_page: int) -> Page:
    """Enterprises with their key tier, optionally those whose name contains ``words``."""
    stmt = select(Enterprise).order_by(Enterprise.id)
    if words:
        stmt = stmt.where(Enterprise.name.contains(words, autoescape=True))
    return paginate(uow.s, stmt, page, per_page, _tier_row)
