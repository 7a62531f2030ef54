"""What seekers and enterprises do with applications, and the hire that makes a placement.

Each action checks the role (decorator) and ownership (another's application or vacancy
is 404), changes state, writes the audit row and notifies the other party (inbox and
outbox) in the same transaction; the caller commits.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy.exc import IntegrityError

from matcher import audit
from matcher.accounts import permissions as perm
from matcher.action import action
from matcher.applications import services as svc
from matcher.applications import si_import
from matcher.applications.transitions import ENTERPRISE_MOVES, LABELS, check_move
from matcher.enums import PersonStatus, Role
from matcher.errors import Conflict, NotFound, Refused, ValidationFailed
from matcher.inbox import notify
from matcher.models import Application, JobSeeker, Vacancy
from matcher.models.applications import ApplicationSource, ApplicationStatus
from matcher.principal import Principal
from matcher.runtime import Work
from matcher.subsidy import placements
from matcher.subsidy.claimant_actions import evaluate_eligibility
from matcher.subsidy.views import PlacementView
from matcher.words import msg, word, words


@dataclass(frozen=True)
class StatusChange:
    """The enterprise moves an application on (an interview needs its time and place)."""

    status: str
    note: str = ""
    interview_at: datetime | None = None
    interview_location: str | None = None


@dataclass(frozen=True)
class HireInput:
    """The contract evidence of a hire."""

    hired_on: date | None
    contract_months: int | None
    contract_reference: str = ""


def _seeker_id(actor: Principal, seeker_id: int | None) -> int:
    if not actor.is_system:
        assert actor.seeker_id is not None  # the role check refuses unlinked users
        return actor.seeker_id
    if seeker_id is None:
        raise ValidationFailed(msg("Name the job seeker."),
                               fields={"seeker_id": [msg("Required.")]})
    return seeker_id


@action(Role.SEEKER)
def apply(uow: Work, actor: Principal, vacancy_id: int, message: str = "",
          seeker_id: int | None = None) -> svc.ApplicationView:
    """Apply to an open vacancy with positions left (once per vacancy)."""
    s, me = uow.s, _seeker_id(actor, seeker_id)
    vacancy = s.get(Vacancy, vacancy_id)
    if vacancy is None:
        raise NotFound(msg("No vacancy %(id)s.", id=vacancy_id), code="vacancy_not_found")
    if not vacancy.is_matchable:
        raise Refused(msg("This vacancy is %(status)s: it takes no applications.",
                          status=word(vacancy.status.value)), code="vacancy_not_open")
    seeker = s.get(JobSeeker, me)
    if seeker is None or seeker.status != PersonStatus.ACTIVE:
        raise NotFound(msg("No job seeker %(id)s.", id=me), code="seeker_not_found")
    app = Application(seeker_id=me, vacancy_id=vacancy_id, source=ApplicationSource.SEEKER,
                      status=ApplicationStatus.APPLIED, message=(message or "")[:2000])
    try:
        with s.begin_nested():
            s.add(app)
            s.flush()
    except IntegrityError:
        raise Conflict(msg("You have already applied to this vacancy."),
                       code="duplicate_application") from None
    audit.record(s, actor.actor_name, "application.apply", "application", app.id,
                 {"vacancy_id": vacancy_id, "seeker_id": me})
    svc.tell_enterprise(s, app, "application.applied",
                        msg("New application: %(title)s", title=vacancy.title), message or "")
    return svc.view(s, app)


@action(Role.SEEKER)
def withdraw(uow: Work, actor: Principal, application_id: int) -> svc.ApplicationView:
    """Withdraw an own application before it is hired."""
    s = uow.s
    app = svc.owned(s, actor, application_id, Role.SEEKER)
    check_move(app.status, ApplicationStatus.WITHDRAWN)
    before, app.status = app.status, ApplicationStatus.WITHDRAWN
    s.flush()
    audit.record(s, actor.actor_name, "application.withdraw", "application", app.id,
                 {"from": before.value})
    svc.tell_enterprise(s, app, "application.withdrawn",
                        msg("Application withdrawn: %(title)s",
                            title=svc.view(s, app).vacancy_title))
    return svc.view(s, app)


def _check_change(change: StatusChange) -> ApplicationStatus:
    try:
        target = ApplicationStatus(change.status)
    except ValueError:
        target = None
    if target not in ENTERPRISE_MOVES:
        raise ValidationFailed(msg("Unknown status."), fields={"status": [msg(
            "One of %(values)s.", values=words(sorted(m.value for m in ENTERPRISE_MOVES)))]})
    assert target is not None
    if target == ApplicationStatus.INTERVIEW:
        errors: dict[str, list[str]] = {}
        if change.interview_at is None:
            errors["interview_at"] = [msg("Required for an interview.")]
        if not (change.interview_location or "").strip():
            errors["interview_location"] = [msg("Required: a place or a link.")]
        if errors:
            raise ValidationFailed(msg("An interview needs a time and a place."),
                                   fields=errors)
    return target


@action(Role.ENTERPRISE)
def set_status(uow: Work, actor: Principal, application_id: int,
               change: StatusChange) -> svc.ApplicationView:
    """Shortlist, invite to an interview, offer or reject an application to an own vacancy."""
    s = uow.s
    app = svc.owned(s, actor, application_id, Role.ENTERPRISE)
    target = _check_change(change)
    check_move(app.status, target)
    before, app.status = app.status, target
    if change.note:
        app.note = change.note[:2000]
    if target == ApplicationStatus.INTERVIEW:
        app.interview_at = change.interview_at
        app.interview_location = (change.interview_location or "").strip()[:300]
    s.flush()
    audit.record(s, actor.actor_name, "application.status", "application", app.id,
                 {"from": before.value, "to": target.value})
    body = change.note or ""
    if target == ApplicationStatus.INTERVIEW:
        body = f"{app.interview_at:%Y-%m-%d %H:%M} {app.interview_location} {body}".strip()
    svc.tell_seeker(s, app, f"application.{target.value}",
                    msg("%(status)s: %(title)s", status=LABELS[target],
                        title=svc.view(s, app).vacancy_title), body)
    return svc.view(s, app)


def _check_hire(data: HireInput) -> tuple[date, int]:
    errors: dict[str, list[str]] = {}
    months = data.contract_months
    if isinstance(months, bool) or not isinstance(months, int) or months < 1:
        errors["contract_months"] = [msg("Required: whole months, at least 1.")]
    if not isinstance(data.hired_on, date):
        errors["hired_on"] = [msg("Required: the first day of work.")]
    if len(data.contract_reference or "") > 100:
        errors["contract_reference"] = [msg("At most %(n)s characters.", n=100)]
    if errors:
        raise ValidationFailed(msg("The hire needs its contract evidence."),
                               fields=errors)
    assert isinstance(data.hired_on, date) and isinstance(months, int)
    return data.hired_on, months


@action(Role.ENTERPRISE)
def hire(uow: Work, actor: Principal, application_id: int, data: HireInput) -> PlacementView:
    """Hire an offered applicant: the placement (attributed), one position filled."""
    s = uow.s
    app = svc.owned(s, actor, application_id, Role.ENTERPRISE)
    hired_on, months = _check_hire(data)
    check_move(app.status, ApplicationStatus.HIRED)
    placed = placements.hire(uow.rt, uow, placements.HireRequest(
        seeker_id=app.seeker_id, vacancy_id=app.vacancy_id, hired_on=hired_on,
        contract_start=hired_on, contract_months=months), actor=actor.actor())
    app.status, app.placement_id = ApplicationStatus.HIRED, placed.id
    evaluate_eligibility(uow, actor, placed.id)  # every rule, every party: found, not asked
    app.contract_reference = (data.contract_reference or "").strip() or None
    s.flush()
    audit.record(s, actor.actor_name, "application.hire", "application", app.id,
                 {"placement_id": placed.id, "contract_reference": app.contract_reference})
    title = msg("%(status)s: %(title)s", status=LABELS[ApplicationStatus.HIRED],
                title=svc.view(s, app).vacancy_title)
    notify.notify(s, notify.seeker(app.seeker_id), "application.hired", title,
                  msg("Starts %(day)s, a contract of %(n)s months.", day=hired_on.isoformat(),
                      n=months), entity="application", entity_id=app.id)
    if placed.agency_id is not None:
        notify.notify(s, notify.agency(placed.agency_id), "placement.attributed",
                      msg("Your recommendation was hired: %(what)s", what=title),
                      entity="placement", entity_id=placed.id)
    return placed


@action(Role.ENTERPRISE)
def invite(uow: Work, actor: Principal, vacancy_id: int, seeker_id: int) -> None:
    """Invite a ranked candidate to apply to an own vacancy (a notification to the seeker)."""
    s = uow.s
    perm.own_vacancy(s, actor, vacancy_id)
    vacancy = s.get(Vacancy, vacancy_id)
    seeker = s.get(JobSeeker, seeker_id)
    if seeker is None or not seeker.is_matchable:
        raise NotFound(msg("No job seeker %(id)s.", id=seeker_id), code="seeker_not_found")
    assert vacancy is not None
    if not vacancy.is_matchable:
        raise Refused(msg("This vacancy is %(status)s.", status=word(vacancy.status.value)),
                      code="vacancy_not_open")
    audit.record(s, actor.actor_name, "application.invite", "vacancy", vacancy_id,
                 {"seeker_id": seeker_id})
    notify.notify(s, notify.seeker(seeker_id), "application.invited",
                  msg("Invited to apply: %(title)s", title=vacancy.title), vacancy.enterprise.name,
                  entity="vacancy", entity_id=vacancy_id)


@action(Role.ADMIN)
def record_social_insurance(uow: Work, actor: Principal, placement_id: int,
                            months: int) -> PlacementView:
    """The bureau records the months of social insurance paid for a placement."""
    if isinstance(months, bool) or not isinstance(months, int) or months < 0:
        raise ValidationFailed(msg("Months must be a whole number, at least 0."),
                               fields={"months": [msg("A whole number, at least 0.")]})
    placed = placements.record_social_insurance(uow, placement_id, months, actor=actor.actor())
    evaluate_eligibility(uow, actor, placement_id)
    body = f"{months}"
    notify.notify(uow.s, notify.enterprise(placed.enterprise_id), "placement.social_insurance",
                  msg("Social-insurance months recorded: %(n)s", n=months), body,
                  entity="placement", entity_id=placement_id)
    if placed.agency_id is not None:
        notify.notify(uow.s, notify.agency(placed.agency_id), "placement.social_insurance",
                      msg("Social-insurance months recorded: %(n)s", n=months), body,
                      entity="placement", entity_id=placement_id)
    return placed


@action(Role.ADMIN)
def import_social_insurance(uow: Work, actor: Principal,
                            rows: list[si_import.Row]) -> list[PlacementView]:
    """Record the monthly social-insurance file: every row, or none (errors name the row)."""
    resolved = si_import.resolve(uow.s, rows)
    return [record_social_insurance(uow, actor, pid, months) for pid, months in resolved]
