"""Job seekers: own profile, recommendations with explanations, export, delete."""

from __future__ import annotations

from typing import Any

from flask_login import logout_user
from flask_smorest import Blueprint

from matcher.accounts import users
from matcher.accounts.export import export_seeker, own_profile
from matcher.accounts.listings import slice_page
from matcher.enums import Role
from matcher.matching.service import recommend_vacancies
from matcher.services import seekers
from web import runtime
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
from web.security import principal, roles, unit_of_work

blp = Blueprint("seeker", __name__, url_prefix="/api/v1/me", description="Job seekers")


def _seeker_id() -> int:
    sid = principal().seeker_id
    assert sid is not None  # roles() checked the link
    return sid


@blp.route("/profile", methods=["GET"])
@roles(Role.SEEKER)
@blp.response(200, SeekerOut)
def get_profile() -> Any:
    """The caller's profile (identifiers masked)."""
    with unit_of_work() as uow:
        return plain(own_profile(uow, _seeker_id()))


@blp.route("/profile", methods=["PUT"])
@roles(Role.SEEKER)
@blp.arguments(SeekerUpdateIn)
@blp.response(200, SeekerOut)
def put_profile(changes: dict[str, Any]) -> Any:
    """Change profile fields (the people index is refreshed after the commit)."""
    changes = {k: tuple(v) if isinstance(v, list) else v for k, v in changes.items()}
    with unit_of_work() as uow:
        view = seekers.update_seeker(runtime(), uow, _seeker_id(), changes,
                                     actor=principal().actor_name)
    return plain(view)


@blp.route("/consent/withdraw", methods=["POST"])
@roles(Role.SEEKER)
@blp.response(200, SeekerOut)
def withdraw_consent() -> Any:
    """Stop being matched (the profile stays)."""
    with unit_of_work() as uow:
        view = seekers.withdraw_consent(runtime(), uow, _seeker_id(),
                                        actor=principal().actor_name)
    return plain(view)


@blp.route("/recommendations", methods=["GET"])
@roles(Role.SEEKER)
@blp.arguments(RecommendArgs, location="query")
@blp.response(200, paged(MatchOut, "SeekerMatchPage"))
def recommendations(args: dict[str, Any]) -> dict[str, Any]:
    """Recommended open vacancies, best first, each with its score components."""
    page, per_page = args["page"], args["per_page"]
    found = recommend_vacancies(runtime(), _seeker_id(), k=page * per_page)
    return envelope(slice_page(found, page, per_page))


@blp.route("/export", methods=["GET"])
@roles(Role.SEEKER)
@blp.response(200, ExportOut)
def export() -> dict[str, Any]:
    """Everything stored about the caller, as JSON."""
    with unit_of_work() as uow:
        return export_seeker(runtime(), uow, _seeker_id())


@blp.route("", methods=["DELETE"])
@roles(Role.SEEKER)
@blp.response(200, OkOut)
def delete_account() -> dict[str, bool]:
    """Delete the account: the profile is anonymized, removed from the index and results."""
    p = principal()
    with unit_of_work() as uow:
        seekers.delete_seeker(runtime(), uow, _seeker_id(), actor=p.actor_name)
        users.deactivate(uow, p.user_id, actor=p.actor_name)
    logout_user()
    return {"ok": True}
