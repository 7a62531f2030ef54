"""API authentication: exchange credentials for a Bearer token, who am I, log out."""

from __future__ import annotations

from typing import Any

from flask import current_app, g
from flask_login import logout_user
from flask_smorest import Blueprint
from flask_wtf.csrf import generate_csrf
from werkzeug.exceptions import Unauthorized

from matcher.accounts import actions
from matcher.accounts.registration import Registration
from web.api.schemas import MeOut, OkOut, TokenIn, TokenOut
from web.api.schemas_accounts import RegisterAgencyIn, RegisteredOut, RegisterEnterpriseIn
from web.extensions import limiter
from web.security import csrf_exempt, perform, principal, unit_of_work

blp = Blueprint("auth_api", __name__, url_prefix="/api/v1/auth",
                description="Tokens and sessions")


def _login_limit() -> str:
    return str(current_app.config["WORKBRIDGE_LOGIN_LIMIT"])


@blp.route("/token", methods=["POST"])
@blp.doc(security=[])  # public
@csrf_exempt
@limiter.limit(_login_limit)
@blp.arguments(TokenIn)
@blp.response(201, TokenOut)
def issue_token(creds: dict[str, Any]) -> dict[str, Any]:
    """Exchange email and password for a new API token (shown once; replaces the old one)."""
    with unit_of_work() as uow:
        issued = actions.issue_token(uow, creds["email"], creds["password"])
    if issued is None:
        raise Unauthorized("wrong email or password")
    return {"token": issued.token, "user": issued.user}


def _register(kind: Any, data: dict[str, Any]) -> dict[str, Any]:
    with unit_of_work() as uow:
        user = actions.register_organisation(uow, Registration(kind=kind, **data))
    return {"user": user, "approval_status": user.approval}


@blp.route("/register/enterprise", methods=["POST"])
@blp.doc(security=[])  # public
@csrf_exempt
@limiter.limit(_login_limit)
@blp.arguments(RegisterEnterpriseIn)
@blp.response(201, RegisteredOut)
def register_enterprise(data: dict[str, Any]) -> dict[str, Any]:
    """Register an enterprise (credit code checked); it acts once the bureau approves it."""
    return _register("enterprise", data)


@blp.route("/register/agency", methods=["POST"])
@blp.doc(security=[])  # public
@csrf_exempt
@limiter.limit(_login_limit)
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
    """End every session of the caller; with a token, the token is revoked too."""
    perform(actions.log_out, g.auth_method == "token")
    logout_user()
    return {"ok": True}
