"""Enterprise pages: vacancies (post, edit, close, candidates), idle staff, borrowing
requests and lending agreements — own objects only.

Each view parses the form, calls one action or query of :mod:`matcher.vacancies` or
:mod:`matcher.lending` (which check the role and ownership) and renders the page.
"""

from __future__ import annotations

import uuid
from dataclasses import asdict
from typing import Any

from flask import Blueprint, Response, flash, render_template, request
from flask_babel import gettext as _
from werkzeug.wrappers import Response as BaseResponse

from matcher.enums import EmploymentType, Role, Urgency
from matcher.errors import DomainError
from matcher.lending import actions as lending
from matcher.lending import queries as lending_q
from matcher.lending.demand import RequestInput
from matcher.lending.pool import EmployeeInput
from matcher.vacancies import actions
from matcher.vacancies import queries as q
from matcher.vacancies.services import VacancyInput
from matcher.words import N_, Msg, msg
from web.pages.common import FormReader, back, form_page, page_args, role_page
from web.pages.confirm import ask_first
from web.pages.lending import Fact, _act, agreement_facts
from web.security import perform, read, read_public

bp = Blueprint("enterprise_pages", __name__)

DOCUMENT_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"


def _vacancy_fields(form: FormReader, *, editing: bool) -> dict[str, Any]:
    """Vacancy fields as typed (wages in yuan -> fen)."""
    data: dict[str, Any] = {
        "title": form.text("title", required=True),
        "description": form.text("description"),
        "required_skills": form.items("required_skills"),
        "preferred_skills": form.items("preferred_skills"),
        "district": form.optional("district"),
        "headcount": form.integer("headcount", required=True),
        "wage_min": form.fen("wage_min"),
        "wage_max": form.fen("wage_max"),
        "shift": form.optional("shift"),
        "employment_type": form.text("employment_type") or EmploymentType.LONG_TERM.value,
        "urgency": form.text("urgency") or Urgency.NORMAL.value,
        "accepts_borrowed": form.flag("accepts_borrowed"),
        "start_date": form.day("start_date"),
    }
    for name in ("borrow_from", "borrow_to"):
        value = form.day(name)
        if value is not None or not editing:  # an edit keeps a window it does not show
            data[name] = value
    _vacancy_rules(form, data)
    form.check()
    return data


def _vacancy_rules(form: FormReader, data: dict[str, Any]) -> None:
    """The service's field rules, checked here too so one round reports every error."""
    def fail(name: str, message: Msg) -> None:
        if not form.errors.get(name):
            form.errors.setdefault(name, []).append(message)

    if data["headcount"] is not None and data["headcount"] < 1:
        fail("headcount", msg("Must be a whole number, at least 1."))
    for name in ("wage_min", "wage_max"):
        if data[name] is not None and data[name] < 0:
            fail(name, msg("Must be an amount of money, at least 0."))
    low, high = data["wage_min"], data["wage_max"]
    if low is not None and high is not None and low >= 0 and high < low:
        fail("wage_max", msg("Must be at least the minimum wage."))
    start, end = data.get("borrow_from"), data.get("borrow_to")
    if start is not None and end is not None and start > end:
        fail("borrow_to", msg("Must be on or after the first day of borrowing."))


def _form_of(card: q.VacancyCard) -> dict[str, Any]:
    out = asdict(card)
    for name in ("required_skills", "preferred_skills"):
        out[name] = "、".join(out[name])
    for name in ("wage_min", "wage_max"):
        out[name] = "" if out[name] is None else f"{out[name] / 100:g}"
    return out


def _choices() -> dict[str, Any]:
    districts = read_public(q.districts)
    return {"districts": districts, "employment_types": list(EmploymentType),
            "urgencies": list(Urgency)}


# -- vacancies ---------------------------------------------------------------------------
@bp.get("/")
@role_page(Role.ENTERPRISE)
def vacancies_list() -> str:
    """The enterprise's vacancies, every status, newest first."""
    page, per_page = page_args()
    return render_template("enterprise/vacancies.html",
                           page=read(q.own_vacancies, page, per_page))


@bp.route("/vacancies/new", methods=["GET", "POST"])
@role_page(Role.ENTERPRISE)
def new_vacancy() -> Any:
    """Post a vacancy (matched as soon as it is committed)."""
    if request.method == "GET":
        return render_template("enterprise/vacancy_form.html", form={"headcount": 1},
                               errors={}, vacancy=None, **_choices())
    try:
        data = _vacancy_fields(FormReader(request.form), editing=False)
        view = perform(actions.post_vacancy, VacancyInput(
            external_id=f"web-{uuid.uuid4().hex[:16]}", **data))
    except DomainError as exc:
        return form_page("enterprise/vacancy_form.html", exc, vacancy=None, **_choices())
    flash(_("Vacancy posted. Here are the best candidates."))
    return back("enterprise_pages.candidates", vacancy_id=view.id)


@bp.route("/vacancies/<int:vacancy_id>/edit", methods=["GET", "POST"])
@role_page(Role.ENTERPRISE)
def edit_vacancy(vacancy_id: int) -> Any:
    """Edit an own vacancy."""
    card = read(q.own_vacancy, vacancy_id)
    if request.method == "GET":
        return render_template("enterprise/vacancy_form.html", form=_form_of(card), errors={},
                               vacancy=card, **_choices())
    try:
        changes = _vacancy_fields(FormReader(request.form), editing=True)
        perform(actions.edit_vacancy, vacancy_id, changes)
    except DomainError as exc:
        return form_page("enterprise/vacancy_form.html", exc, vacancy=card, **_choices())
    flash(_("Vacancy saved."))
    return back("enterprise_pages.vacancies_list")


@bp.post("/vacancies/<int:vacancy_id>/close")
@role_page(Role.ENTERPRISE)
def close_vacancy(vacancy_id: int) -> Any:
    """Close an own vacancy (after a confirmation)."""
    card = read(q.own_vacancy, vacancy_id)
    page = ask_first(msg("Close the vacancy %(title)s?", title=card.title), danger=True)
    if page:
        return page
    _act(lambda: perform(actions.close_vacancy, vacancy_id), _("Vacancy closed."))
    return back("enterprise_pages.vacancies_list")


@bp.get("/vacancies/<int:vacancy_id>/candidates")
@role_page(Role.ENTERPRISE)
def candidates(vacancy_id: int) -> str:
    """Job seekers and other enterprises' lendable staff for an own vacancy, explained."""
    page, per_page = page_args()
    found = read(q.vacancy_candidates, vacancy_id, page, per_page)
    return render_template("enterprise/candidates.html", vacancy=found.vacancy,
                           page=found.page)


# -- idle staff --------------------------------------------------------------------------
@bp.route("/staff", methods=["GET", "POST"])
@role_page(Role.ENTERPRISE)
def staff() -> Any:
    """List the idle staff; POST declares one more."""
    page, per_page = page_args()
    if request.method == "POST":
        form = FormReader(request.form)
        try:
            data = EmployeeInput(
                external_id=form.text("external_id", required=True),
                name=form.optional("name"), skills=form.items("skills"),
                experience=form.text("experience"), district=form.optional("district"),
                available_from=form.day("available_from"),
                available_to=form.day("available_to"), daily_cost=form.fen("daily_cost"),
                consent=form.flag("consent"))
            form.check()
            perform(lending.declare_employee, data)
        except DomainError as exc:
            return form_page("enterprise/staff.html", exc,
                             page=read(lending_q.own_staff, page, per_page))
        flash(_("Employee declared."))
        return back("enterprise_pages.staff")
    return render_template("enterprise/staff.html", page=read(lending_q.own_staff, page, per_page),
                           form={}, errors={})


@bp.post("/staff/<int:employee_id>/consent")
@role_page(Role.ENTERPRISE)
def staff_consent(employee_id: int) -> BaseResponse:
    """Record an employee's consent, or its withdrawal."""
    consent = request.form.get("consent") == "1"

    _act(lambda: perform(lending.record_consent, employee_id, consent),
         _("Consent recorded.") if consent else _("Consent withdrawn."))
    return back("enterprise_pages.staff")


# -- borrowing requests -------------------------------------------------------------------
@bp.route("/requests", methods=["GET", "POST"])
@role_page(Role.ENTERPRISE)
def requests_list() -> Any:
    """List borrowing requests; POST posts a new one."""
    page, per_page = page_args()
    if request.method == "POST":
        form = FormReader(request.form)
        try:
            title = form.text("title", required=True)
            headcount = form.integer("headcount", required=True)
            start = form.day("start_date", required=True)
            end = form.day("end_date", required=True)
            skills, site = form.items("skills"), form.optional("site")
            district = form.optional("district")
            form.check()
            assert headcount is not None and start is not None and end is not None
            posted = perform(lending.post_request, RequestInput(
                title=title, skills=skills, headcount=headcount, start_date=start,
                end_date=end, site=site, district=district))
        except DomainError as exc:
            return form_page("enterprise/requests.html", exc,
                             page=read(lending_q.own_requests, page, per_page))
        flash(_("Borrowing request posted."))
        return back("lending_pages.matches", request_id=posted["id"])
    return render_template("enterprise/requests.html",
                           page=read(lending_q.own_requests, page, per_page), form={}, errors={})


@bp.post("/requests/<int:request_id>/close")
@role_page(Role.ENTERPRISE)
def close_request(request_id: int) -> Any:
    """Close an own borrowing request (after a confirmation)."""
    found = read(lending_q.own_request, request_id)
    page = ask_first(msg("Close the borrowing request %(title)s?", title=found["title"]),
                     danger=True)
    if page:
        return page
    _act(lambda: perform(lending.close_request, request_id), _("Borrowing request closed."))
    return back("enterprise_pages.requests_list")


# -- agreements ---------------------------------------------------------------------------
@bp.get("/agreements")
@role_page(Role.ENTERPRISE)
def agreements_list() -> str:
    """Agreements where the enterprise lends or borrows."""
    page, per_page = page_args()
    return render_template("enterprise/agreements.html",
                           page=read(lending_q.own_agreements, page, per_page))


@bp.get("/agreements/<int:agreement_id>")
@role_page(Role.ENTERPRISE)
def agreement(agreement_id: int) -> str:
    """One agreement the enterprise is party to, with accept/sign buttons."""
    found = read(lending_q.agreement, agreement_id)
    return render_template("enterprise/agreement.html", a=found.agreement, side=found.side,
                           ack_urls=found.ack_urls)


@bp.get("/agreements/<int:agreement_id>/document")
@role_page(Role.ENTERPRISE)
def agreement_document(agreement_id: int) -> BaseResponse:
    """The printable agreement document."""
    html = read(lending_q.agreement_document, agreement_id)
    return Response(html, mimetype="text/html",
                    headers={"Content-Security-Policy": DOCUMENT_CSP})


@bp.post("/agreements/<int:agreement_id>/accept")
@role_page(Role.ENTERPRISE)
def accept_agreement(agreement_id: int) -> BaseResponse:
    """The borrower accepts a proposed agreement."""
    _act(lambda: perform(lending.accept_agreement, agreement_id), _("Agreement accepted."))
    return back("enterprise_pages.agreement", agreement_id=agreement_id)


@bp.post("/agreements/<int:agreement_id>/sign")
@role_page(Role.ENTERPRISE)
def sign_agreement(agreement_id: int) -> Any:
    """Sign an accepted agreement as the caller's side, after the signer confirms by name
    and then on the confirmation page."""
    signer = request.form.get("signer_name", "").strip()
    a = read(lending_q.agreement, agreement_id).agreement  # another's agreement is 404
    if not signer or request.form.get("confirm") != "1":
        flash(_("Type your name and tick the confirmation to sign."), "error")
        return back("enterprise_pages.agreement", agreement_id=agreement_id)
    page = ask_first(msg("Sign the agreement lending %(n)s staff to %(name)s?",
                         n=len(a.employees), name=a.borrower_name),
                     details=[*agreement_facts(a), (N_("Signer"), Fact(signer))])
    if page:
        return page
    _act(lambda: perform(lending.sign_agreement, agreement_id, signer=signer),
         _("Agreement signed."))
    return back("enterprise_pages.agreement", agreement_id=agreement_id)
