"""Test helper: two users of every role, each owning its own objects.

``build_world`` goes through the real services (hire, recommend, claim, propose), so the
objects are exactly what the API would have created.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select

from builders.subsidy import add_enterprise, committing, placed_world
from matcher.accounts.users import create_user, issue_named_token
from matcher.enums import ClaimantKind, Role
from matcher.lending import agreements, demand, pool
from matcher.lending.terms import AgreementInput
from matcher.models.subsidy import Recommendation
from matcher.runtime import Runtime
from matcher.seekers import services as seekers
from matcher.subsidy.actors import Actor
from matcher.subsidy.claims import ClaimRequest, submit_claim
from matcher.subsidy.evaluate import Claimant
from matcher.subsidy.rule_store import current_rules
from matcher.vacancies import services as vacancies
from matcher.validators import make_id_number

PASSWORD = "correct horse"
INTRO = "employment_introduction"


@dataclass
class Party:
    """One user and the ids of what it owns."""

    user_id: int
    email: str
    token: str
    owned: dict[str, int] = field(default_factory=dict)
    id_number: str | None = None


@dataclass
class World:
    """Two parties per role (index 0 and 1)."""

    parties: dict[Role, list[Party]]

    def party(self, role: Role | str, i: int = 0) -> Party:
        """The ``i``-th user of ``role``."""
        return self.parties[Role(role)][i]


def _user(rt: Runtime, role: Role, i: int, **link: int) -> Party:
    with committing(rt) as uow:
        email = f"{role.value}{i}@example.test"
        user = create_user(uow, email=email, password=PASSWORD, role=role,
                           enterprise_id=link.get("enterprise_id"),
                           agency_id=link.get("agency_id"), seeker_id=link.get("seeker_id"))
        token = issue_named_token(uow, user.id, actor="test", name="world")
    return Party(user.id, email, token.token, {"token_id": token.id})


def build_world(rt: Runtime) -> World:
    """Two enterprises, agencies, seekers and admins, each with its own objects."""
    parties: dict[Role, list[Party]] = {r: [] for r in Role}
    with committing(rt) as uow:
        outsider = add_enterprise(uow.s)
    for i in range(2):
        w = placed_world(rt, 1)
        agency_actor = Actor.agency("test", w.agency_id)
        ent = _user(rt, Role.ENTERPRISE, i, enterprise_id=w.enterprise_id)
        agency = _user(rt, Role.AGENCY, i, agency_id=w.agency_id)
        with committing(rt) as uow:
            vacancy = vacancies.post_vacancy(rt, uow, vacancies.VacancyInput(
                external_id=f"api-v{i}", enterprise_id=w.enterprise_id,
                title=f"仓库拣货员 Picker {i}", required_skills=("拣货",), district="大兴区"),
                actor="test")
            emp = pool.declare_employee(rt, uow, w.enterprise_id, pool.EmployeeInput(
                external_id=f"api-s{i}", name=f"员工{i}", skills=("拣货",), consent=True,
                daily_cost=30000, available_from=date(2030, 1, 1),
                available_to=date(2030, 12, 31)), actor="test")
            req = demand.post_request(rt, uow, w.enterprise_id, demand.RequestInput(
                title=f"借调 Borrow {i}", skills=("拣货",), headcount=1,
                start_date=date(2030, 2, 1), end_date=date(2030, 3, 1)), actor="test")
            deal = agreements.propose(rt, uow, AgreementInput(
                lender_id=w.enterprise_id, borrower_id=outsider, employee_ids=(emp.id,),
                start_date=date(2030, 2, 1), end_date=date(2030, 3, 1), site="大兴区",
                reimbursement_per_day=20000), actor="test")
            claim = submit_claim(uow, current_rules(rt), ClaimRequest(
                Claimant(ClaimantKind.AGENCY, w.agency_id), w.placement_ids[0], INTRO),
                idempotency_key=f"world-{i}", actor=agency_actor).claim
            uow.s.flush()
        with committing(rt) as uow:
            rec = uow.s.scalar(select(Recommendation.id).where(
                Recommendation.agency_id == w.agency_id))
        ent.owned = {"enterprise_id": w.enterprise_id, "vacancy_id": vacancy.id,
                     "employee_id": emp.id, "request_id": req.id, "agreement_id": deal.id}
        agency.owned = {"agency_id": w.agency_id, "claim_id": claim.id,
                        "placement_id": w.placement_ids[0], "recommendation_id": int(rec or 0)}
        parties[Role.ENTERPRISE].append(ent)
        parties[Role.AGENCY].append(agency)
        id_number = make_id_number("110101", date(1995, 5, 17), 100 + i)
        with committing(rt) as uow:
            seeker = seekers.create_seeker(rt, uow, seekers.SeekerInput(
                external_id=f"api-k{i}", name=f"求职者{i}", id_number=id_number,
                phone=f"1380013800{i}", skills=("拣货",), desired_positions=("拣货员",),
                district="大兴区"), actor="test")
        party = _user(rt, Role.SEEKER, i, seeker_id=seeker.id)
        party.owned, party.id_number = {**party.owned, "seeker_id": seeker.id}, id_number
        parties[Role.SEEKER].append(party)
        parties[Role.ADMIN].append(_user(rt, Role.ADMIN, i))
    return World(parties)
