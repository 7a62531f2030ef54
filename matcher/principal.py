"""Who is acting: the authenticated caller of an action, or the system (CLI, jobs).

:class:`Principal` is what every action receives. A person is a user with one role and,
for seekers, enterprises and agencies, the id of what they act for. The system principal
(CLI commands, scheduled jobs) is a bureau administrator with ``user_id`` 0 whose audit
name says where it came from (``system:cli:<user>``).
"""

from __future__ import annotations

from dataclasses import dataclass

from matcher.enums import ClaimantKind, Role
from matcher.errors import Forbidden, Refused
from matcher.words import N_, msg, word, words


@dataclass(frozen=True)
class Actor:
    """The subsidy services' caller; ``name`` goes into the audit log (masked)."""

    name: str
    role: Role
    agency_id: int | None = None
    enterprise_id: int | None = None
    seeker_id: int | None = None

    @classmethod
    def admin(cls, name: str) -> Actor:
        """A bureau administrator."""
        return cls(name=name, role=Role.ADMIN)

    @classmethod
    def agency(cls, name: str, agency_id: int) -> Actor:
        """Staff of one HR agency."""
        return cls(name=name, role=Role.AGENCY, agency_id=agency_id)

    @classmethod
    def enterprise(cls, name: str, enterprise_id: int) -> Actor:
        """Staff of one enterprise."""
        return cls(name=name, role=Role.ENTERPRISE, enterprise_id=enterprise_id)

    @classmethod
    def person(cls, name: str, seeker_id: int) -> Actor:
        """A job seeker acting for themself."""
        return cls(name=name, role=Role.SEEKER, seeker_id=seeker_id)

    @property
    def is_admin(self) -> bool:
        """True for bureau administrators."""
        return self.role == Role.ADMIN

    def speaks_for(self, kind: ClaimantKind, claimant_id: int) -> bool:
        """True when this actor may act as claimant ``(kind, claimant_id)``."""
        if self.is_admin:
            return True
        if kind == ClaimantKind.AGENCY:
            return self.role == Role.AGENCY and self.agency_id == claimant_id
        if kind == ClaimantKind.ENTERPRISE:
            return self.role == Role.ENTERPRISE and self.enterprise_id == claimant_id
        return self.role == Role.SEEKER and self.seeker_id == claimant_id


def require_admin(actor: Actor, action: str) -> None:
    """Raise Forbidden unless ``actor`` is a bureau admin."""
    if not actor.is_admin:
        raise Forbidden(msg("Only a bureau officer may %(action)s.", action=word(action)),
                        code="admin_only")


#: the roles named by :func:`require_role` (translated where shown)
ROLE_WORDS = (N_("seeker"), N_("enterprise"), N_("agency"), N_("admin"))
#: the actions named by :func:`require_admin` (translated where shown)
ADMIN_ACTIONS = (N_("pay claims"), N_("reverse payments"), N_("approve claims"),
                 N_("reject claims"))


@dataclass(frozen=True)
class Principal:
    """The caller of an action: a logged-in user, or the system (``user_id`` 0)."""

    user_id: int
    email: str
    role: Role
    enterprise_id: int | None = None
    agency_id: int | None = None
    seeker_id: int | None = None
    system_name: str | None = None
    #: False while the bureau has not approved the caller's enterprise or agency
    approved: bool = True

    @classmethod
    def system(cls, name: str = "cli") -> Principal:
        """The system principal of a CLI command or a job (a bureau administrator)."""
        return cls(user_id=0, email="", role=Role.ADMIN, system_name=name)

    @property
    def is_system(self) -> bool:
        """True for the CLI and queue jobs."""
        return self.system_name is not None

    @property
    def is_admin(self) -> bool:
        """True for bureau officers and the system."""
        return self.role == Role.ADMIN

    @property
    def actor_name(self) -> str:
        """The name written to the audit log."""
        if self.system_name is not None:
            return f"system:{self.system_name}"
        return f"user:{self.user_id}"

    def actor(self) -> Actor:
        """The subsidy services' view of this caller."""
        return Actor(name=self.actor_name, role=self.role, agency_id=self.agency_id,
                     enterprise_id=self.enterprise_id, seeker_id=self.seeker_id)


def require_role(p: Principal, *roles: Role) -> None:
    """Forbidden unless the caller has one of ``roles`` (and its link is set)."""
    if p.role not in roles:
        raise Forbidden(msg("This needs the role %(role)s.",
                            role=words([r.value for r in roles], " / ")),
                        code="wrong_role")
    link = {Role.ENTERPRISE: p.enterprise_id, Role.AGENCY: p.agency_id,
            Role.SEEKER: p.seeker_id}.get(p.role, 0)
    if link is None:
        raise Forbidden(msg("This user is not linked to its organisation."),
                        code="unlinked_user")


def require_approved(p: Principal) -> None:
    """Refused (``account_pending``) while the caller's enterprise or agency is unapproved."""
    if p.role in (Role.ENTERPRISE, Role.AGENCY) and not p.approved:
        raise Refused(msg("Your organisation's account is not approved by the bureau yet; "
                          "you can act once it is."),
                      code="account_pending")
