"""Shared-employment pages: who needs my staff and proposing from it, a request's matches,
the agreement steps after signing, and the employee's own acknowledgement link.

Each view parses the form, calls one action or query of :mod:`matcher.lending` (which check
the role and the caller's side) and renders. The link page needs no login: its token is
the credential, so its POST is CSRF-exempt.
"""

from __future__ import annotations

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
from matcher.lending.terms import Proposal
from web.pages.common import FormReader, back, field_errors, form_page, role_page
from web.pages.enterprise import _act
from web.security import csrf_exempt, perform, read, read_public, unit_of_work

bp = Blueprint("lending_pages", __name__)


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
        form.errors.setdefault("employee_ids", []).append(_("Choose at least one employee."))
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
            _("This field is required."))
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
        flash(" ".join(m for msgs in form.errors.values() for m in msgs), "error")
        return back("enterprise_pages.staff")
    _act(lambda: perform(lending.edit_employee, employee_id, start, end, cost),
         _("Employee updated."))
    return back("enterprise_pages.staff")


@bp.post("/enterprise/staff/<int:employee_id>/remove")
@role_page(Role.ENTERPRISE)
def remove_staff(employee_id: int) -> BaseResponse:
    """Take an idle employee out of the pool (refused while lent out)."""
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
def return_(agreement_id: int) -> BaseResponse:
    """Return an active agreement's staff on or after its end date."""
    _act(lambda: perform(lending.return_agreement, agreement_id), _("Staff returned."))
    return back("enterprise_pages.agreement", agreement_id=agreement_id)


@bp.post("/enterprise/agreements/<int:agreement_id>/terminate")
@role_page(Role.ENTERPRISE)
def terminate(agreement_id: int) -> BaseResponse:
    """End an agreement early with a reason."""
    reason = request.form.get("reason", "")
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
                               errors=field_errors(out.error)), out.error.status
    return render_template("lending/ack.html", p=out.page, done=True, errors={}), 200
