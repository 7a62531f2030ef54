"""Job seekers: own profile, recommendations with explanations, export, delete."""

from __future__ import annotations

from typing import Any

from flask import current_app
from flask_login import logout_user
from flask_smorest import Blueprint

from matcher.enums import Role
from matcher.seekers import actions, queries
from web.api.common import envelope, plain
from web.api.schemas import (
    ExportOut,
    MatchOut,
    OkOut,
    RecommendArgs,
    SeekerOut,
    SeekerUpdateIn,
    paged,
)
from web.extensions import limiter
from web.security import perform, principal, read, roles

blp = Blueprint("seeker", __name__, url_prefix="/api/v1/me", description="Job seekers")


def profile_limit() -> str:
    """Profile changes allowed per account (``WORKBRIDGE_PROFILE_LIMIT``)."""
    return str(current_app.config["WORKBRIDGE_PROFILE_LIMIT"])


def profile_limit_key() -> str:
    """One counter per account, shared by the API and the profile page."""
    return f"profile:{principal().user_id}"


@blp.route("/profile", methods=["GET"])
@roles(Role.SEEKER)
@blp.response(200, SeekerOut)
def get_profile() -> Any:
    """The caller's profile (identifiers masked)."""
    return plain(read(queries.my_profile))


@blp.route("/profile", methods=["PUT"])
@roles(Role.SEEKER)
@limiter.limit(profile_limit, key_func=profile_limit_key)
@blp.arguments(SeekerUpdateIn)
@blp.response(200, SeekerOut)
def put_profile(changes: dict[str, Any]) -> Any:
    """Change profile fields (the people index is refreshed after the commit).

    An ID number registered to someone else gets the same answer as a fresh one and is
    flagged for the bureau instead of stored; changes are limited per account
    (``WORKBRIDGE_PROFILE_LIMIT``, 429 with Retry-After beyond it).
    """
    return plain(perform(actions.update_profile, actions.ProfileChanges(changes)))


@blp.route("/consent/withdraw", methods=["POST"])
@roles(Role.SEEKER)
@blp.response(200, SeekerOut)
def withdraw_consent() -> Any:
    """Stop being matched (the profile stays)."""
    return plain(perform(actions.withdraw_consent))


@blp.route("/recommendations", methods=["GET"])
@roles(Role.SEEKER)
@blp.arguments(RecommendArgs, location="query")
@blp.response(200, paged(MatchOut, "SeekerMatchPage"))
def recommendations(args: dict[str, Any]) -> dict[str, Any]:
    """Recommended open vacancies, best first, each with its score components."""
    return envelope(read(queries.my_recommendations, args["page"], args["per_page"]))


@blp.route("/export", methods=["GET"])
@roles(Role.SEEKER)
@blp.response(200, ExportOut)
def export() -> dict[str, Any]:
    """Everything stored about the caller, as JSON."""
    return read(queries.my_data)


@blp.route("", methods=["DELETE"])
@roles(Role.SEEKER)
@blp.response(200, OkOut)
def delete_account() -> dict[str, bool]:
    """Delete the account: the profile is anonymized, removed from the index and results."""
    perform(actions.delete_account)
    logout_user()
    return {"ok": True}
