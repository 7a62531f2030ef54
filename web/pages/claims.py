"""Subsidy pages of enterprises and persons (what they qualify for, what is missing, their
claims, a pre-filled one-click claim form) and the bureau's unclaimed list (table, CSV,
direct payment of a rule marked 免申即享)."""

from __future__ import annotations

import uuid
from typing import Any

from flask import Blueprint, Response, current_app, flash, request, url_for
from flask import render_template as render
from flask_babel import gettext as _

from matcher.enums import Role
from matcher.errors import DomainError
from matcher.subsidy import claimant_actions as actions
from matcher.subsidy import claimant_queries as queries
from web.extensions import limiter
from web.pages.common import (
    FormReader,
    back,
    claim_fields,
    form_page,
    me,
    page_args,
    role_page,
)
from web.security import perform, read

bp = Blueprint("claims_pages", __name__)
#: the claimant's role -> (URL prefix, its claim action)
PARTIES = {Role.SEEKER: ("/seeker", actions.submit_person_claim),
           Role.ENTERPRISE: ("/enterprise", actions.submit_enterprise_claim)}


def _claim_limit() -> str:
    return str(current_app.config["WORKBRIDGE_CLAIM_LIMIT"])


def _caller_key() -> str:
    return f"user:{me().user_id}"


def _context(**extra: Any) -> dict[str, Any]:
    return {"items": read(queries.own_eligibility), "page": read(queries.own_claims,
                                                                 *page_args()),
            "rules": read(queries.claim_rule_names), "idempotency_key": uuid.uuid4().hex,
            **extra}


def own_claims() -> Any:
    """What the caller qualifies for and their claims; the form is pre-filled from the link."""
    form = {"placement_id": request.args.get("placement_id", ""),
            "rule_code": request.args.get("rule_code", ""),
            "tranche": request.args.get("tranche", "1")}
    return render("claims/own.html", form=form, errors={}, **_context())


@limiter.limit(_claim_limit, key_func=_caller_key)
def submit_own_claim() -> Any:
    """Submit a claim (the form's idempotency key makes a double click harmless)."""
    form = FormReader(request.form)
    try:
        placement_id, rule_code, key, tranche = claim_fields(form)
        result = perform(PARTIES[me().role][1],
                         actions.OwnClaimInput(placement_id, rule_code, key, tranche))
    except DomainError as exc:
        return form_page("claims/own.html", exc, **_context())
    flash(_("This claim was already submitted.") if result.replayed else _("Claim submitted."))
    return back(f"claims_pages.{me().role.value}_claim", claim_id=result.claim.id)


def own_claim(claim_id: int) -> str:
    """One own claim with its evaluation trace."""
    return render("claims/claim.html", c=read(queries.own_claim, claim_id))


for _role, (_prefix, _action) in PARTIES.items():
    _name = _role.value
    bp.add_url_rule(f"{_prefix}/claims", f"{_name}_claims",
                    role_page(_role)(own_claims), methods=["GET"])
    bp.add_url_rule(f"{_prefix}/claims", f"{_name}_submit_claim",
                    role_page(_role)(submit_own_claim), methods=["POST"])
    bp.add_url_rule(f"{_prefix}/claims/<int:claim_id>", f"{_name}_claim",
                    role_page(_role)(own_claim), methods=["GET"])


def _filters() -> tuple[str | None, str | None]:
    return (request.args.get("rule_code") or None, request.args.get("district") or None)


@bp.get("/admin/eligibility")
@role_page(Role.ADMIN)
def unclaimed() -> str:
    """Who is eligible and has not claimed, by rule and district, with amounts."""
    rule_code, district = _filters()
    found = read(queries.unclaimed, rule_code, district, *page_args())
    rules = read(queries.claim_rule_names)
    return render("claims/unclaimed.html", page=found, rules=rules, rule_code=rule_code or "",
                  district=district or "", direct=read(queries.direct_payment_rules),
                  csv_url=url_for("claims_pages.unclaimed_csv", rule_code=rule_code,
                                  district=district))


@bp.get("/admin/eligibility.csv")
@role_page(Role.ADMIN)
def unclaimed_csv() -> Response:
    """The unclaimed list as CSV (formula-like cells neutralised)."""
    body = read(queries.unclaimed_csv, *_filters())
    return Response(body, mimetype="text/csv", headers={
        "Content-Disposition": "attachment; filename=unclaimed.csv"})


@bp.post("/admin/eligibility/direct-pay")
@role_page(Role.ADMIN)
def direct_pay() -> Any:
    """Pay the chosen placements under a direct-payment rule (run twice, pays once)."""
    form = FormReader(request.form)
    rule_code = form.text("rule_code", required=True)
    ids = [int(x) for x in request.form.getlist("placement_id") if x.isdigit()]
    try:
        form.check()
        done = perform(actions.direct_pay, rule_code, ids)
    except DomainError as exc:
        flash(exc.message, "error")
        return back("claims_pages.unclaimed", rule_code=rule_code)
    flash(_("Paid %(paid)s claims; %(already)s were paid before; %(skipped)s skipped.",
            paid=len(done.paid), already=len(done.already), skipped=len(done.skipped)))
    return back("claims_pages.unclaimed", rule_code=rule_code)


@bp.post("/admin/enterprises/<int:enterprise_id>/category")
@role_page(Role.ADMIN)
def set_category(enterprise_id: int) -> Any:
    """The bureau sets an enterprise's size and leading-industrial flag (re-evaluates)."""
    form = FormReader(request.form)
    try:
        done = perform(actions.set_enterprise_category, enterprise_id,
                       form.optional("size_class"), form.flag("is_leading_industrial"))
    except DomainError as exc:
        if exc.status == 404:
            raise
        flash(exc.message, "error")
    else:
        flash(_("Saved; %(n)s placements evaluated again.", n=done["placements_evaluated"]))
    return back("admin_pages.tiers", q=request.form.get("q") or None,
                page=request.form.get("page") or None)
