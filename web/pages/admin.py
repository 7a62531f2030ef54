"""Bureau-admin pages: claim approvals (approve, reject with reason, pay), key-enterprise
tiers, the audit log, and approving registered enterprises and agencies."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

from flask import Blueprint, abort, flash, render_template, request
from flask_babel import gettext as _

from matcher.accounts import actions as accounts
from matcher.accounts import queries as account_queries
from matcher.bureau import actions as bureau
from matcher.bureau import queries as bureau_queries
from matcher.enums import ClaimStatus, KeyTier, Role
from matcher.errors import DomainError
from matcher.subsidy import actions, queries
from matcher.subsidy.audit_words import ACTIONS, ENTITIES
from matcher.words import N_, Msg, msg, word
from web.i18n import translate, translate_fields
from web.pages.claims import claim_context, plain_yuan, rule_labels
from web.pages.common import FormReader, back, page_args, role_page, yuan
from web.pages.confirm import ask_first
from web.security import perform, read

bp = Blueprint("admin_pages", __name__)
#: an organisation's approval states, shown as words on the accounts desk
APPROVAL_WORDS = (N_("pending"), N_("approved"), N_("rejected"))


def _status(default: str = "submitted") -> ClaimStatus | None:
    try:
        return ClaimStatus(request.args.get("status", default))
    except ValueError:
        return None  # "all"


@bp.get("/")
@role_page(Role.ADMIN)
def claims_list() -> str:
    """Claims waiting for a decision (or in any other status)."""
    status = _status()
    found = read(queries.claim_list, *page_args(), status)
    return render_template("admin/claims.html", page=found, status=status,
                           statuses=list(ClaimStatus), rules=rule_labels())


def _claim_page(claim_id: int, errors: dict[str, list[str]] | None = None) -> str:
    return render_template("admin/claim.html", errors=errors or {}, form=request.form,
                           **claim_context(read(queries.claim_detail, claim_id)))


#: the question asked before each decision (irreversible), and whether it is a danger
QUESTIONS = {
    "approve": (msg("Approve claim %(id)s: %(amount)s yuan to %(name)s?"), False),
    "reject": (msg("Reject claim %(id)s of %(name)s? This cannot be undone."), True),
    "pay": (msg("Pay %(amount)s yuan to %(name)s?"), False),
}


def _ask(claim_id: int, step: str) -> tuple[str, int] | None:
    """The confirmation page of ``step`` on a claim (None once confirmed)."""
    c = read(queries.claim_detail, claim_id)
    question, danger = QUESTIONS[step]
    name = c.claimant_name or str(c.claimant_id)
    rules = rule_labels()
    details: list[tuple[object, object]] = [
        (msg("Claimant"), f"{translate(word(c.claimant_kind))} {name}"),
        (msg("Subsidy"), rules.get(c.rule_code, c.rule_code)),
        (msg("Placement"), f"{c.seeker_name} · {c.vacancy_title} · {c.enterprise_name}"),
        (msg("Amount"), yuan(c.amount_fen)),
    ]
    if request.form.get("reason"):
        details.append((msg("Reason"), request.form["reason"]))
    asked = msg(question.msgid, id=claim_id, amount=plain_yuan(c.amount_fen), name=name)
    return ask_first(asked, details=details, danger=danger)


@bp.get("/claims/<int:claim_id>")
@role_page(Role.ADMIN)
def claim(claim_id: int) -> str:
    """Any claim with its trace and the decision forms."""
    return _claim_page(claim_id)


def _decide(claim_id: int, fn: Callable[..., Any], *args: Any, done: str, step: str,
            check: Callable[[], None] | None = None) -> Any:
    """Confirm, then perform one decision on a claim; a refusal re-renders the claim."""
    try:
        if check is not None:
            check()
        page = _ask(claim_id, step)
        if page:
            return page
        perform(fn, claim_id, *args)
    except DomainError as exc:
        if exc.status == 404:
            raise
        errors = translate_fields(exc.fields) or {"_form": [translate(exc.message)]}
        return _claim_page(claim_id, errors), exc.status
    flash(done)
    return back("admin_pages.claim", claim_id=claim_id)


@bp.post("/claims/<int:claim_id>/approve")
@role_page(Role.ADMIN)
def approve(claim_id: int) -> Any:
    """Approve a submitted claim (refused if a cap is full)."""
    note = request.form.get("note", "").strip()
    return _decide(claim_id, actions.approve_claim, note, done=_("Claim approved."),
                   step="approve")


@bp.post("/claims/<int:claim_id>/reject")
@role_page(Role.ADMIN)
def reject(claim_id: int) -> Any:
    """Reject a submitted claim with a reason."""
    form = FormReader(request.form)
    reason = form.text("reason", required=True)
    return _decide(claim_id, actions.reject_claim, reason, done=_("Claim rejected."),
                   step="reject", check=form.check)


@bp.post("/claims/<int:claim_id>/pay")
@role_page(Role.ADMIN)
def pay(claim_id: int) -> Any:
    """Pay an approved claim (one append-only ledger row)."""
    return _decide(claim_id, actions.pay_claim, done=_("Claim paid."), step="pay")


@bp.get("/tiers")
@role_page(Role.ADMIN)
def tiers() -> str:
    """Enterprises with their key tier, searchable by name."""
    words = request.args.get("q", "").strip()
    found = read(bureau_queries.enterprise_tiers, words, *page_args())
    return render_template("admin/tiers.html", page=found, words=words, tiers=list(KeyTier))


@bp.post("/tiers/<int:enterprise_id>")
@role_page(Role.ADMIN)
def set_tier(enterprise_id: int) -> Any:
    """Set one enterprise's key tier."""
    try:
        done = perform(bureau.set_key_tier, enterprise_id, request.form.get("key_tier", ""))
    except DomainError as exc:
        if exc.status == 404:
            raise
        flash(translate(exc.message), "error")
        return back("admin_pages.tiers", q=request.form.get("q", ""))
    flash(_("%(name)s is now tier %(tier)s.", name=done["name"],
            tier=translate(word(str(done["key_tier"])))))
    return back("admin_pages.tiers", q=request.form.get("q", ""),
                page=request.form.get("page", 1))


@bp.get("/audit")
@role_page(Role.ADMIN)
def audit_log() -> str:
    """The audit log, newest first, optionally for one entity."""
    entity = request.args.get("entity", "").strip() or None
    entity_id = request.args.get("entity_id", "").strip() or None
    found = read(queries.audit_log, *page_args(), entity, entity_id)
    rules = rule_labels()
    found = replace(found, items=[_audit_words(a, rules) for a in found.items])
    entities = sorted(((code, translate(word(name))) for code, name in ENTITIES.items()),
                      key=lambda pair: pair[1])
    return render_template("admin/audit.html", page=found, entity=entity or "",
                           entity_id=entity_id or "", entities=entities)


def _audit_words(a: dict[str, Any], rules: dict[str, str]) -> dict[str, Any]:
    """An audit row with its action, record kind, record and actor in the reader's language."""
    action, entity, record = a["action"], a["entity"], str(a["entity_id"] or "")
    if entity == "subsidy_rule":  # "code@version" or "code": the subsidy's name
        code, _, version = record.partition("@")
        record = rules.get(code, code) + (
            f" ({translate(msg('version %(n)s', n=version))})" if version else "")
    return {**a, "entity_id": record,
            "action_text": translate(word(ACTIONS[action])) if action in ACTIONS else action,
            "entity_text": translate(word(ENTITIES[entity])) if entity in ENTITIES else entity,
            "actor_text": translate(a["actor_name"]) if isinstance(a["actor_name"], Msg)
            else a["actor_name"] or a["actor"]}


@bp.get("/accounts")
@role_page(Role.ADMIN)
def accounts_list() -> str:
    """Registered enterprises and agencies waiting for approval (or in another state)."""
    status = request.args.get("status", "pending")
    if status not in ("pending", "approved", "rejected"):
        status = "pending"
    return render_template("admin/accounts.html", status=status,
                           enterprises=read(account_queries.organisations, "enterprise", status),
                           agencies=read(account_queries.organisations, "agency", status))


def _decided(call: Callable[[], Any]) -> Any:
    """Run one approval decision; a refusal is flashed and the desk shown again."""
    try:
        done = call()
    except DomainError as exc:
        if exc.status == 404:
            raise
        shown = translate_fields(exc.fields) or {}
        details = " ".join(str(m) for ms in shown.values() for m in ms)
        flash(f"{translate(exc.message)} {details}".strip(), "error")
        return back("admin_pages.accounts_list")
    flash(_("%(name)s: %(state)s.", name=done.name, state=_(done.approval_status)))
    return back("admin_pages.accounts_list")


def _kind(kind: str) -> str:
    if kind not in ("enterprise", "agency"):
        abort(404)
    return kind


@bp.post("/accounts/<kind>/<int:org_id>/approve")
@role_page(Role.ADMIN)
def approve_account(kind: str, org_id: int) -> Any:
    """Approve one registered enterprise or agency."""
    return _decided(lambda: perform(accounts.approve_organisation, _kind(kind), org_id))


@bp.post("/accounts/<kind>/<int:org_id>/reject")
@role_page(Role.ADMIN)
def reject_account(kind: str, org_id: int) -> Any:
    """Reject one registered enterprise or agency, with a reason."""
    reason = request.form.get("reason", "").strip()
    return _decided(lambda: perform(accounts.reject_organisation, _kind(kind), org_id, reason))
