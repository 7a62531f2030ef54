"""Who is acting: a bureau admin, or an agency, enterprise or person acting for itself."""

from __future__ import annotations

from dataclasses import dataclass

from matcher.enums import ClaimantKind, Role
from matcher.errors import Forbidden


@dataclass(frozen=True)
class Actor:
    """The caller of a service; ``name`` goes into the audit log (masked)."""

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
        raise Forbidden(f"only a bureau admin may {action}", code="admin_only")
