"""Bureau-admin pages: claim approvals (approve, reject with reason, pay), key-enterprise
tiers and the audit log."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, render_template, request
from flask_babel import gettext as _
from sqlalchemy import select

from matcher.accounts import listings
from matcher.accounts.bureau_admin import set_key_tier
from matcher.enums import ClaimStatus, KeyTier, Role
from matcher.errors import DomainError
from matcher.models import Enterprise
from matcher.subsidy import claims, ledger
from web import runtime
from web.pages.common import FormReader, back, me, page_args, role_page
from web.security import reading, unit_of_work

bp = Blueprint("admin_pages", __name__)


def _status(default: str = "submitted") -> ClaimStatus | None:
    try:
        return ClaimStatus(request.args.get("status", default))
    except ValueError:
        return None  # "all"


@bp.get("/")
@role_page(Role.ADMIN)
def claims_list() -> str:
    """Claims waiting for a decision (or in any other status)."""
    page, per_page = page_args()
    status = _status()
    with reading() as s:
        found = listings.claims(s, page, per_page, status=status)
    return render_template("admin/claims.html", page=found, status=status,
                           statuses=list(ClaimStatus))


def _claim_page(claim_id: int, errors: dict[str, list[str]] | None = None) -> str:
    with unit_of_work() as uow:
        view = claims.get_claim(uow, claim_id, actor=me().actor())
    return render_template("admin/claim.html", c=view, errors=errors or {},
                           form=request.form)


@bp.get("/claims/<int:claim_id>")
@role_page(Role.ADMIN)
def claim(claim_id: int) -> str:
    """Any claim with its trace and the decision forms."""
    return _claim_page(claim_id)


def _decide(claim_id: int, action: Any, done: str) -> Any:
    try:
        with unit_of_work() as uow:
            action(uow)
    except DomainError as exc:
        if exc.status == 404:
            raise
        errors = exc.fields or {"_form": [exc.message]}
        return _claim_page(claim_id, errors), exc.status
    flash(done)
    return back("admin_pages.claim", claim_id=claim_id)


@bp.post("/claims/<int:claim_id>/approve")
@role_page(Role.ADMIN)
def approve(claim_id: int) -> Any:
    """Approve a submitted claim (refused if a cap is full)."""
    note = request.form.get("note", "").strip()
    return _decide(claim_id, lambda uow: claims.approve_claim(
        uow, claim_id, actor=me().actor(), note=note), _("Claim approved."))


@bp.post("/claims/<int:claim_id>/reject")
@role_page(Role.ADMIN)
def reject(claim_id: int) -> Any:
    """Reject a submitted claim with a reason."""
    form = FormReader(request.form)
    reason = form.text("reason", required=True)

    def act(uow: Any) -> None:
        form.check()
        claims.reject_claim(uow, claim_id, actor=me().actor(), reason=reason)

    return _decide(claim_id, act, _("Claim rejected."))


@bp.post("/claims/<int:claim_id>/pay")
@role_page(Role.ADMIN)
def pay(claim_id: int) -> Any:
    """Pay an approved claim (one append-only ledger row)."""
    return _decide(claim_id, lambda uow: ledger.pay_claim(uow, claim_id, actor=me().actor()),
                   _("Claim paid."))


def _tier_row(e: Enterprise) -> dict[str, Any]:
    return {"id": e.id, "name": e.name, "district": e.district, "key_tier": str(e.key_tier),
            "key_tier_set_on": e.key_tier_set_on}


@bp.get("/tiers")
@role_page(Role.ADMIN)
def tiers() -> str:
    """Enterprises with their key tier, searchable by name."""
    page, per_page = page_args()
    words = request.args.get("q", "").strip()
    stmt = select(Enterprise).order_by(Enterprise.id)
    if words:
        stmt = stmt.where(Enterprise.name.contains(words, autoescape=True))
    with reading() as s:
        found = listings.paginate(s, stmt, page, per_page, _tier_row)
    return render_template("admin/tiers.html", page=found, words=words, tiers=list(KeyTier))


@bp.post("/tiers/<int:enterprise_id>")
@role_page(Role.ADMIN)
def set_tier(enterprise_id: int) -> Any:
    """Set one enterprise's key tier."""
    try:
        with unit_of_work() as uow:
            done = set_key_tier(runtime(), uow, enterprise_id, request.form.get("key_tier", ""),
                                actor=me().actor_name)
    except DomainError as exc:
        if exc.status == 404:
            raise
        flash(exc.message, "error")
        return back("admin_pages.tiers", q=request.form.get("q", ""))
    flash(_("%(name)s is now tier %(tier)s.", name=done["name"], tier=done["key_tier"]))
    return back("admin_pages.tiers", q=request.form.get("q", ""),
                page=request.form.get("page", 1))


@bp.get("/audit")
@role_page(Role.ADMIN)
def audit_log() -> str:
    """The audit log, newest first, optionally for one entity."""
    page, per_page = page_args()
    entity = request.args.get("entity", "").strip() or None
    entity_id = request.args.get("entity_id", "").strip() or None
    with reading() as s:
        found = listings.audit_log(s, page, per_page, entity=entity, entity_id=entity_id)
    return render_template("admin/audit.html", page=found, entity=entity or "",
                           entity_id=entity_id or "")
