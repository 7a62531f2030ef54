"""HR agencies: recommendations, placements, subsidy claims (own only)."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from flask import current_app
from flask_smorest import Blueprint

from matcher.accounts import listings
from matcher.accounts import permissions as perm
from matcher.enums import ClaimantKind, Role
from matcher.subsidy import claims, recommendations
from matcher.subsidy.evaluate import Claimant
from matcher.subsidy.rule_store import current_rules
from web import runtime
from web.api.common import envelope
from web.api.schemas import PageArgs, paged
from web.api.schemas_agency import (
    ClaimIn,
    ClaimListArgs,
    ClaimOut,
    IdempotencyHeader,
    PlacementOut,
    RecommendationIn,
    RecommendationOut,
)
from web.extensions import limiter
from web.security import principal, reading, roles, unit_of_work

blp = Blueprint("agency", __name__, url_prefix="/api/v1/agency",
                description="HR agencies (own objects only)")


def _aid() -> int:
    aid = principal().agency_id
    assert aid is not None
    return aid


def _claim_limit() -> str:
    return str(current_app.config["WORKBRIDGE_CLAIM_LIMIT"])


def _caller_key() -> str:
    return f"user:{principal().user_id}"


@blp.route("/recommendations", methods=["GET"])
@roles(Role.AGENCY)
@blp.arguments(PageArgs, location="query")
@blp.response(200, paged(RecommendationOut, "AgencyRecommendationPage"))
def list_recommendations(args: dict[str, Any]) -> dict[str, Any]:
    """The agency's recommendations, newest first."""
    with reading() as s:
        return envelope(listings.agency_recommendations(s, _aid(), args["page"],
                                                        args["per_page"]))


@blp.route("/recommendations", methods=["POST"])
@roles(Role.AGENCY)
@blp.arguments(RecommendationIn)
@blp.response(201, RecommendationOut)
def recommend(data: dict[str, Any]) -> Any:
    """Recommend a (consenting) job seeker for an open vacancy."""
    p = principal()
    with unit_of_work() as uow:
        view = recommendations.recommend(uow, agency_id=_aid(), seeker_id=data["seeker_id"],
                                         vacancy_id=data["vacancy_id"], actor=p.actor(),
                                         note=data["note"])
    return asdict(view)


@blp.route("/placements", methods=["GET"])
@roles(Role.AGENCY)
@blp.arguments(PageArgs, location="query")
@blp.response(200, paged(PlacementOut, "AgencyPlacementPage"))
def list_placements(args: dict[str, Any]) -> dict[str, Any]:
    """Placements attributed to the agency."""
    with reading() as s:
        return envelope(listings.agency_placements(s, _aid(), args["page"], args["per_page"]))


@blp.route("/claims", methods=["GET"])
@roles(Role.AGENCY)
@blp.arguments(ClaimListArgs, location="query")
@blp.response(200, paged(ClaimOut, "AgencyClaimPage"))
def list_claims(args: dict[str, Any]) -> dict[str, Any]:
    """The agency's subsidy claims, optionally in one status."""
    with reading() as s:
        return envelope(listings.claims(s, args["page"], args["per_page"], agency_id=_aid(),
                                        status=args["status"]))


@blp.route("/claims", methods=["POST"])
@roles(Role.AGENCY)
@limiter.limit(_claim_limit, key_func=_caller_key)
@blp.arguments(IdempotencyHeader, location="headers")
@blp.arguments(ClaimIn)
@blp.response(201, ClaimOut)
@blp.alt_response(200, schema=ClaimOut, description="a retry with the same Idempotency-Key")
def submit_claim(header: dict[str, Any], data: dict[str, Any]) -> Any:
    """Submit a claim; a retry with the same ``Idempotency-Key`` returns the first one."""
    rt, p = runtime(), principal()
    req = claims.ClaimRequest(Claimant(ClaimantKind.AGENCY, _aid()), data["placement_id"],
                              data["rule_code"], data["tranche"])
    with unit_of_work() as uow:
        result = claims.submit_claim(uow, current_rules(rt), req,
                                     idempotency_key=header["idempotency_key"], actor=p.actor())
    return asdict(result.claim), 200 if result.replayed else 201


@blp.route("/claims/<int:claim_id>", methods=["GET"])
@roles(Role.AGENCY)
@blp.response(200, ClaimOut)
def get_claim(claim_id: int) -> Any:
    """One own claim with its evaluation trace."""
    with unit_of_work() as uow:
        perm.own_claim(uow.s, principal(), claim_id)
        return asdict(claims.get_claim(uow, claim_id, actor=principal().actor()))
