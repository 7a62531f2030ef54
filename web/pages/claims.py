"""Subsidy pages of enterprises and persons (what they qualify for, what is missing, their
claims, a pre-filled one-click claim form) and the bureau's unclaimed list (table, CSV,
direct payment of a rule marked 免申即享)."""

from __future__ import annotations

import uuid
from dataclasses import replace
from typing import Any

from flask import Blueprint, Response, current_app, flash, request, url_for
from flask import render_template as render
from flask_babel import gettext as _

from matcher.enums import Role
from matcher.errors import DomainError, Refused
from matcher.subsidy import claimant_actions as actions
from matcher.subsidy import claimant_queries as queries
from matcher.subsidy.evidence import RULE_CODES, evidence
from matcher.subsidy.views import ClaimView
from matcher.words import Msg, msg, word
from web.extensions import limiter
from web.i18n import translate
from web.pages.common import (
    FormReader,
    back,
    claim_fields,
    form_page,
    me,
    page_args,
    role_page,
    yuan,
)
from web.pages.confirm import ask_first
from web.security import perform, read

bp = Blueprint("claims_pages", __name__)
#: the claimant's role -> (URL prefix, its claim action)
PARTIES = {Role.SEEKER: ("/seeker", actions.submit_person_claim),
           Role.ENTERPRISE: ("/enterprise", actions.submit_enterprise_claim)}


def rule_labels() -> dict[str, str]:
    """Code -> the subsidy's name in the reader's language (unknown codes: the file's name)."""
    return {code: translate(word(code)) if code in RULE_CODES else name
            for code, name in read(queries.claim_rule_names).items()}


def _shown(value: Any) -> Any:
    return translate(value) if isinstance(value, Msg) else value


def claim_context(c: ClaimView) -> dict[str, Any]:
    """What a claim page shows: the claim, the rule names and the evidence table in words."""
    rows = [{"condition": _shown(e.condition), "required": _shown(e.required),
             "recorded": _shown(e.recorded), "passed": e.passed, "verdict": _shown(e.verdict)}
            for e in evidence(c.trace)]
    return {"c": replace(c, decided_by_name=_shown(c.decided_by_name)),
            "rules": rule_labels(), "evidence": rows}


def on_form(exc: DomainError) -> DomainError:
    """A refusal as the claim form shows it: unmet conditions listed under the rule field
    (the API keeps one field per condition code)."""
    if exc.code != "not_eligible" or not exc.fields:
        return exc
    unmet = [m for ms in exc.fields.values() for m in ms]
    return Refused(exc.message, code=exc.code, fields={"rule_code": unmet})


def _claim_limit() -> str:
    return str(current_app.config["WORKBRIDGE_CLAIM_LIMIT"])


def _caller_key() -> str:
    return f"user:{me().user_id}"


def _context(**extra: Any) -> dict[str, Any]:
    return {"items": read(queries.own_eligibility), "page": read(queries.own_claims,
                                                                 *page_args()),
            "rules": rule_labels(), "idempotency_key": uuid.uuid4().hex,
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
        return form_page("claims/own.html", on_form(exc), **_context())
    flash(_("This claim was already submitted.") if result.replayed else _("Claim submitted."))
    return back(f"claims_pages.{me().role.value}_claim", claim_id=result.claim.id)


def own_claim(claim_id: int) -> str:
    """One own claim with its evaluation trace."""
    return render("claims/claim.html", **claim_context(read(queries.own_claim, claim_id)))


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
    return render("claims/unclaimed.html", page=found, rules=rule_labels(),
                  rule_code=rule_code or "", district=district or "",
                  direct=read(queries.direct_payment_rules),
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
    """Pay the chosen placements under a direct-payment rule (run twice, pays once), after
    the officer confirms the payees and the total in yuan."""
    form = FormReader(request.form)
    rule_code = form.text("rule_code", required=True)
    ids = [int(x) for x in request.form.getlist("placement_id") if x.isdigit()]
    try:
        form.check()
        if rule_code in read(queries.direct_payment_rules):  # others are refused at once
            page = _confirm_direct_pay(rule_code, ids)
            if page:
                return page
        done = perform(actions.direct_pay, rule_code, ids)
    except DomainError as exc:
        flash(translate(exc.message), "error")
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
        flash(translate(exc.message), "error")
    else:
        flash(_("Saved; %(n)s placements evaluated again.", n=done["placements_evaluated"]))
    return back("admin_pages.tiers", q=request.form.get("q") or None,
                page=request.form.get("page") or None)


def plain_yuan(fen: int) -> str:
    """An amount in yuan without the currency sign (2,111 or 2,111.50)."""
    return yuan(fen).lstrip("¥")


def _confirm_direct_pay(rule_code: str, ids: list[int]) -> tuple[str, int] | None:
    """The question before a direct payment: who is paid, how much, and the total."""
    chosen = set(ids)
    owed = [r for r in read(queries.unclaimed, rule_code, None, 1, 100).items
            if r["placement_id"] in chosen]
    names = [str(r["party_name"] or r["enterprise_name"]) for r in owed]
    details: list[tuple[object, object]] = [
        (msg("Subsidy"), rule_labels().get(rule_code, rule_code))]
    details += [(msg("Payee"), f"{name} · {yuan(r['amount_fen'])} · {r['vacancy_title']}")
                for name, r in zip(names, owed, strict=True)]
    total = sum(int(r["amount_fen"]) for r in owed)
    return ask_first(msg("Pay %(amount)s yuan to %(name)s?", amount=plain_yuan(total),
                         name=", ".join(names) or "-"), details=details, danger=False)
