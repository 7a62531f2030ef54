"""Test helper: each seeker of a world applies to its enterprise's vacancy (same index)."""

from __future__ import annotations

from builders.accounts import World
from matcher.applications import actions
from matcher.enums import Role
from matcher.principal import Principal
from matcher.runtime import Runtime


def with_applications(rt: Runtime, world: World) -> World:
    """Seeker ``i`` applies to enterprise ``i``'s vacancy; both own ``application_id``."""
    for i in (0, 1):
        seeker, ent = world.party(Role.SEEKER, i), world.party(Role.ENTERPRISE, i)
        me = Principal(seeker.user_id, seeker.email, Role.SEEKER,
                       seeker_id=seeker.owned["seeker_id"])
        with rt.uow() as uow:
            app = actions.apply(uow, me, ent.owned["vacancy_id"])
            uow.commit()
        seeker.owned["application_id"] = ent.owned["application_id"] = app.id
    return world
