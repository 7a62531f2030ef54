"""Bureau administrators: key tiers, claim decisions and payment, the audit log."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from flask_smorest import Blueprint

from matcher.accounts import listings
from matcher.accounts.bureau_admin import set_key_tier
from matcher.enums import Role
from matcher.subsidy import claims, ledger
from web import runtime
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
from web.security import principal, reading, roles, unit_of_work

blp = Blueprint("admin", __name__, url_prefix="/api/v1/admin",
                description="Bureau administrators")


@blp.route("/enterprises/<int:enterprise_id>/key-tier", methods=["PUT"])
@roles(Role.ADMIN)
@blp.arguments(KeyTierIn)
@blp.response(200, EnterpriseTierOut)
def put_key_tier(data: dict[str, Any], enterprise_id: int) -> Any:
    """Set an enterprise's key tier."""
    with unit_of_work() as uow:
        return set_key_tier(runtime(), uow, enterprise_id, data["key_tier"],
                            actor=principal().actor_name)


@blp.route("/claims", methods=["GET"])
@roles(Role.ADMIN)
@blp.arguments(ClaimListArgs, location="query")
@blp.response(200, paged(ClaimOut, "AdminClaimPage"))
def list_claims(args: dict[str, Any]) -> dict[str, Any]:
    """All claims, optionally in one status (``submitted``: waiting for a decision)."""
    with reading() as s:
        return envelope(listings.claims(s, args["page"], args["per_page"],
                                        status=args["status"]))


@blp.route("/claims/<int:claim_id>", methods=["GET"])
@roles(Role.ADMIN)
@blp.response(200, ClaimOut)
def get_claim(claim_id: int) -> Any:
    """Any claim with its trace."""
    with unit_of_work() as uow:
        return asdict(claims.get_claim(uow, claim_id, actor=principal().actor()))


@blp.route("/claims/<int:claim_id>/approve", methods=["POST"])
@roles(Role.ADMIN)
@blp.arguments(ApproveIn)
@blp.response(200, ClaimOut)
def approve(data: dict[str, Any], claim_id: int) -> Any:
    """Approve a submitted claim (refused if a cap is full)."""
    with unit_of_work() as uow:
        view = claims.approve_claim(uow, claim_id, actor=principal().actor(), note=data["note"])
    return asdict(view)


@blp.route("/claims/<int:claim_id>/reject", methods=["POST"])
@roles(Role.ADMIN)
@blp.arguments(RejectIn)
@blp.response(200, ClaimOut)
def reject(data: dict[str, Any], claim_id: int) -> Any:
    """Reject a submitted claim with a reason."""
    with unit_of_work() as uow:
        view = claims.reject_claim(uow, claim_id, actor=principal().actor(),
                                   reason=data["reason"])
    return asdict(view)


@blp.route("/claims/<int:claim_id>/pay", methods=["POST"])
@roles(Role.ADMIN)
@blp.response(201, LedgerOut)
def pay(claim_id: int) -> Any:
    """Pay an approved claim (one append-only ledger row)."""
    with unit_of_work() as uow:
        view = ledger.pay_claim(uow, claim_id, actor=principal().actor())
    return asdict(view)


@blp.route("/audit", methods=["GET"])
@roles(Role.ADMIN)
@blp.arguments(AuditArgs, location="query")
@blp.response(200, paged(AuditOut, "AdminAuditPage"))
def audit_log(args: dict[str, Any]) -> dict[str, Any]:
    """The audit log, newest first, optionally for one entity."""
    with reading() as s:
        return envelope(listings.audit_log(s, args["page"], args["per_page"],
                                           entity=args["entity"], entity_id=args["entity_id"]))
