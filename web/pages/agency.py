"""HR-agency pages: recommend a candidate, placements, subsidy claims with state and trace."""

from __future__ import annotations

import uuid
from typing import Any

from flask import Blueprint, current_app, flash, render_template, request
from flask_babel import gettext as _

from matcher.enums import ClaimStatus, Role
from matcher.errors import DomainError
from matcher.subsidy import actions, queries
from web.extensions import limiter
from web.pages.common import FormReader, back, form_page, me, page_args, role_page
from web.security import perform, read

bp = Blueprint("agency_pages", __name__)


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
            perform(actions.recommend, actions.RecommendationInput(seeker_id, vacancy_id, note))
        except DomainError as exc:
            found = read(queries.agency_recommendations, page, per_page)
            return form_page("agency/recommendations.html", exc, page=found)
        flash(_("Recommendation recorded."))
        return back("agency_pages.recommendations_list")
    found = read(queries.agency_recommendations, page, per_page)
    return render_template("agency/recommendations.html", page=found, form={}, errors={})


@bp.get("/placements")
@role_page(Role.AGENCY)
def placements() -> str:
    """Placements attributed to the agency."""
    found = read(queries.agency_placements, *page_args())
    return render_template("agency/placements.html", page=found)


def _claims_page(**context: Any) -> dict[str, Any]:
    found = read(queries.claim_list, *page_args(), _status())
    return {"page": found, "rules": read(queries.claim_rules), "statuses": list(ClaimStatus),
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
        result = perform(actions.submit_claim,
                         actions.ClaimInput(placement_id, rule_code, key, tranche))
    except DomainError as exc:
        return form_page("agency/claims.html", exc, **_claims_page())
    flash(_("This claim was already submitted.") if result.replayed
          else _("Claim submitted."))
    return back("agency_pages.claim", claim_id=result.claim.id)


@bp.get("/claims/<int:claim_id>")
@role_page(Role.AGENCY)
def claim(claim_id: int) -> str:
    """One own claim with its evaluation trace."""
    return render_template("agency/claim.html", c=read(queries.claim_detail, claim_id))
