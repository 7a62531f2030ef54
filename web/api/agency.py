"""HR agencies: recommendations, placements, subsidy claims (own only)."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from flask import current_app
from flask_smorest import Blueprint

from matcher.enums import Role
from matcher.subsidy import actions, queries
from web.api.common import envelope
from web.api.schemas import PageArgs, paged
from web.api.schemas_accounts import (
    AgencyCandidatesOut,
    AgencySeekerOut,
    CandidateArgs,
    SeekerSearchArgs,
)
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
from web.security import perform, principal, read, roles

blp = Blueprint("agency", __name__, url_prefix="/api/v1/agency",
                description="HR agencies (own objects only)")


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
    return envelope(read(queries.agency_recommendations, args["page"], args["per_page"]))


@blp.route("/seekers", methods=["GET"])
@roles(Role.AGENCY)
@blp.arguments(SeekerSearchArgs, location="query")
@blp.response(200, paged(AgencySeekerOut, "AgencySeekerPage"))
def search_seekers(args: dict[str, Any]) -> dict[str, Any]:
    """Job seekers who consent to agency recommendation (masked), by words and category."""
    return envelope(read(queries.agency_seekers, args["q"], args["category"], args["page"],
                         args["per_page"]))


@blp.route("/candidates", methods=["GET"])
@roles(Role.AGENCY)
@blp.arguments(CandidateArgs, location="query")
@blp.response(200, AgencyCandidatesOut)
def vacancy_candidates(args: dict[str, Any]) -> dict[str, Any]:
    """An open vacancy's ranked job seekers who consent to agency recommendation (masked)."""
    return {"items": read(queries.agency_candidates, args["vacancy_id"])}


@blp.route("/recommendations", methods=["POST"])
@roles(Role.AGENCY)
@blp.arguments(RecommendationIn)
@blp.response(201, RecommendationOut)
def recommend(data: dict[str, Any]) -> Any:
    """Recommend a (consenting) job seeker for an open vacancy; the same pair again is 409
    ``duplicate_recommendation``."""
    return asdict(perform(actions.recommend, actions.RecommendationInput(
        data["seeker_id"], data["vacancy_id"], data["note"])))


@blp.route("/placements", methods=["GET"])
@roles(Role.AGENCY)
@blp.arguments(PageArgs, location="query")
@blp.response(200, paged(PlacementOut, "AgencyPlacementPage"))
def list_placements(args: dict[str, Any]) -> dict[str, Any]:
    """Placements attributed to the agency."""
    return envelope(read(queries.agency_placements, args["page"], args["per_page"]))


@blp.route("/claims", methods=["GET"])
@roles(Role.AGENCY)
@blp.arguments(ClaimListArgs, location="query")
@blp.response(200, paged(ClaimOut, "AgencyClaimPage"))
def list_claims(args: dict[str, Any]) -> dict[str, Any]:
    """The agency's subsidy claims, optionally in one status."""
    return envelope(read(queries.claim_list, args["page"], args["per_page"], args["status"]))


@blp.route("/claims", methods=["POST"])
@roles(Role.AGENCY)
@limiter.limit(_claim_limit, key_func=_caller_key)
@blp.arguments(IdempotencyHeader, location="headers")
@blp.arguments(ClaimIn)
@blp.response(201, ClaimOut)
@blp.alt_response(200, schema=ClaimOut, description="a retry with the same Idempotency-Key")
def submit_claim(header: dict[str, Any], data: dict[str, Any]) -> Any:
    """Submit a claim; a retry with the same ``Idempotency-Key`` returns the first one."""
    result = perform(actions.submit_claim, actions.ClaimInput(
        data["placement_id"], data["rule_code"], header["idempotency_key"], data["tranche"]))
    return asdict(result.claim), 200 if result.replayed else 201


@blp.route("/claims/<int:claim_id>", methods=["GET"])
@roles(Role.AGENCY)
@blp.response(200, ClaimOut)
def get_claim(claim_id: int) -> Any:
    """One own claim with its evaluation trace."""
    return asdict(read(queries.claim_detail, claim_id))
