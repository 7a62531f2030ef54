"""HR-agency pages: find consenting seekers and open vacancies by words, recommend with one
button (no internal numbers typed), placements, subsidy claims with state and trace."""

from __future__ import annotations

import uuid
from types import SimpleNamespace
from typing import Any

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from matcher.enums import ClaimStatus, Role, SeekerCategory
from matcher.errors import DomainError
from matcher.subsidy import actions, queries
from matcher.vacancies.queries import get_vacancy, search_vacancies
from web.auth.next_url import same_site
from web.extensions import limiter
from web.pages.claims import claim_context, on_form, rule_labels
from web.pages.common import (
    FormReader,
    back,
    claim_fields,
    form_page,
    me,
    page_args,
    role_page,
)
from web.security import perform, read, read_public

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


def _recommend_from_form() -> None:
    form = FormReader(request.form)
    seeker_id = form.integer("seeker_id", required=True)
    vacancy_id = form.integer("vacancy_id", required=True)
    note = form.text("note")
    form.check()
    assert seeker_id is not None and vacancy_id is not None
    perform(actions.recommend, actions.RecommendationInput(seeker_id, vacancy_id, note))


@bp.route("/", methods=["GET", "POST"])
@role_page(Role.AGENCY)
def recommendations_list() -> Any:
    """The agency's recommendations; POST (a candidate's button) recommends one seeker."""
    page, per_page = page_args()
    if request.method == "POST":
        try:
            _recommend_from_form()
        except DomainError as exc:
            if exc.status == 404:
                raise
            found = read(queries.agency_recommendations, page, per_page)
            return form_page("agency/recommendations.html", exc, page=found)
        flash(_("Recommendation recorded."))
        return redirect(same_site(request.form.get("back")) or
                        url_for("agency_pages.recommendations_list"))
    found = read(queries.agency_recommendations, page, per_page)
    return render_template("agency/recommendations.html", page=found)


@bp.get("/seekers")
@role_page(Role.AGENCY)
def seekers() -> str:
    """Consenting job seekers (masked), by words over name, skills and desired positions."""
    words = request.args.get("q", "").strip()
    category = request.args.get("category", "").strip()
    if category not in {c.value for c in SeekerCategory}:
        category = ""
    found = read(queries.agency_seekers, words, category or None, *page_args())
    return render_template("agency/seekers.html", page=found, words=words, category=category,
                           categories=list(SeekerCategory))


@bp.get("/vacancies")
@role_page(Role.AGENCY)
def vacancies() -> str:
    """Open vacancies by words; with a chosen seeker, a Recommend button on each."""
    words = request.args.get("q", "").strip()
    page, per_page = page_args()
    found = read_public(search_vacancies, words=words, page=page, per_page=per_page)
    seeker = {"id": request.args.get("seeker_id", type=int),
              "name": request.args.get("seeker_name", "")}
    return render_template("agency/vacancies.html", page=found, words=words, seeker=seeker)


@bp.get("/vacancies/<int:vacancy_id>/candidates")
@role_page(Role.AGENCY)
def candidates(vacancy_id: int) -> str:
    """A vacancy's ranked job seekers who consent to agency recommendation, each with a button."""
    vacancy = read_public(get_vacancy, vacancy_id)
    items = [SimpleNamespace(**c) for c in read(queries.agency_candidates, vacancy_id)]
    return render_template("agency/candidates.html", vacancy=vacancy, items=items)


@bp.get("/placements")
@role_page(Role.AGENCY)
def placements() -> str:
    """Placements attributed to the agency."""
    found = read(queries.agency_placements, *page_args())
    return render_template("agency/placements.html", page=found)


def _claims_page(**context: Any) -> dict[str, Any]:
    found = read(queries.claim_list, *page_args(), _status())
    return {"page": found, "rules": rule_labels(), "statuses": list(ClaimStatus),
            "status": _status(), "idempotency_key": uuid.uuid4().hex,
            "placements": read(queries.agency_placements, 1, 100).items, **context}


@bp.get("/claims")
@role_page(Role.AGENCY)
def claims_list() -> str:
    """The agency's claims with their state; a form to submit one more."""
    # the inbox's one-click link names the placement, the rule and the tranche: all pre-filled
    form = {"placement_id": request.args.get("placement_id", ""),
            "rule_code": request.args.get("rule_code", ""),
            "tranche": request.args.get("tranche", "1")}
    return render_template("agency/claims.html", form=form, errors={}, **_claims_page())


@bp.post("/claims")
@role_page(Role.AGENCY)
@limiter.limit(_claim_limit, key_func=_caller_key)
def submit_claim() -> Any:
    """Submit a claim; the form's idempotency key makes a double submit harmless."""
    form = FormReader(request.form)
    try:
        placement_id, rule_code, key, tranche = claim_fields(form)
        result = perform(actions.submit_claim,
                         actions.ClaimInput(placement_id, rule_code, key, tranche))
    except DomainError as exc:
        return form_page("agency/claims.html", on_form(exc), **_claims_page())
    flash(_("This claim was already submitted.") if result.replayed
          else _("Claim submitted."))
    return back("agency_pages.claim", claim_id=result.claim.id)


@bp.get("/claims/<int:claim_id>")
@role_page(Role.AGENCY)
def claim(claim_id: int) -> str:
    """One own claim with its evaluation trace."""
    return render_template("agency/claim.html", **claim_context(read(queries.claim_detail,
                                                                     claim_id)))
