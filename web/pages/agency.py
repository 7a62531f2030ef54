"""HR-agency pages: recommend a candidate, placements, subsidy claims with state and trace."""

from __future__ import annotations

import uuid
from typing import Any

from flask import Blueprint, current_app, flash, render_template, request
from flask_babel import gettext as _

from matcher.accounts import listings
from matcher.accounts import permissions as perm
from matcher.enums import ClaimantKind, ClaimStatus, Role
from matcher.errors import DomainError
from matcher.subsidy import claims, recommendations
from matcher.subsidy.evaluate import Claimant
from matcher.subsidy.rule_store import current_rules
from web import runtime
from web.extensions import limiter
from web.pages.common import FormReader, back, form_page, me, page_args, role_page
from web.security import reading, unit_of_work

bp = Blueprint("agency_pages", __name__)


def _aid() -> int:
    aid = me().agency_id
    assert aid is not None
    return aid


def _claim_limit() -> str:
    return str(current_app.config["WORKBRIDGE_CLAIM_LIMIT"])


def _caller_key() -> str:
    return f"user:{me().user_id}"


def _status() -> ClaimStatus | None:
    try:
        return ClaimStatus(request.args.get("status", ""))
    except ValueError:
        return None


@bp.route("/", methods=["GET", "POST"])
@role_page(Role.AGENCY)
def recommendations_list() -> Any:
    """The agency's recommendations; POST recommends a seeker for a vacancy."""
    page, per_page = page_args()
    if request.method == "POST":
        form = FormReader(request.form)
        try:
            seeker_id = form.integer("seeker_id", required=True)
            vacancy_id = form.integer("vacancy_id", required=True)
            note = form.text("note")
            form.check()
            assert seeker_id is not None and vacancy_id is not None
            with unit_of_work() as uow:
                recommendations.recommend(uow, agency_id=_aid(), seeker_id=seeker_id,
                                          vacancy_id=vacancy_id, actor=me().actor(), note=note)
        except DomainError as exc:
            with reading() as s:
                found = listings.agency_recommendations(s, _aid(), page, per_page)
            return form_page("agency/recommendations.html", exc, page=found)
        flash(_("Recommendation recorded."))
        return back("agency_pages.recommendations_list")
    with reading() as s:
        found = listings.agency_recommendations(s, _aid(), page, per_page)
    return render_template("agency/recommendations.html", page=found, form={}, errors={})


@bp.get("/placements")
@role_page(Role.AGENCY)
def placements() -> str:
    """Placements attributed to the agency."""
    page, per_page = page_args()
    with reading() as s:
        found = listings.agency_placements(s, _aid(), page, per_page)
    return render_template("agency/placements.html", page=found)


def _claims_page(**context: Any) -> dict[str, Any]:
    page, per_page = page_args()
    with reading() as s:
        found = listings.claims(s, page, per_page, agency_id=_aid(), status=_status())
    rules = sorted(current_rules(runtime()).rules)
    return {"page": found, "rules": rules, "statuses": list(ClaimStatus),
            "status": _status(), "idempotency_key": uuid.uuid4().hex, **context}


@bp.get("/claims")
@role_page(Role.AGENCY)
def claims_list() -> str:
    """The agency's claims with their state; a form to submit one more."""
    placement = request.args.get("placement_id", "")
    return render_template("agency/claims.html", form={"placement_id": placement, "tranche": 1},
                           errors={}, **_claims_page())


@bp.post("/claims")
@role_page(Role.AGENCY)
@limiter.limit(_claim_limit, key_func=_caller_key)
def submit_claim() -> Any:
    """Submit a claim; the form's idempotency key makes a double submit harmless."""
    form = FormReader(request.form)
    try:
        placement_id = form.integer("placement_id", required=True)
        rule_code = form.text("rule_code", required=True)
        tranche = form.integer("tranche") or 1
        key = form.text("idempotency_key", required=True)
        form.check()
        assert placement_id is not None
        req = claims.ClaimRequest(Claimant(ClaimantKind.AGENCY, _aid()), placement_id,
                                  rule_code, tranche)
        with unit_of_work() as uow:
            result = claims.submit_claim(uow, current_rules(runtime()), req,
                                         idempotency_key=key, actor=me().actor())
    except DomainError as exc:
        return form_page("agency/claims.html", exc, **_claims_page())
    flash(_("This claim was already submitted.") if result.replayed
          else _("Claim submitted."))
    return back("agency_pages.claim", claim_id=result.claim.id)


@bp.get("/claims/<int:claim_id>")
@role_page(Role.AGENCY)
def claim(claim_id: int) -> str:
    """One own claim with its evaluation trace."""
    with unit_of_work() as uow:
        perm.own_claim(uow.s, me(), claim_id)
        view = claims.get_claim(uow, claim_id, actor=me().actor())
    return render_template("agency/claim.html", c=view)
