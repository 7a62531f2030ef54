"""Enterprises and HR agencies register themselves; the bureau approves or rejects them.

A registration creates the organisation (``approval_status`` pending) and its first login in
one unit of work. Until an administrator approves it, the login works but every enterprise or
agency action is refused (``account_pending``, :func:`matcher.principal.require_approved`).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any, Literal

from sqlalchemy import select, true
from sqlalchemy.exc import IntegrityError

from matcher import audit
from matcher.accounts import users
from matcher.accounts.users import UserView
from matcher.db import UnitOfWork
from matcher.enums import Role, SizeClass
from matcher.errors import Conflict, NotFound, ValidationFailed
from matcher.models import Enterprise, HRAgency
from matcher.validators import InvalidIdentifier, validate_credit_code
from matcher.words import msg, word, words

OrgKind = Literal["enterprise", "agency"]
KINDS = ("enterprise", "agency")
SIGNUP_ACTOR = "signup"


@dataclass(frozen=True)
class Registration:
    """An organisation's sign-up: its login, name, credit code and (agencies) licence."""

    kind: OrgKind
    email: str
    password: str
    name: str
    credit_code: str | None = None
    license_no: str | None = None
    district: str | None = None
    size_class: str | None = None  # enterprises (subsidy rules read it)
    is_leading_industrial: bool = False  # enterprises; the bureau confirms it


@dataclass(frozen=True)
class OrgView:
    """An enterprise or agency as the approval desk shows it."""

    id: int
    kind: str
    name: str
    credit_code: str | None
    license_no: str | None
    district: str | None
    approval_status: str


def org_view(kind: str, org: Enterprise | HRAgency) -> OrgView:
    """The approval desk's view of one organisation."""
    return OrgView(org.id, kind, org.name, org.credit_code,
                   org.license_no if isinstance(org, HRAgency) else None, org.district,
                   org.approval_status)


def problems(data: Registration) -> dict[str, list[str]]:
    """Every field error of a registration at once (empty when it can be registered)."""
    return _fields(data)[0]


def _checked(data: Registration) -> tuple[str, str | None, str | None]:
    errors, name, code, licence = _fields(data)
    if errors:
        raise ValidationFailed(msg("The registration is incomplete."), fields=errors)
    return name, code, licence


def _fields(data: Registration) -> tuple[dict[str, list[str]], str, str | None, str | None]:
    errors: dict[str, list[str]] = {}
    name = (data.name or "").strip()
    if not 2 <= len(name) <= 200:
        errors["name"] = [msg("Between %(min)s and %(max)s characters.", min=2, max=200)]
    code: str | None = None
    if data.credit_code or data.kind == "enterprise":
        try:
            code = validate_credit_code(data.credit_code or "")
        except InvalidIdentifier as exc:
            errors["credit_code"] = [str(exc)]
    licence = (data.license_no or "").strip() or None
    if data.kind == "agency" and (licence is None or not 4 <= len(licence) <= 64):
        errors["license_no"] = [msg("The HR service licence number (4 to 64 characters) is "
                                    "required.")]
    errors.update(users.login_problems(data.email, data.password))  # email, password policy
    return errors, name, code, licence


def _size(value: str | None) -> SizeClass:
    try:
        return SizeClass(value or SizeClass.SMALL)
    except ValueError:
        raise ValidationFailed(msg("Unknown size class."), fields={"size_class": [
            msg("Must be one of: %(choices)s.",
                choices=words([s.value for s in SizeClass]))]}) from None


def register(uow: UnitOfWork, data: Registration) -> UserView:
    """Create a pending enterprise or agency and its login (public; the caller commits)."""
    if data.kind not in KINDS:
        raise ValidationFailed(msg("Unknown kind of organisation."), fields={
            "kind": [msg("Must be one of: %(choices)s.", choices=words(KINDS))]})
    name, code, licence = _checked(data)
    district = (data.district or "").strip() or None
    org: Enterprise | HRAgency
    if data.kind == "enterprise":
        org = Enterprise(external_id=f"web-{uuid.uuid4().hex[:16]}", name=name, credit_code=code,
                         district=district, approval_status="pending",
                         size_class=_size(data.size_class),
                         is_leading_industrial=bool(data.is_leading_industrial))
    else:
        org = HRAgency(external_id=f"web-{uuid.uuid4().hex[:16]}", name=name, credit_code=code,
                       license_no=licence, district=district, approval_status="pending")
    try:
        with uow.s.begin_nested():
            uow.s.add(org)
            uow.s.flush()
    except IntegrityError:
        raise Conflict(msg("An organisation with this credit code is already registered."),
                       code="duplicate_credit_code",
                       fields={"credit_code": [msg("Already registered.")]}) from None
    audit.record(uow.s, SIGNUP_ACTOR, f"{data.kind}.registered", data.kind, org.id,
                 {"name": name, "credit_code": code})
    role = Role.ENTERPRISE if data.kind == "enterprise" else Role.AGENCY
    ent, agency = (org.id, None) if data.kind == "enterprise" else (None, org.id)
    return users.create_user(uow, email=data.email, password=data.password, role=role,
                             actor=SIGNUP_ACTOR, enterprise_id=ent, agency_id=agency)


def decide(uow: UnitOfWork, kind: str, org_id: int, *, approve: bool, actor: str,
           reason: str = "") -> OrgView:
    """Approve or reject a registered enterprise or agency (a rejection needs a reason)."""
    org: Enterprise | HRAgency | None = (
        uow.s.get(Enterprise, org_id) if kind == "enterprise" else
        uow.s.get(HRAgency, org_id) if kind == "agency" else None)
    if org is None:
        raise NotFound(msg("No %(kind)s %(id)s.", kind=word(kind), id=org_id))
    if not approve and not reason.strip():
        raise ValidationFailed(msg("Give the reason for the rejection."),
                               fields={"reason": [msg("This field is required.")]})
    target = "approved" if approve else "rejected"
    if org.approval_status == target:
        return org_view(kind, org)
    org.approval_status = target
    uow.s.flush()
    audit.record(uow.s, actor, f"{kind}.{target}", kind, org.id, {"reason": reason.strip()})
    return org_view(kind, org)


def listing(uow: UnitOfWork, kind: str, status: str | None) -> list[OrgView]:
    """Enterprises or agencies in one approval state (all states when None), newest first."""
    if kind == "enterprise":
        found: list[Enterprise | HRAgency] = list(uow.s.scalars(
            select(Enterprise).where(_status(Enterprise.approval_status, status))
            .order_by(Enterprise.id.desc()).limit(500)))
    else:
        found = list(uow.s.scalars(
            select(HRAgency).where(_status(HRAgency.approval_status, status))
            .order_by(HRAgency.id.desc()).limit(500)))
    return [org_view(kind, o) for o in found]


def _status(column: Any, status: str | None) -> Any:
    return column == status if status else true()
