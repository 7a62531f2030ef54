"""Test helper: a small enterprise hires a bachelor graduate of this year through the real
hiring journey (apply, offer, hire), with principals for both and for the bureau; and
enterprise and person claims for the authorization matrix's world."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from builders.accounts import World
from builders.subsidy import add_enterprise, add_seeker, add_vacancy, committing
from matcher.applications import actions as hiring
from matcher.enums import ClaimantKind, Role, SizeClass
from matcher.principal import Principal
from matcher.runtime import Runtime
from matcher.subsidy import claims, placements
from matcher.subsidy.actors import Actor
from matcher.subsidy.clock import today
from matcher.subsidy.evaluate import Claimant
from matcher.subsidy.rule_store import current_rules

ADMIN = Principal(9000, "officer@example.test", Role.ADMIN)
OFFICER = Actor.admin("officer")
HIRING, EMPLOYMENT = "small_micro_graduate_hiring", "small_micro_graduate_employment"


@dataclass(frozen=True)
class Hired:
    """Ids and principals of one hire."""

    enterprise_id: int
    seeker_id: int
    vacancy_id: int
    placement_id: int
    enterprise: Principal
    person: Principal


def hire_graduate(rt: Runtime, *, size: SizeClass = SizeClass.SMALL, leading: bool = False,
                  degree: str | None = "bachelor", n: int = 0) -> Hired:
    """A graduate of this year applies, is offered and hired (0 months of insurance)."""
    with committing(rt) as uow:
        ent = add_enterprise(uow.s, size=size, is_leading_industrial=leading,
                             district="海淀区")
        vacancy = add_vacancy(uow.s, ent, headcount=1)
        seeker = add_seeker(uow.s, rt.cipher, graduation_year=today().year,
                            degree_level=degree, skills=["仓库管理"])
    boss = Principal(1000 + 2 * n, f"hr{n}@example.test", Role.ENTERPRISE, enterprise_id=ent)
    person = Principal(1001 + 2 * n, f"grad{n}@example.test", Role.SEEKER, seeker_id=seeker)
    with committing(rt) as uow:
        app = hiring.apply(uow, person, vacancy)
    with committing(rt) as uow:
        hiring.set_status(uow, boss, app.id, hiring.StatusChange("offered"))
    with committing(rt) as uow:
        placed = hiring.hire(uow, boss, app.id, hiring.HireInput(
            today() - timedelta(days=40), 24, "HT-1"))
    return Hired(ent, seeker, vacancy, placed.id, boss, person)


def record_insurance(rt: Runtime, placement_id: int, months: int = 1) -> None:
    """The bureau records months of social insurance for a placement."""
    with committing(rt) as uow:
        hiring.record_social_insurance(uow, ADMIN, placement_id, months)


def with_claimant_claims(rt: Runtime, world: World) -> World:
    """Enterprise ``i`` hires seeker ``i``; each holds a draft claim (``claim_id``)."""
    for i in (0, 1):
        ent, seeker = world.party(Role.ENTERPRISE, i), world.party(Role.SEEKER, i)
        with committing(rt) as uow:
            vacancy = add_vacancy(uow.s, ent.owned["enterprise_id"])
            placed = placements.hire(rt, uow, placements.HireRequest(
                seeker.owned["seeker_id"], vacancy, today(), today(), 24), actor=OFFICER)
            rules = current_rules(rt)
            for party, kind, owner, rule in (
                    (ent, ClaimantKind.ENTERPRISE, "enterprise_id", HIRING),
                    (seeker, ClaimantKind.PERSON, "seeker_id", EMPLOYMENT)):
                draft = claims.draft_claim(uow, rules, claims.ClaimRequest(
                    Claimant(kind, party.owned[owner]), placed.id, rule), actor=OFFICER)
                party.owned["claim_id"] = draft.id
    return world
