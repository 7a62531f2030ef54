"""Small bureau-admin actions the API needs: setting an enterprise's key tier."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from matcher import audit
from matcher.db import UnitOfWork
from matcher.enums import KeyTier
from matcher.errors import NotFound, ValidationFailed
from matcher.index.hooks import vacancies_changed
from matcher.models import Enterprise, Vacancy
from matcher.runtime import Runtime
from matcher.words import msg, words


def set_key_tier(rt: Runtime, uow: UnitOfWork, enterprise_id: int, tier: KeyTier | str, *,
                 actor: str, on: date | None = None) -> dict[str, object]:
    """Set the key-enterprise tier (ranking and subsidy rules read it); audited."""
    try:
        tier = KeyTier(tier)
    except ValueError:
        raise ValidationFailed(msg("Unknown key-enterprise tier."), fields={
            "key_tier": [msg("Must be one of: %(choices)s.",
                             choices=words([t.value for t in KeyTier]))]}) from None
    ent = uow.s.get(Enterprise, enterprise_id)
    if ent is None:
        raise NotFound(msg("No enterprise %(id)s.", id=enterprise_id))
    old = ent.key_tier
    ent.key_tier, ent.key_tier_set_on = tier, on or date.today()
    uow.s.flush()
    audit.record(uow.s, actor, "enterprise.key_tier", "enterprise", enterprise_id,
                 {"from": str(old), "to": tier.value})
    ids = list(uow.s.scalars(select(Vacancy.id).where(Vacancy.enterprise_id == enterprise_id)))
    if ids:
        vacancies_changed(rt, uow, ids)
    return {"id": ent.id, "external_id": ent.external_id, "name": ent.name,
            "key_tier": tier.value, "key_tier_set_on": ent.key_tier_set_on}
