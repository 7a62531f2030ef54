"""Bureau administrators: key tiers, claim decisions and payment, the audit log."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from flask_smorest import Blueprint

from matcher.bureau import actions as bureau
from matcher.enums import Role
from matcher.subsidy import actions, queries
from web.api.common import envelope
from web.api.schemas import paged
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
