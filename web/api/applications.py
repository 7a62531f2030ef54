"""Applications, hires, social-insurance months and the inbox (one blueprint per role).

Each handler parses, calls one action or query of :mod:`matcher.applications` (which checks
the role and ownership) and renders its view.
"""

from __future__ import annotations

from typing import Any

from flask_smorest import Blueprint

from matcher.action import ALL_ROLES
from matcher.applications import actions, queries
from matcher.applications.actions import HireInput, StatusChange
from matcher.enums import Role
from matcher.inbox import actions as inbox_actions
from matcher.inbox import queries as inbox
from matcher.vacancies import actions as vacancy_actions
from web.api.common import envelope
from web.api.schemas import OkOut, PageArgs, paged
from web.api.schemas_agency import PlacementOut
from web.api.schemas_applications import (
    ApplicantOut,
    ApplicationOut,
    ApplyIn,
    HireIn,
    InviteIn,
    NotificationOut,
    ReadOut,
    SocialInsuranceIn,
    StatusIn,
)
from web.schemas import VacancyOut
from web.security import perform, read, roles

seeker_blp = Blueprint("seeker_applications", __name__, url_prefix="/api/v1/me",
                       description="Job seekers' applications")
enterprise_blp = Blueprint("enterprise_applications", __name__,
                           url_prefix="/api/v1/enterprise",
                           description="Applicants, hires and reopening (own vacancies only)")
admin_blp = Blueprint("admin_placements", __name__, url_prefix="/api/v1/admin",
                      description="Bureau administrators: social-insurance months")
inbox_blp = Blueprint("notifications", __name__, url_prefix="/api/v1/notifications",
                      description="Every role's in-app inbox")
BLUEPRINTS = (seeker_blp, enterprise_blp, admin_blp, inbox_blp)


@seeker_blp.route("/applications", methods=["POST"])
@roles(Role.SEEKER)
@seeker_blp.arguments(ApplyIn)
@seeker_blp.response(201, ApplicationOut)
def apply(data: dict[str, Any]) -> Any:
    """Apply to an open vacancy (once per vacancy: again is 409 duplicate_application)."""
    return perform(actions.apply, data["vacancy_id"], data["message"])


@seeker_blp.route("/applications", methods=["GET"])
@roles(Role.SEEKER)
@seeker_blp.arguments(PageArgs, location="query")
@seeker_blp.response(200, paged(ApplicationOut, "ApplicationPage"))
def my_applications(args: dict[str, Any]) -> dict[str, Any]:
    """The caller's applications, most recently changed first."""
    return envelope(read(queries.my_applications, args["page"], args["per_page"]))


@seeker_blp.route("/applications/<int:application_id>/withdraw", methods=["POST"])
@roles(Role.SEEKER)
@seeker_blp.response(200, ApplicationOut)
def withdraw(application_id: int) -> Any:
    """Withdraw an own application before it is hired."""
    return perform(actions.withdraw, application_id)


@enterprise_blp.route("/vacancies/<int:vacancy_id>/applications", methods=["GET"])
@roles(Role.ENTERPRISE)
@enterprise_blp.arguments(PageArgs, location="query")
@enterprise_blp.response(200, paged(ApplicantOut, "ApplicantPage"))
def vacancy_applications(args: dict[str, Any], vacancy_id: int) -> dict[str, Any]:
    """Applicants of an own vacancy: masked, with source, status, score and explanation."""
    view = read(queries.vacancy_applications, vacancy_id, args["page"], args["per_page"])
    return envelope(view.page)


@enterprise_blp.route("/applications/<int:application_id>/status", methods=["POST"])
@roles(Role.ENTERPRISE)
@enterprise_blp.arguments(StatusIn)
@enterprise_blp.response(200, ApplicationOut)
def set_status(data: dict[str, Any], application_id: int) -> Any:
    """Shortlist, schedule an interview, offer or reject (illegal moves: 409)."""
    return perform(actions.set_status, application_id, StatusChange(**data))


@enterprise_blp.route("/applications/<int:application_id>/hire", methods=["POST"])
@roles(Role.ENTERPRISE)
@enterprise_blp.arguments(HireIn)
@enterprise_blp.response(201, PlacementOut)
def hire(data: dict[str, Any], application_id: int) -> Any:
    """Hire an offered applicant: the placement, one position filled."""
    return perform(actions.hire, application_id, HireInput(**data))


@enterprise_blp.route("/vacancies/<int:vacancy_id>/reopen", methods=["POST"])
@roles(Role.ENTERPRISE)
@enterprise_blp.response(200, VacancyOut)
def reopen(vacancy_id: int) -> Any:
    """Reopen an own closed or filled vacancy."""
    return perform(vacancy_actions.reopen_vacancy, vacancy_id)


@enterprise_blp.route("/vacancies/<int:vacancy_id>/invite", methods=["POST"])
@roles(Role.ENTERPRISE)
@enterprise_blp.arguments(InviteIn)
@enterprise_blp.response(200, OkOut)
def invite(data: dict[str, Any], vacancy_id: int) -> dict[str, bool]:
    """Invite a ranked candidate to apply to an own vacancy."""
    perform(actions.invite, vacancy_id, data["seeker_id"])
    return {"ok": True}


@admin_blp.route("/placements/<int:placement_id>/social-insurance", methods=["POST"])
@roles(Role.ADMIN)
@admin_blp.arguments(SocialInsuranceIn)
@admin_blp.response(200, PlacementOut)
def social_insurance(data: dict[str, Any], placement_id: int) -> Any:
    """Record the months of social insurance paid for a placement."""
    return perform(actions.record_social_insurance, placement_id, data["months"])


@inbox_blp.route("", methods=["GET"])
@roles(*ALL_ROLES)
@inbox_blp.arguments(PageArgs, location="query")
@inbox_blp.response(200, paged(NotificationOut, "NotificationPage"))
def notifications(args: dict[str, Any]) -> dict[str, Any]:
    """The caller's inbox, newest first."""
    return envelope(read(inbox.my_notifications, args["page"], args["per_page"]))


@inbox_blp.route("/read", methods=["POST"])
@roles(*ALL_ROLES)
@inbox_blp.response(200, ReadOut)
def mark_read() -> dict[str, int]:
    """Mark every notification of the caller read."""
    return {"marked": perform(inbox_actions.mark_all_read)}
