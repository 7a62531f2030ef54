"""Enterprise and person claims and eligibility; the bureau's unclaimed list and direct pay.

Three blueprints: ``/api/v1/me`` (a person), ``/api/v1/enterprise`` (an enterprise), and
``/api/v1/admin/eligibility`` (the bureau). Claims work as for agencies: an
``Idempotency-Key`` header, ``{"placement_id", "rule_code", "tranche"}``, 201 (200 for a
retry with the same key), 409 ``duplicate_claim``, another's placement 404.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from flask import Response, current_app
from flask_smorest import Blueprint

from matcher.enums import Role
from matcher.subsidy import claimant_actions as actions
from matcher.subsidy import claimant_queries as queries
from web.api.common import envelope
from web.api.schemas import paged
from web.api.schemas_agency import ClaimIn, ClaimListArgs, ClaimOut, IdempotencyHeader
from web.api.schemas_claims import (
    CategoryIn,
    CategoryOut,
    DirectPayIn,
    DirectPayOut,
    EligibilityList,
    UnclaimedArgs,
    UnclaimedOut,
)
from web.extensions import limiter
from web.i18n import translate
from web.security import perform, principal, read, roles

seeker_blp = Blueprint("seeker_claims", __name__, url_prefix="/api/v1/me",
                       description="A person's own subsidy claims and eligibility")
enterprise_blp = Blueprint("enterprise_claims", __name__, url_prefix="/api/v1/enterprise",
                           description="An enterprise's own subsidy claims and eligibility")
admin_blp = Blueprint("admin_eligibility", __name__, url_prefix="/api/v1/admin/eligibility",
                      description="The bureau: who is owed and has not claimed; direct payment")
category_blp = Blueprint("admin_categories", __name__, url_prefix="/api/v1/admin",
                         description="The bureau: enterprise size and leading-industrial flag")
BLUEPRINTS = (seeker_blp, enterprise_blp, admin_blp, category_blp)


def _claim_limit() -> str:
    return str(current_app.config["WORKBRIDGE_CLAIM_LIMIT"])


def _caller_key() -> str:
    return f"user:{principal().user_id}"


def _submit(action: Any, header: dict[str, Any], data: dict[str, Any]) -> Any:
    result = perform(action, actions.OwnClaimInput(
        data["placement_id"], data["rule_code"], header["idempotency_key"], data["tranche"]))
    return asdict(result.claim), 200 if result.replayed else 201


def _routes(blp: Blueprint, role: Role, submit_action: Any) -> None:
    """The same four routes for a person (/me) and an enterprise (/enterprise)."""
    @blp.route("/claims", methods=["GET"])
    @roles(role)
    @blp.arguments(ClaimListArgs, location="query")
    @blp.response(200, paged(ClaimOut, f"{role.value.title()}ClaimPage"))
    def list_claims(args: dict[str, Any]) -> dict[str, Any]:
        """The caller's own subsidy claims, newest first, optionally in one status."""
        return envelope(read(queries.own_claims, args["page"], args["per_page"],
                             args["status"]))

    @blp.route("/claims", methods=["POST"])
    @roles(role)
    @limiter.limit(_claim_limit, key_func=_caller_key)
    @blp.arguments(IdempotencyHeader, location="headers")
    @blp.arguments(ClaimIn)
    @blp.response(201, ClaimOut)
    @blp.alt_response(200, schema=ClaimOut, description="a retry with the same key")
    def submit_claim(header: dict[str, Any], data: dict[str, Any]) -> Any:
        """Claim for an own placement; 409 ``duplicate_claim`` if the slot is taken,
        422 ``not_eligible`` with what is missing, 404 for another's placement."""
        return _submit(submit_action, header, data)

    @blp.route("/claims/<int:claim_id>", methods=["GET"])
    @roles(role)
    @blp.response(200, ClaimOut)
    def get_claim(claim_id: int) -> Any:
        """One own claim with its evaluation trace."""
        return asdict(read(queries.own_claim, claim_id))

    @blp.route("/eligibility", methods=["GET"])
    @roles(role)
    @blp.response(200, EligibilityList)
    def eligibility() -> dict[str, Any]:
        """Every rule the caller's placements were evaluated under: eligible with the
        amount, or not yet with what is missing; each with its trace."""
        return {"items": [{**item, "missing": [translate(m) for m in item["missing"]]}
                          for item in read(queries.own_eligibility)]}


_routes(seeker_blp, Role.SEEKER, actions.submit_person_claim)
_routes(enterprise_blp, Role.ENTERPRISE, actions.submit_enterprise_claim)


@admin_blp.route("/unclaimed", methods=["GET"])
@roles(Role.ADMIN)
@admin_blp.arguments(UnclaimedArgs, location="query")
@admin_blp.response(200, paged(UnclaimedOut, "UnclaimedPage"))
def unclaimed(args: dict[str, Any]) -> dict[str, Any]:
    """Eligible parties that have not claimed, by rule and district, with amounts."""
    return envelope(read(queries.unclaimed, args["rule_code"], args["district"],
                         args["page"], args["per_page"]))


@admin_blp.route("/unclaimed.csv", methods=["GET"])
@roles(Role.ADMIN)
@admin_blp.arguments(UnclaimedArgs, location="query")
@admin_blp.response(200, {"type": "string"}, content_type="text/csv")
def unclaimed_csv(args: dict[str, Any]) -> Response:
    """The whole unclaimed list as CSV (formula-like cells are neutralised)."""
    body = read(queries.unclaimed_csv, args["rule_code"], args["district"])
    return Response(body, mimetype="text/csv", headers={
        "Content-Disposition": "attachment; filename=unclaimed.csv"})


@admin_blp.route("/direct-pay", methods=["POST"])
@roles(Role.ADMIN)
@admin_blp.arguments(DirectPayIn)
@admin_blp.response(200, DirectPayOut)
def direct_pay(data: dict[str, Any]) -> Any:
    """免申即享: create, approve and pay the claims of a ``direct_payment`` rule for the
    placements given; run twice, it pays once (422 ``not_direct_payment`` otherwise)."""
    done = asdict(perform(actions.direct_pay, data["rule_code"], data["placement_ids"]))
    done["skipped"] = [{**s, "reason": translate(s["reason"])} for s in done["skipped"]]
    return done


@category_blp.route("/enterprises/<int:enterprise_id>/category", methods=["PUT"])
@roles(Role.ADMIN)
@category_blp.arguments(CategoryIn)
@category_blp.response(200, CategoryOut)
def put_category(data: dict[str, Any], enterprise_id: int) -> Any:
    """Set an enterprise's size class and leading-industrial flag; its placements'
    subsidy eligibility is evaluated again."""
    size = data["size_class"].value if data["size_class"] is not None else None
    return perform(actions.set_enterprise_category, enterprise_id, size,
                   data["is_leading_industrial"])
