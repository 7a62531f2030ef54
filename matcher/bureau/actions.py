"""What bureau officers do at their desks: plan, confirm and discard the day's dispatch,
form and advance cohorts, tick health checks, scan for and resolve early warnings, set
enterprises' key tiers.

All are administrators' actions (the CLI runs them as the system principal). Each calls
the engine's public functions with the caller's audit name; the caller commits.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from matcher.accounts import bureau_admin
from matcher.action import action
from matcher.bureau import cohorts, dispatch, warning
from matcher.bureau.cohort_allocation import allocate_cohort
from matcher.bureau.cohorts import CohortView
from matcher.bureau.dispatch import DispatchPlan
from matcher.bureau.queries import ranking_day
from matcher.bureau.warning import RiskScore
from matcher.enums import CohortStatus, Role
from matcher.errors import ValidationFailed
from matcher.principal import Principal
from matcher.runtime import Work
from matcher.words import msg


@dataclass(frozen=True)
class PlannedDispatch:
    """A saved dispatch proposal and the plan it holds."""

    proposal_id: int
    plan: DispatchPlan


@dataclass(frozen=True)
class FormedCohort:
    """A cohort just formed and how many of its members were placed with employers."""

    cohort: CohortView
    placed: int


@dataclass(frozen=True)
class FormedCohorts:
    """The day's cohorts, and the registrations too large for one vehicle."""

    formed: list[FormedCohort]
    refused: list[int]


@dataclass(frozen=True)
class WarningScan:
    """Every enterprise's risk score (highest first) and the watch entries just opened."""

    scores: list[RiskScore]
    added: list[int]


@action(Role.ADMIN)
def plan_dispatch(uow: Work, actor: Principal, day: date) -> PlannedDispatch:
    """Plan the day's dispatch and save it as a proposal awaiting confirmation."""
    plan = dispatch.plan_dispatch(uow.rt, uow.s, ranking_day(uow.rt, day))
    return PlannedDispatch(dispatch.save_plan(uow, plan, actor=actor.actor_name), plan)


@action(Role.ADMIN)
def confirm_dispatch(uow: Work, actor: Principal, proposal_id: int) -> int:
    """Confirm a proposal; returns how many notifications went to the outbox."""
    return dispatch.confirm(uow, proposal_id, actor=actor.actor_name)


@action(Role.ADMIN)
def discard_dispatch(uow: Work, actor: Principal, proposal_id: int) -> None:
    """Discard a proposal that was not confirmed."""
    dispatch.discard(uow, proposal_id, actor=actor.actor_name)


@action(Role.ADMIN)
def form_cohorts(uow: Work, actor: Principal, day: date, capacity: int,
                 allocate: bool = True) -> FormedCohorts:
    """Form the day's cohorts from registrations and (by default) place their members."""
    if allocate:
        ranking_day(uow.rt, day)
    made, refused = cohorts.form_cohorts(uow, day, capacity, actor=actor.actor_name)
    formed = []
    for cid in made:
        placed = allocate_cohort(uow.rt, uow, cid, today=day, actor=actor.actor_name) \
            if allocate else {}
        formed.append(FormedCohort(cohorts.manifest(uow.s, cid), len(placed)))
    return FormedCohorts(formed, refused)


@action(Role.ADMIN)
def set_health_check(uow: Work, actor: Principal, cohort_id: int, member_id: int,
                     checked: bool) -> None:
    """Tick or untick the health check of one member of a cohort."""
    view = cohorts.manifest(uow.s, cohort_id)
    if member_id not in {m.member_id for m in view.manifest}:
        raise ValidationFailed(msg("Member %(member)s is not on cohort %(cohort)s.",
                                   member=member_id, cohort=cohort_id),
                               fields={"member_id": [msg("Not on this cohort.")]})
    cohorts.set_health_check(uow, member_id, checked, actor=actor.actor_name)


@action(Role.ADMIN)
def advance_cohort(uow: Work, actor: Principal, cohort_id: int, to: CohortStatus) -> None:
    """Move a cohort one step: departed, arrived, handed over (needs every health check)."""
    cohorts.advance(uow, cohort_id, to, actor=actor.actor_name)


@action(Role.ADMIN)
def scan_warnings(uow: Work, actor: Principal, day: date) -> WarningScan:
    """Score every enterprise and open watch entries for those over the threshold."""
    scores, added = warning.scan(uow, day, actor=actor.actor_name)
    return WarningScan(scores, added)


@action(Role.ADMIN)
def resolve_warning(uow: Work, actor: Principal, entry_id: int, note: str) -> None:
    """Resolve an open watch entry with the officer's note."""
    warning.resolve(uow, entry_id, note, actor=actor.actor_name)


@action(Role.ADMIN)
def set_key_tier(uow: Work, actor: Principal, enterprise_id: int,
                 tier: str) -> dict[str, object]:
    """Set an enterprise's key tier (ranking and subsidy rules read it)."""
    return bureau_admin.set_key_tier(uow.rt, uow, enterprise_id, tier, actor=actor.actor_name)
