"""Shared-employment pages: who needs my staff and proposing from it, a request's matches,
the agreement steps after signing, and the employee's own acknowledgement link.

Each view parses the form, calls one action or query of :mod:`matcher.lending` (which check
the role and the caller's side) and renders. The link page needs no login: its token is
the credential, so its POST is CSRF-exempt.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

from flask import Blueprint, flash, render_template, request
from flask_babel import gettext as _
from werkzeug.wrappers import Response as BaseResponse

from matcher.enums import Role
from matcher.errors import DomainError
from matcher.lending import actions as lending
from matcher.lending import queries as lending_q
from matcher.lending.terms import AgreementView, Proposal
from matcher.words import N_, Msg, msg
from web.i18n import translate
from web.pages.common import FormReader, back, form_page, role_page, yuan
from web.pages.confirm import ask_first
from web.security import csrf_exempt, perform, read, read_public, unit_of_work

bp = Blueprint("lending_pages", __name__)


def shown(message: object) -> str:
    """A message in the reader's language (a Msg is translated; other text is as it is)."""
    return translate(message) if isinstance(message, Msg) else str(message)


class Fact:
    """A value shown on the confirmation page as it is (data, never looked up as a msgid)."""

    def __init__(self, text: object):
        self.text = str(text)

    def __str__(self) -> str:
        return self.text


def agreement_facts(a: AgreementView) -> list[tuple[object, object]]:
    """The facts of an agreement a person confirms before signing or ending it."""
    names = "、".join(e.name or e.external_id for e in a.employees)
    return [(N_("Lender"), Fact(a.lender_name)), (N_("Borrower"), Fact(a.borrower_name)),
            (N_("Period"), Fact(f"{a.start_date} – {a.end_date}")),
            (N_("Staff"), Fact(names)),
            (N_("Reimbursement per person per day"), Fact(yuan(a.reimbursement_per_day)))]


def _act(call: Callable[[], object], done: str) -> None:
    """Run one action; its refusal is flashed instead of a bare error (403/404 propagate)."""
    try:
        call()
    except DomainError as exc:
        if exc.status in (403, 404):
            raise
        flash(shown(exc.message), "error")
        return
    flash(done)


def _on() -> date | None:
    try:
        return date.fromisoformat(request.args.get("date", ""))
    except ValueError:
        return None


# -- lender: who needs my staff -----------------------------------------------------------
@bp.get("/enterprise/lending/opportunities")
@role_page(Role.ENTERPRISE)
def opportunities() -> str:
    """Open demand my consenting idle staff fit, each with a propose form."""
    return render_template("lending/opportunities.html", errors={}, form={}, failed=None,
                           page=read(lending_q.opportunities, _on(), 1, 50))


def _proposal(form: FormReader) -> Proposal:
    ids = tuple(int(v) for v in request.form.getlist("employee_ids") if v.isdigit())
    if not ids:
        form.errors.setdefault("employee_ids", []).append(msg("Choose at least one employee."))
    data: dict[str, Any] = {
        "counterparty_enterprise_id": form.integer("counterparty_enterprise_id", required=True),
        "role": form.text("role", required=True), "employee_ids": ids,
        "start_date": form.day("start_date", required=True),
        "end_date": form.day("end_date", required=True),
        "site": form.text("site", required=True),
        "daily_hours": form.number("daily_hours") or 8.0,
        "reimbursement_yuan_per_day": Decimal(form.fen("reimbursement_yuan_per_day") or 0) / 100,
        "request_id": form.integer("request_id"), "vacancy_id": form.integer("vacancy_id"),
    }
    if not form.text("reimbursement_yuan_per_day"):
        form.errors.setdefault("reimbursement_yuan_per_day", []).append(
            msg("This field is required."))
    form.check()
    return Proposal(**data)


@bp.post("/enterprise/lending/propose")
@role_page(Role.ENTERPRISE)
def propose() -> Any:
    """Propose an agreement (from an opportunity or a request's matches)."""
    try:
        view = perform(lending.propose_to, _proposal(FormReader(request.form)))
    except DomainError as exc:
        if exc.status in (403, 404):
            raise
        if request.form.get("from") == "matches":
            rid = int(request.form.get("request_id") or 0)
            return form_page("lending/matches.html", exc, failed=request.form.get("key"),
                             m=read(lending_q.request_matches, rid, None))
        return form_page("lending/opportunities.html", exc, failed=request.form.get("key"),
                         page=read(lending_q.opportunities, _on(), 1, 50))
    flash(_("Agreement proposed."))
    return back("enterprise_pages.agreement", agreement_id=view.id)


@bp.post("/enterprise/staff/<int:employee_id>/edit")
@role_page(Role.ENTERPRISE)
def edit_staff(employee_id: int) -> BaseResponse:
    """Change an idle employee's lending window and declared daily cost (yuan)."""
    form = FormReader(request.form)
    start, end, cost = form.day("available_from"), form.day("available_to"), form.fen("daily_cost")
    if form.errors:
        flash(" ".join(shown(m) for msgs in form.errors.values() for m in msgs), "error")
        return back("enterprise_pages.staff")
    _act(lambda: perform(lending.edit_employee, employee_id, start, end, cost),
         _("Employee updated."))
    return back("enterprise_pages.staff")


@bp.post("/enterprise/staff/<int:employee_id>/remove")
@role_page(Role.ENTERPRISE)
def remove_staff(employee_id: int) -> Any:
    """Take an idle employee out of the pool (refused while lent out), after a confirmation."""
    emp = read(lending_q.own_employee, employee_id)
    page = ask_first(msg("Remove %(name)s from the idle staff pool?",
                         name=emp["name"] or emp["external_id"]), danger=True)
    if page:
        return page
    _act(lambda: perform(lending.remove_employee, employee_id), _("Employee removed."))
    return back("enterprise_pages.staff")


# -- borrower: a request's matches ----------------------------------------------------------
@bp.get("/enterprise/requests/<int:request_id>/matches")
@role_page(Role.ENTERPRISE)
def matches(request_id: int) -> str:
    """Lendable staff of other enterprises for an own request, grouped by lender."""
    return render_template("lending/matches.html", errors={}, form={}, failed=None,
                           m=read(lending_q.request_matches, request_id, _on()))


# -- both: steps after signing --------------------------------------------------------------
@bp.post("/enterprise/agreements/<int:agreement_id>/activate")
@role_page(Role.ENTERPRISE)
def activate(agreement_id: int) -> BaseResponse:
    """Start a signed agreement."""
    _act(lambda: perform(lending.activate_agreement, agreement_id), _("Agreement active."))
    return back("enterprise_pages.agreement", agreement_id=agreement_id)


@bp.post("/enterprise/agreements/<int:agreement_id>/return")
@role_page(Role.ENTERPRISE)
def return_(agreement_id: int) -> Any:
    """Return an active agreement's staff on or after its end date, after a confirmation."""
    a = read(lending_q.agreement, agreement_id).agreement
    page = ask_first(msg("Return the %(n)s staff of agreement %(id)s to %(name)s?",
                         n=len(a.employees), id=a.id, name=a.lender_name),
                     details=agreement_facts(a))
    if page:
        return page
    _act(lambda: perform(lending.return_agreement, agreement_id), _("Staff returned."))
    return back("enterprise_pages.agreement", agreement_id=agreement_id)


@bp.post("/enterprise/agreements/<int:agreement_id>/terminate")
@role_page(Role.ENTERPRISE)
def terminate(agreement_id: int) -> Any:
    """End an agreement early with a reason, after a confirmation."""
    reason = request.form.get("reason", "")
    a = read(lending_q.agreement, agreement_id).agreement
    if reason.strip():
        page = ask_first(msg("Terminate agreement %(id)s between %(lender)s and %(borrower)s "
                             "early?", id=a.id, lender=a.lender_name, borrower=a.borrower_name),
                         details=agreement_facts(a), danger=True)
        if page:
            return page
    _act(lambda: perform(lending.terminate_agreement, agreement_id, reason),
         _("Agreement terminated."))
    return back("enterprise_pages.agreement", agreement_id=agreement_id)


# -- employees: the acknowledgement link ----------------------------------------------------
@bp.get("/ack/<token>")
def ack(token: str) -> str:
    """What the employee is asked to confirm, in plain words."""
    return render_template("lending/ack.html", p=read_public(lending_q.ack_page, token),
                           errors={}, done=False)


@bp.post("/ack/<token>")
@csrf_exempt
def ack_confirm(token: str) -> tuple[str, int]:
    """The employee confirms by typing their own name (the token is the credential)."""
    with unit_of_work() as uow:
        out = lending.acknowledge_by_link(uow, token, request.form.get("name", ""))
    if out.error is not None:
        return render_template("lending/ack.html", p=out.page, done=False,
                               errors={"_form": [shown(out.error.message)]}), out.error.status
    return render_template("lending/ack.html", p=out.page, done=True, errors={}), 200
