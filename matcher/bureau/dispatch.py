"""The daily dispatch: the day's proposed assignments of people to open gaps.

Supply is every source of :mod:`matcher.bureau.candidates` (seekers, lendable staff, cohort
members arriving before the deadline); demand is each open gap's remaining headcount with
its enterprise's key tier. The batch solver is the lending desk's
:func:`matcher.lending.allocation.allocate` (exact max-score assignment, key enterprises
first under a cap), fed with the engine's scores; people keep a source-unique integer key.
An officer confirms a saved proposal as a whole: the assignments become ``confirmed``
(a partial unique index refuses a person confirmed twice), and notifications for the gap's
enterprise and for each person (a lent employee's enterprise) go to the outbox.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from matcher import audit
from matcher.bureau import outbox
from matcher.bureau.candidates import Supply, all_supply, gap_profile, score_grid
from matcher.bureau.gaps import GapRow, load_gaps
from matcher.db import UnitOfWork
from matcher.enums import DispatchStatus, KeyTier, SupplySource
from matcher.errors import Conflict, NotFound, Refused
from matcher.lending.allocation import DEFAULT_KEY_SHARE, SlotDemand, allocate
from matcher.models import (
    CohortMember,
    DispatchAssignment,
    DispatchProposal,
    JobSeeker,
    SurplusEmployee,
)
from matcher.models.base import utcnow
from matcher.runtime import Runtime
from matcher.words import Msg, msg, word


@dataclass(frozen=True)
class ProposedAssignment:
    """One person proposed for one gap."""

    gap: GapRow
    supply: Supply
    score: float
    phase: str

    def to_dict(self) -> dict[str, object]:
        """A CSV/JSON-ready row."""
        return {"gap_id": self.gap.id, "enterprise": self.gap.enterprise,
                "title": self.gap.title, "source": str(self.supply.source),
                "person_id": self.supply.person_id, "name": self.supply.name or "",
                "score": round(self.score, 4), "phase": self.phase}


@dataclass(frozen=True)
class DispatchPlan:
    """The day's proposal before it is saved."""

    day: date
    assignments: tuple[ProposedAssignment, ...]
    unfilled: dict[int, int]  # gap id -> headcount left open
    gap_count: int
    supply_count: int


def plan_dispatch(rt: Runtime, session: Session, day: date, *,
                  key_share: float = DEFAULT_KEY_SHARE) -> DispatchPlan:
    """Score every (open gap, person) pair and allocate the day's batch."""
    gaps = [g for g in load_gaps(session) if g.remaining > 0 and g.deadline >= day]
    supply = all_supply(session, day)
    scores = score_grid(rt, session, [gap_profile(session, g, day) for g in gaps],
                        [g.deadline for g in gaps], supply, day,
                        keys=[g.vacancy_id for g in gaps]).estimates
    slots = [SlotDemand(f"gap:{g.id:09d}", g.remaining, KeyTier(g.key_tier).rank) for g in gaps]
    result = allocate(slots, [s.key for s in supply], scores, key_share=key_share)
    by_key = {f"gap:{g.id:09d}": g for g in gaps}
    by_person = {s.key: s for s in supply}
    pairs = tuple(ProposedAssignment(by_key[a.demand], by_person[a.employee], a.score, a.phase)
                  for a in result.assignments)
    unfilled = {by_key[k].id: n for k, n in result.unfilled.items()}
    return DispatchPlan(day, pairs, unfilled, len(gaps), len(supply))


def save_plan(uow: UnitOfWork, plan: DispatchPlan, *, actor: str) -> int:
    """Store ``plan`` as a proposal awaiting an officer; returns its id."""
    prop = DispatchProposal(day=plan.day, created_by=actor)
    uow.s.add(prop)
    uow.s.flush()
    for a in plan.assignments:
        uow.s.add(DispatchAssignment(
            proposal_id=prop.id, gap_id=a.gap.id, source=a.supply.source,
            person_id=a.supply.person_id, score=round(a.score, 6), phase=a.phase))
    audit.record(uow.s, actor, "dispatch.propose", "dispatch_proposal", prop.id,
                 {"day": plan.day.isoformat(), "assignments": len(plan.assignments)})
    uow.s.flush()
    return prop.id


#: how a dispatched person's source reads in the (Chinese) notification to the employer
SOURCE_ZH = {"seeker": "求职者", "surplus": "共享员工", "cohort": "返岗人员"}
#: the subject of the employer's notice starts so (the person's notice does not)
EMPLOYER_SUBJECT = "岗位缺口派工"
_PERSON_MODEL: dict[SupplySource, Any] = {
    SupplySource.SEEKER: JobSeeker, SupplySource.SURPLUS: SurplusEmployee,
    SupplySource.COHORT: CohortMember}


def _person_recipient(session: Session, source: SupplySource, person_id: int) -> tuple[str, str]:
    """(recipient, channel) for a dispatched person; lent staff are told via their employer."""
    if source == SupplySource.SEEKER:
        s = session.get(JobSeeker, person_id)
        return (f"seeker:{person_id} {s.phone_masked or ''}".strip() if s else
                f"seeker:{person_id}", "sms")
    if source == SupplySource.SURPLUS:
        e = session.get(SurplusEmployee, person_id)
        return (f"enterprise:{e.enterprise_id}" if e else f"surplus:{person_id}", "mail")
    m = session.get(CohortMember, person_id)
    return (f"cohort-member:{person_id} {m.phone_masked or ''}".strip() if m else
            f"cohort-member:{person_id}", "sms")


def confirm(uow: UnitOfWork, proposal_id: int, *, actor: str) -> int:
    """Confirm a proposal: assignments confirmed, outbox rows written; returns messages."""
    prop = uow.s.get(DispatchProposal, proposal_id)
    if prop is None:
        raise NotFound(msg("No dispatch proposal %(id)s.", id=proposal_id))
    if prop.status != DispatchStatus.PROPOSED:
        raise Refused(msg("Dispatch proposal %(id)s is already %(status)s.", id=proposal_id,
                          status=word(str(prop.status))), code="dispatch_not_proposed")
    rows = list(uow.s.scalars(select(DispatchAssignment).where(
        DispatchAssignment.proposal_id == proposal_id).order_by(DispatchAssignment.id)))
    if not rows:
        raise Refused(msg("The proposal has no assignments, so there is nothing to confirm: "
                          "plan again or discard it."), code="empty_plan")
    gaps = {g.id: g for g in load_gaps(uow.s, sorted({r.gap_id for r in rows}),
                                       open_only=False)}
    now = utcnow()
    prop.status, prop.confirmed_at, prop.confirmed_by = DispatchStatus.CONFIRMED, now, actor
    for r in rows:
        r.status, r.confirmed_at = DispatchStatus.CONFIRMED, now
    try:
        uow.s.flush()
    except IntegrityError as exc:
        raise Conflict(msg("A person in this proposal was already dispatched."),
                       code="already_dispatched") from exc
    sent = 0
    for r in rows:
        g = gaps[r.gap_id]
        who, channel = _person_recipient(uow.s, r.source, r.person_id)
        # the messages go out in the city's language (they are sent, not shown in a page)
        outbox.enqueue(uow.s, f"enterprise:{g.enterprise_id}",
                       f"{EMPLOYER_SUBJECT}（缺口 #{g.id}）",
                       f"{g.enterprise}：{g.title} 已安排{SOURCE_ZH.get(str(r.source), '')}"
                       f" #{r.person_id}（匹配分 {r.score:.3f}），请于 {g.deadline} 前接收。",
                       channel="mail", entity="dispatch_assignment", entity_id=r.id)
        outbox.enqueue(uow.s, who, f"就业派工通知：{g.title}",
                       f"您已被安排到 {g.enterprise}（{g.district or ''}）{g.title}，"
                       f"请于 {g.deadline} 前报到。",
                       channel=channel, entity="dispatch_assignment", entity_id=r.id)
        sent += 2
    audit.record(uow.s, actor, "dispatch.confirm", "dispatch_proposal", proposal_id,
                 {"assignments": len(rows), "messages": sent})
    uow.s.flush()
    return sent


def discard(uow: UnitOfWork, proposal_id: int, *, actor: str) -> None:
    """Discard a proposal that was not confirmed."""
    prop = uow.s.get(DispatchProposal, proposal_id)
    if prop is None:
        raise NotFound(msg("No dispatch proposal %(id)s.", id=proposal_id))
    if prop.status != DispatchStatus.PROPOSED:
        raise Refused(msg("Dispatch proposal %(id)s is already %(status)s.", id=proposal_id,
                          status=word(str(prop.status))), code="dispatch_not_proposed")
    prop.status = DispatchStatus.DISCARDED
    for r in uow.s.scalars(select(DispatchAssignment).where(
            DispatchAssignment.proposal_id == proposal_id)):
        r.status = DispatchStatus.DISCARDED
    audit.record(uow.s, actor, "dispatch.discard", "dispatch_proposal", proposal_id, {})


def notices(session: Session, messages: Sequence[outbox.Message]) -> dict[int, Msg]:
    """What each dispatch notice of ``messages`` says, in words any reader's language has
    (the stored text is the Chinese message as sent); keyed by message id."""
    ids = sorted({int(m.entity_id) for m in messages
                  if m.entity == "dispatch_assignment" and m.entity_id.isdigit()})
    if not ids:
        return {}
    rows = {r.id: r for r in session.scalars(select(DispatchAssignment).where(
        DispatchAssignment.id.in_(ids)))}
    by_gap = {g.id: g for g in load_gaps(session, sorted({r.gap_id for r in rows.values()}),
                                         open_only=False)}
    names: dict[tuple[str, int], str] = {}
    for source, model in _PERSON_MODEL.items():
        pids = sorted({r.person_id for r in rows.values() if r.source == source})
        if pids:
            names.update(((str(source), pid), name or "") for pid, name in session.execute(
                select(model.id, model.name).where(model.id.in_(pids))))
    out: dict[int, Msg] = {}
    for m in messages:
        r = rows.get(int(m.entity_id)) if m.entity_id.isdigit() else None
        g = by_gap.get(r.gap_id) if r is not None else None
        if r is None or g is None:
            continue
        person = names.get((str(r.source), r.person_id)) or f"#{r.person_id}"
        values = {"person": person, "enterprise": g.enterprise, "title": g.title,
                  "deadline": g.deadline.isoformat()}
        if m.subject.startswith(EMPLOYER_SUBJECT):
            out[m.id] = msg("%(person)s (%(source)s) is assigned to %(enterprise)s as "
                            "%(title)s; please receive them by %(deadline)s.",
                            source=word(str(r.source)), **values)
        else:
            out[m.id] = msg("%(person)s is asked to report to %(enterprise)s as %(title)s "
                            "by %(deadline)s.", **values)
    return out
