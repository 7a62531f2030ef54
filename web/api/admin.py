"""Bureau administrators: key tiers, claim decisions and payment, the audit log."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from flask_smorest import Blueprint

from matcher.accounts import actions as accounts
from matcher.accounts import queries as account_queries
from matcher.bureau import actions as bureau
from matcher.enums import Role
from matcher.subsidy import actions, queries
from web.api.common import envelope
from web.api.schemas import paged
from web.api.schemas_accounts import OrgListArgs, OrgListOut, OrgOut, OrgRejectIn
from web.api.schemas_agency import (
    ApproveIn,
    AuditArgs,
    AuditOut,
    ClaimListArgs,
    ClaimOut,
    EnterpriseTierOut,
    KeyTierIn,
    LedgerOut,
    RejectIn,
)
from web.security import perform, read, roles

blp = Blueprint("admin", __name__, url_prefix="/api/v1/admin",
                description="Bureau administrators")


@blp.route("/enterprises/<int:enterprise_id>/key-tier", methods=["PUT"])
@roles(Role.ADMIN)
@blp.arguments(KeyTierIn)
@blp.response(200, EnterpriseTierOut)
def put_key_tier(data: dict[str, Any], enterprise_id: int) -> Any:
    """Set an enterprise's key tier."""
    return perform(bureau.set_key_tier, enterprise_id, data["key_tier"])


@blp.route("/claims", methods=["GET"])
@roles(Role.ADMIN)
@blp.arguments(ClaimListArgs, location="query")
@blp.response(200, paged(ClaimOut, "AdminClaimPage"))
def list_claims(args: dict[str, Any]) -> dict[str, Any]:
    """All claims, optionally in one status (``submitted``: waiting for a decision)."""
    return envelope(read(queries.claim_list, args["page"], args["per_page"], args["status"]))


@blp.route("/claims/<int:claim_id>", methods=["GET"])
@roles(Role.ADMIN)
@blp.response(200, ClaimOut)
def get_claim(claim_id: int) -> Any:
    """Any claim with its trace."""
    return asdict(read(queries.claim_detail, claim_id))


@blp.route("/claims/<int:claim_id>/approve", methods=["POST"])
@roles(Role.ADMIN)
@blp.arguments(ApproveIn)
@blp.response(200, ClaimOut)
def approve(data: dict[str, Any], claim_id: int) -> Any:
    """Approve a submitted claim (refused if a cap is full)."""
    return asdict(perform(actions.approve_claim, claim_id, data["note"]))


@blp.route("/claims/<int:claim_id>/reject", methods=["POST"])
@roles(Role.ADMIN)
@blp.arguments(RejectIn)
@blp.response(200, ClaimOut)
def reject(data: dict[str, Any], claim_id: int) -> Any:
    """Reject a submitted claim with a reason."""
    return asdict(perform(actions.reject_claim, claim_id, data["reason"]))


@blp.route("/claims/<int:claim_id>/pay", methods=["POST"])
@roles(Role.ADMIN)
@blp.response(201, LedgerOut)
def pay(claim_id: int) -> Any:
    """Pay an approved claim (one append-only ledger row)."""
    return asdict(perform(actions.pay_claim, claim_id))


@blp.route("/audit", methods=["GET"])
@roles(Role.ADMIN)
@blp.arguments(AuditArgs, location="query")
@blp.response(200, paged(AuditOut, "AdminAuditPage"))
def audit_log(args: dict[str, Any]) -> dict[str, Any]:
    """The audit log, newest first, optionally for one entity."""
    return envelope(read(queries.audit_log, args["page"], args["per_page"], args["entity"],
                         args["entity_id"]))


@blp.route("/enterprises", methods=["GET"])
@roles(Role.ADMIN)
@blp.arguments(OrgListArgs, location="query")
@blp.response(200, OrgListOut)
def list_enterprises(args: dict[str, Any]) -> dict[str, Any]:
    """Registered enterprises in one approval state (``pending`` by default)."""
    return {"items": read(account_queries.organisations, "enterprise", args["status"])}


@blp.route("/agencies", methods=["GET"])
@roles(Role.ADMIN)
@blp.arguments(OrgListArgs, location="query")
@blp.response(200, OrgListOut)
def list_agencies(args: dict[str, Any]) -> dict[str, Any]:
    """Registered HR agencies in one approval state (``pending`` by default)."""
    return {"items": read(account_queries.organisations, "agency", args["status"])}


@blp.route("/enterprises/<int:enterprise_id>/approve", methods=["POST"])
@roles(Role.ADMIN)
@blp.response(200, OrgOut)
def approve_enterprise(enterprise_id: int) -> Any:
    """Approve a registered enterprise: its users may act from now on."""
    return perform(accounts.approve_organisation, "enterprise", enterprise_id)


@blp.route("/enterprises/<int:enterprise_id>/reject", methods=["POST"])
@roles(Role.ADMIN)
@blp.arguments(OrgRejectIn)
@blp.response(200, OrgOut)
def reject_enterprise(data: dict[str, Any], enterprise_id: int) -> Any:
    """Reject a registered enterprise with a reason."""
    return perform(accounts.reject_organisation, "enterprise", enterprise_id, data["reason"])


@blp.route("/agencies/<int:agency_id>/approve", methods=["POST"])
@roles(Role.ADMIN)
@blp.response(200, OrgOut)
def approve_agency(agency_id: int) -> Any:
    """Approve a registered HR agency: its users may act from now on."""
    return perform(accounts.approve_organisation, "agency", agency_id)


@blp.route("/agencies/<int:agency_id>/reject", methods=["POST"])
@roles(Role.ADMIN)
@blp.arguments(OrgRejectIn)
@blp.response(200, OrgOut)
def reject_agency(data: dict[str, Any], agency_id: int) -> Any:
    """Reject a registered HR agency with a reason."""
    return perform(accounts.reject_organisation, "agency", agency_id, data["reason"])
