"""Application pages: a seeker's applications, an enterprise's applicants, the hire form,
the bureau's social-insurance desk and every role's inbox.

Each view parses the form, calls one action or query of :mod:`matcher.applications` (which
checks the role and ownership) and renders or redirects (post/redirect/get).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from matcher.action import ALL_ROLES
from matcher.applications import actions, queries
from matcher.applications.actions import HireInput, StatusChange
from matcher.enums import Role
from matcher.errors import DomainError
from matcher.inbox import actions as inbox_actions
from matcher.inbox import queries as inbox
from matcher.vacancies import actions as vacancy_actions
from matcher.words import msg
from web.auth.next_url import same_site
from web.i18n import translate, translate_fields
from web.pages.common import FormReader, back, page_args, role_page
from web.pages.confirm import ask_first
from web.security import perform, read

bp = Blueprint("application_pages", __name__)


def _act(call: Callable[[], object], done: str) -> bool:
    """Run one action; a refusal is flashed (403/404 propagate). True when it succeeded."""
    try:
        call()
    except DomainError as exc:
        if exc.status in (403, 404):
            raise
        flash(" ".join([translate(exc.message), *_field_texts(exc.fields)]).strip(), "error")
        return False
    flash(done)
    return True


def _field_texts(fields: dict | None) -> list[str]:
    """Every field message, translated, without the field codes."""
    out: list[str] = []
    for value in (translate_fields(fields) or {}).values():
        if isinstance(value, dict):
            out.extend(_field_texts(value))
        elif isinstance(value, (list, tuple)):
            out.extend(str(v) for v in value)
        else:
            out.append(str(value))
    return out


def _return_to(default: str, **values: Any) -> Response:
    wanted = same_site(request.form.get("next"))
    return redirect(wanted) if wanted else back(default, **values)


@bp.get("/seeker/applications")
@role_page(Role.SEEKER)
def my_applications() -> str:
    """The seeker's applications and their states."""
    return render_template("applications/mine.html", page=read(queries.my_applications,
                                                                *page_args()))


@bp.post("/seeker/vacancies/<int:vacancy_id>/apply")
@role_page(Role.SEEKER)
def apply(vacancy_id: int) -> Response:
    """Apply to a vacancy (from its page or a recommendation)."""
    message = (request.form.get("message") or "").strip()
    _act(lambda: perform(actions.apply, vacancy_id, message), _("Application sent."))
    return _return_to("application_pages.my_applications")


@bp.get("/seeker/vacancies/<int:vacancy_id>/apply")
def apply_login(vacancy_id: int) -> Response:
    """An anonymous visitor's apply link: log in (or sign up), then back to the vacancy."""
    return redirect(url_for("auth.login", next=url_for("public.vacancy", vacancy_id=vacancy_id)))


@bp.post("/seeker/applications/<int:application_id>/withdraw")
@role_page(Role.SEEKER)
def withdraw(application_id: int) -> Response | tuple[str, int]:
    """Withdraw an own application (after a confirmation: it cannot be undone)."""
    asked = ask_first(msg("Withdraw this application? It cannot be undone."), danger=True)
    if asked:
        return asked
    _act(lambda: perform(actions.withdraw, application_id), _("Application withdrawn."))
    return back("application_pages.my_applications")


@bp.get("/enterprise/vacancies/<int:vacancy_id>/applications")
@role_page(Role.ENTERPRISE)
def applicants(vacancy_id: int) -> str:
    """Applicants of an own vacancy with their states and the forms to move them on."""
    page, per_page = page_args()
    found = read(queries.vacancy_applications, vacancy_id, page, per_page)
    return render_template("applications/applicants.html", vacancy=found.vacancy,
                           page=found.page, invitable=found.invitable)


def _interview_at(form: FormReader) -> datetime | None:
    raw = form.text("interview_at")
    try:
        return datetime.fromisoformat(raw) if raw else None
    except ValueError:
        form.errors.setdefault("interview_at", []).append(msg("Enter a date and time."))
        return None


@bp.post("/enterprise/applications/<int:application_id>/status")
@role_page(Role.ENTERPRISE)
def set_status(application_id: int) -> Response:
    """Shortlist, schedule an interview, offer or reject."""
    form = FormReader(request.form)
    change = StatusChange(status=form.text("status"), note=form.text("note"),
                          interview_at=_interview_at(form),
                          interview_location=form.optional("interview_location"))

    def move() -> object:
        form.check()
        return perform(actions.set_status, application_id, change)

    _act(move, _("Application updated."))
    return _return_to("application_pages.my_applications")


@bp.post("/enterprise/applications/<int:application_id>/hire")
@role_page(Role.ENTERPRISE)
def hire(application_id: int) -> Response | tuple[str, int]:
    """Hire an offered applicant with the contract evidence (after a confirmation)."""
    form = FormReader(request.form)
    data = HireInput(hired_on=form.day("hired_on"), contract_months=form.integer(
        "contract_months"), contract_reference=form.text("contract_reference"))
    if data.hired_on and data.contract_months and not form.errors:  # else: the errors first
        asked = ask_first(msg("Hire this applicant? The placement is recorded, one position is "
                              "filled, and this cannot be undone."),
                          details=[(msg("Start date"), data.hired_on),  # values, not words
                                   (msg("Contract months"), data.contract_months)])
        if asked:
            return asked
    _act(lambda: perform(actions.hire, application_id, data),
         _("Hired: the placement is recorded and one position is filled."))
    return _return_to("application_pages.my_applications")


@bp.post("/enterprise/vacancies/<int:vacancy_id>/reopen")
@role_page(Role.ENTERPRISE)
def reopen(vacancy_id: int) -> Response:
    """Reopen an own closed or filled vacancy."""
    _act(lambda: perform(vacancy_actions.reopen_vacancy, vacancy_id), _("Vacancy reopened."))
    return back("application_pages.applicants", vacancy_id=vacancy_id)


@bp.post("/enterprise/vacancies/<int:vacancy_id>/invite")
@role_page(Role.ENTERPRISE)
def invite(vacancy_id: int) -> Response:
    """Invite a ranked candidate (a job seeker) to apply."""
    seeker_id = FormReader(request.form).integer("seeker_id") or 0
    _act(lambda: perform(actions.invite, vacancy_id, seeker_id), _("Invitation sent."))
    return _return_to("application_pages.applicants", vacancy_id=vacancy_id)


@bp.get("/admin/placements")
@role_page(Role.ADMIN)
def placements() -> str:
    """Placements with their social-insurance months, each with a form to record them."""
    return render_template("applications/placements.html",
                           page=read(queries.placements, *page_args()))


@bp.post("/admin/placements/<int:placement_id>/social-insurance")
@role_page(Role.ADMIN)
def social_insurance(placement_id: int) -> Response:
    """Record the months of social insurance paid for a placement."""
    months = FormReader(request.form).integer("months")
    _act(lambda: perform(actions.record_social_insurance, placement_id, months),
         _("Social-insurance months recorded."))
    return back("application_pages.placements", page=request.form.get("page", 1))


@bp.get("/inbox")
@role_page(*ALL_ROLES)
def inbox_page() -> str:
    """The caller's notifications, newest first."""
    return render_template("applications/inbox.html",
                           page=read(inbox.my_notifications, *page_args()))


@bp.post("/inbox/read")
@role_page(*ALL_ROLES)
def mark_read() -> Response:
    """Mark every notification read."""
    perform(inbox_actions.mark_all_read)
    return back("application_pages.inbox_page")
