"""API authentication: exchange credentials for a named Bearer token, list and revoke one's
tokens, who am I, log out.

``POST /token`` is throttled per account and per address together with the login page
(``web/extensions.py``): a locked account answers 429 ``too_many_attempts`` with
``Retry-After``, too many failures from one address 429 ``too_many_requests``.
"""

from __future__ import annotations

from typing import Any

from flask import g, request
from flask_login import logout_user
from flask_smorest import Blueprint
from flask_wtf.csrf import generate_csrf
from werkzeug.exceptions import Unauthorized

from matcher.accounts import actions
from matcher.accounts.registration import Registration
from matcher.accounts.throttle import TooManyAttempts
from matcher.words import msg
from web.api.schemas import MeOut, OkOut, PageArgs, TokenIn, TokenOut
from web.api.schemas_accounts import (
    ApiTokenOut,
    ApiTokensOut,
    RegisterAgencyIn,
    RegisteredOut,
    RegisterEnterpriseIn,
)
from web.extensions import limiter, login_limited, login_throttle, refused, signup_limit
from web.security import csrf_exempt, perform, principal, read, unit_of_work

blp = Blueprint("auth_api", __name__, url_prefix="/api/v1/auth",
                description="Tokens and sessions")


@blp.route("/token", methods=["POST"])
@blp.doc(security=[])  # public
@csrf_exempt
@login_limited
@blp.arguments(TokenIn)
@blp.response(201, TokenOut)
@blp.alt_response(429, description="too many failed logins for this account "
                  "(too_many_attempts) or from this address (too_many_requests); see "
                  "Retry-After")
def issue_token(creds: dict[str, Any]) -> dict[str, Any]:
    """Exchange email and password for a new named API token (shown once; the caller's other
    tokens stay valid)."""
    try:
        with unit_of_work() as uow:
            issued = actions.issue_token(uow, creds["email"], creds["password"],
                                         login_throttle(), creds.get("name"))
    except TooManyAttempts as exc:
        raise refused(exc) from None
    if issued is None:
        raise Unauthorized(msg("Wrong email or password."))
    return {"token": issued.token, "id": issued.id, "name": issued.name, "user": issued.user}


@blp.route("/tokens", methods=["GET"])
@blp.arguments(PageArgs, location="query")
@blp.response(200, ApiTokensOut)
def list_tokens(args: dict[str, Any]) -> dict[str, Any]:
    """The caller's live API tokens (names and dates, never the secrets), newest first."""
    found = read(actions.my_tokens)
    page, per_page = args["page"], args["per_page"]
    return {"items": found[(page - 1) * per_page:page * per_page],
            "page": {"page": page, "per_page": per_page, "total": len(found),
                     "pages": -(-len(found) // per_page)}}


@blp.route("/tokens/<int:token_id>", methods=["DELETE"])
@blp.response(200, ApiTokenOut)
def revoke_token(token_id: int) -> Any:
    """Revoke one of the caller's API tokens (another user's token: 404); the others stay."""
    return perform(actions.revoke_my_token, token_id)


def _register(kind: Any, data: dict[str, Any]) -> dict[str, Any]:
    with unit_of_work() as uow:
        user = actions.register_organisation(uow, Registration(kind=kind, **data))
    return {"user": user, "approval_status": user.approval}


@blp.route("/register/enterprise", methods=["POST"])
@blp.doc(security=[])  # public
@csrf_exempt
@limiter.limit(signup_limit)
@blp.arguments(RegisterEnterpriseIn)
@blp.response(201, RegisteredOut)
def register_enterprise(data: dict[str, Any]) -> dict[str, Any]:
    """Register an enterprise (credit code checked); it acts once the bureau approves it."""
    return _register("enterprise", data)


@blp.route("/register/agency", methods=["POST"])
@blp.doc(security=[])  # public
@csrf_exempt
@limiter.limit(signup_limit)
@blp.arguments(RegisterAgencyIn)
@blp.response(201, RegisteredOut)
def register_agency(data: dict[str, Any]) -> dict[str, Any]:
    """Register an HR agency (licence number); it acts once the bureau approves it."""
    return _register("agency", data)


@blp.route("/me", methods=["GET"])
@blp.response(200, MeOut)
def me() -> dict[str, Any]:
    """The caller, and a CSRF token for cookie-authenticated writes."""
    p = principal()
    return {"user": {"id": p.user_id, "email": p.email, "role": p.role.value,
                     "enterprise_id": p.enterprise_id, "agency_id": p.agency_id,
                     "seeker_id": p.seeker_id},
            "csrf_token": generate_csrf() if g.auth_method == "session" else None}


@blp.route("/logout", methods=["POST"])
@blp.response(200, OkOut)
def logout() -> dict[str, bool]:
    """End every session of the caller; with a token, that token is revoked too (the
    caller's other tokens stay valid)."""
    token = None
    if g.auth_method == "token":
        token = request.headers.get("Authorization", "").partition(" ")[2].strip()
    perform(actions.log_out, token)
    logout_user()
    return {"ok": True}
