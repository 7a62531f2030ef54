"""Enterprise pages: vacancies (post, edit, close, candidates), idle staff, borrowing
requests and lending agreements — own objects only."""

from __future__ import annotations

import uuid
from dataclasses import asdict
from typing import Any

from flask import Blueprint, Response, flash, render_template, request
from flask_babel import gettext as _
from werkzeug.wrappers import Response as BaseResponse

from matcher.accounts import listings
from matcher.accounts import permissions as perm
from matcher.enums import EmploymentType, Role, Urgency
from matcher.errors import DomainError
from matcher.lending import agreements, demand, pool
from matcher.lending.documents import render_agreement
from matcher.matching.service import candidates_for_vacancy
from matcher.queries import vacancies as q
from matcher.services import vacancies
from web import runtime
from web.pages.common import FormReader, back, form_page, me, page_args, role_page
from web.security import reading, unit_of_work

bp = Blueprint("enterprise_pages", __name__)

DOCUMENT_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"


def _eid() -> int:
    eid = me().enterprise_id
    assert eid is not None
    return eid


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
    form.check()
    return data


def _form_of(card: q.VacancyCard) -> dict[str, Any]:
    out = asdict(card)
    for name in ("required_skills", "preferred_skills"):
        out[name] = "、".join(out[name])
    for name in ("wage_min", "wage_max"):
        out[name] = "" if out[name] is None else f"{out[name] / 100:g}"
    return out


def _choices() -> dict[str, Any]:
    with reading() as s:
        districts = q.districts(s)
    return {"districts": districts, "employment_types": list(EmploymentType),
            "urgencies": list(Urgency)}


def _act(action: Any, done: str) -> None:
    """Run a state-changing service call; its refusal is flashed instead of a bare error."""
    try:
        with unit_of_work() as uow:
            action(uow)
    except DomainError as exc:
        if exc.status in (403, 404):
            raise
        flash(exc.message, "error")
        return
    flash(done)


# -- vacancies ---------------------------------------------------------------------------
@bp.get("/")
@role_page(Role.ENTERPRISE)
def vacancies_list() -> str:
    """The enterprise's vacancies, every status, newest first."""
    page, per_page = page_args()
    with reading() as s:
        found = listings.enterprise_vacancies(s, _eid(), page, per_page)
    return render_template("enterprise/vacancies.html", page=found)


@bp.route("/vacancies/new", methods=["GET", "POST"])
@role_page(Role.ENTERPRISE)
def new_vacancy() -> Any:
    """Post a vacancy (matched as soon as it is committed)."""
    if request.method == "GET":
        return render_template("enterprise/vacancy_form.html", form={"headcount": 1},
                               errors={}, vacancy=None, **_choices())
    try:
        data = _vacancy_fields(FormReader(request.form), editing=False)
        with unit_of_work() as uow:
            view = vacancies.post_vacancy(runtime(), uow, vacancies.VacancyInput(
                external_id=f"web-{uuid.uuid4().hex[:16]}", enterprise_id=_eid(), **data),
                actor=me().actor_name)
    except DomainError as exc:
        return form_page("enterprise/vacancy_form.html", exc, vacancy=None, **_choices())
    flash(_("Vacancy posted. Here are the best candidates."))
    return back("enterprise_pages.candidates", vacancy_id=view.id)


@bp.route("/vacancies/<int:vacancy_id>/edit", methods=["GET", "POST"])
@role_page(Role.ENTERPRISE)
def edit_vacancy(vacancy_id: int) -> Any:
    """Edit an own vacancy."""
    with reading() as s:
        perm.own_vacancy(s, me(), vacancy_id)
        card = q.get_vacancy(s, vacancy_id)
    if request.method == "GET":
        return render_template("enterprise/vacancy_form.html", form=_form_of(card), errors={},
                               vacancy=card, **_choices())
    try:
        changes = _vacancy_fields(FormReader(request.form), editing=True)
        with unit_of_work() as uow:
            perm.own_vacancy(uow.s, me(), vacancy_id)
            vacancies.edit_vacancy(runtime(), uow, vacancy_id, changes, actor=me().actor_name)
    except DomainError as exc:
        return form_page("enterprise/vacancy_form.html", exc, vacancy=card, **_choices())
    flash(_("Vacancy saved."))
    return back("enterprise_pages.vacancies_list")


@bp.post("/vacancies/<int:vacancy_id>/close")
@role_page(Role.ENTERPRISE)
def close_vacancy(vacancy_id: int) -> BaseResponse:
    """Close an own vacancy."""
    def close(uow: Any) -> None:
        perm.own_vacancy(uow.s, me(), vacancy_id)
        vacancies.close_vacancy(runtime(), uow, vacancy_id, actor=me().actor_name)

    _act(close, _("Vacancy closed."))
    return back("enterprise_pages.vacancies_list")


@bp.get("/vacancies/<int:vacancy_id>/candidates")
@role_page(Role.ENTERPRISE)
def candidates(vacancy_id: int) -> str:
    """Job seekers and other enterprises' lendable staff for an own vacancy, explained."""
    with reading() as s:
        perm.own_vacancy(s, me(), vacancy_id)
        card = q.get_vacancy(s, vacancy_id)
    page, per_page = page_args()
    found = candidates_for_vacancy(runtime(), vacancy_id, k=page * per_page)
    return render_template("enterprise/candidates.html", vacancy=card,
                           page=listings.slice_page(found, page, per_page))


# -- idle staff --------------------------------------------------------------------------
@bp.route("/staff", methods=["GET", "POST"])
@role_page(Role.ENTERPRISE)
def staff() -> Any:
    """List the idle staff; POST declares one more."""
    page, per_page = page_args()
    if request.method == "POST":
        form = FormReader(request.form)
        try:
            data = pool.EmployeeInput(
                external_id=form.text("external_id", required=True),
                name=form.optional("name"), skills=form.items("skills"),
                experience=form.text("experience"), district=form.optional("district"),
                available_from=form.day("available_from"),
                available_to=form.day("available_to"), daily_cost=form.fen("daily_cost"),
                consent=form.flag("consent"))
            form.check()
            with unit_of_work() as uow:
                pool.declare_employee(runtime(), uow, _eid(), data, actor=me().actor_name)
        except DomainError as exc:
            with reading() as s:
                found = listings.enterprise_staff(s, _eid(), page, per_page)
            return form_page("enterprise/staff.html", exc, page=found)
        flash(_("Employee declared."))
        return back("enterprise_pages.staff")
    with reading() as s:
        found = listings.enterprise_staff(s, _eid(), page, per_page)
    return render_template("enterprise/staff.html", page=found, form={}, errors={})


@bp.post("/staff/<int:employee_id>/consent")
@role_page(Role.ENTERPRISE)
def staff_consent(employee_id: int) -> BaseResponse:
    """Record an employee's consent, or its withdrawal."""
    consent = request.form.get("consent") == "1"

    def record(uow: Any) -> None:
        perm.own_employee(uow.s, me(), employee_id)
        pool.record_consent(runtime(), uow, employee_id, consent, actor=me().actor_name)

    _act(record, _("Consent recorded.") if consent else _("Consent withdrawn."))
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
            with unit_of_work() as uow:
                demand.post_request(runtime(), uow, _eid(), demand.RequestInput(
                    title=title, skills=skills, headcount=headcount, start_date=start,
                    end_date=end, site=site, district=district), actor=me().actor_name)
        except DomainError as exc:
            with reading() as s:
                found = listings.enterprise_requests(s, _eid(), page, per_page)
            return form_page("enterprise/requests.html", exc, page=found)
        flash(_("Borrowing request posted."))
        return back("enterprise_pages.requests_list")
    with reading() as s:
        found = listings.enterprise_requests(s, _eid(), page, per_page)
    return render_template("enterprise/requests.html", page=found, form={}, errors={})


@bp.post("/requests/<int:request_id>/close")
@role_page(Role.ENTERPRISE)
def close_request(request_id: int) -> BaseResponse:
    """Close an own borrowing request."""
    def close(uow: Any) -> None:
        perm.own_request(uow.s, me(), request_id)
        demand.close_request(runtime(), uow, request_id, actor=me().actor_name)

    _act(close, _("Borrowing request closed."))
    return back("enterprise_pages.requests_list")


# -- agreements ---------------------------------------------------------------------------
@bp.get("/agreements")
@role_page(Role.ENTERPRISE)
def agreements_list() -> str:
    """Agreements where the enterprise lends or borrows."""
    page, per_page = page_args()
    with reading() as s:
        found = listings.enterprise_agreements(s, _eid(), page, per_page)
    return render_template("enterprise/agreements.html", page=found)


@bp.get("/agreements/<int:agreement_id>")
@role_page(Role.ENTERPRISE)
def agreement(agreement_id: int) -> str:
    """One agreement the enterprise is party to, with accept/sign buttons."""
    with reading() as s:
        side = perm.agreement_party(s, me(), agreement_id)
        view = agreements.get_agreement(s, agreement_id)
    return render_template("enterprise/agreement.html", a=view, side=side)


@bp.get("/agreements/<int:agreement_id>/document")
@role_page(Role.ENTERPRISE)
def agreement_document(agreement_id: int) -> BaseResponse:
    """The printable agreement document."""
    with reading() as s:
        perm.agreement_party(s, me(), agreement_id)
        html = render_agreement(s, agreement_id)
    return Response(html, mimetype="text/html",
                    headers={"Content-Security-Policy": DOCUMENT_CSP})


@bp.post("/agreements/<int:agreement_id>/accept")
@role_page(Role.ENTERPRISE)
def accept_agreement(agreement_id: int) -> BaseResponse:
    """The borrower accepts a proposed agreement."""
    def accept(uow: Any) -> None:
        perm.agreement_party(uow.s, me(), agreement_id, parties=("borrower",))
        agreements.accept(runtime(), uow, agreement_id, actor=me().actor_name)

    _act(accept, _("Agreement accepted."))
    return back("enterprise_pages.agreement", agreement_id=agreement_id)


@bp.post("/agreements/<int:agreement_id>/sign")
@role_page(Role.ENTERPRISE)
def sign_agreement(agreement_id: int) -> BaseResponse:
    """Sign an accepted agreement as the caller's side."""
    def sign(uow: Any) -> None:
        side = perm.agreement_party(uow.s, me(), agreement_id)
        agreements.sign(runtime(), uow, agreement_id, side, actor=me().actor_name)

    _act(sign, _("Agreement signed."))
    return back("enterprise_pages.agreement", agreement_id=agreement_id)
