"""What the bureau reads about accounts: registered enterprises and agencies by approval state."""

from __future__ import annotations

from matcher.accounts import registration
from matcher.accounts.registration import OrgView
from matcher.action import query
from matcher.enums import Role
from matcher.errors import ValidationFailed
from matcher.principal import Principal
from matcher.runtime import Work
from matcher.words import msg, words


@query(Role.ADMIN)
def organisations(uow: Work, actor: Principal, kind: str,
                  status: str | None = "pending") -> list[OrgView]:
    """Enterprises or agencies in one approval state (pending by default), newest first."""
    if kind not in registration.KINDS:
        raise ValidationFailed(msg("Unknown kind of organisation."), fields={
            "kind": [msg("Must be one of: %(choices)s.", choices=words(registration.KINDS))]})
    return registration.listing(uow, kind, status)
