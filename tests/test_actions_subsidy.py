"""Subsidy actions and queries called directly: the owning agency, another agency, a wrong
role, an administrator and the system principal."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from builders.subsidy import PlacedWorld, add_vacancy, committing, placed_world
from sqlalchemy import select

from matcher.enums import ClaimStatus, Role
from matcher.errors import Forbidden, NotFound, Refused, ValidationFailed
from matcher.models import AuditLog
from matcher.principal import Principal
from matcher.runtime import Runtime
from matcher.subsidy import actions, queries

INTRO = "employment_introduction"
SYSTEM = Principal.system("test")
ADMIN = Principal(user_id=5, email="officer@bureau.example", role=Role.ADMIN)
HR = Principal(user_id=6, email="hr@example.org", role=Role.ENTERPRISE, enterprise_id=1)


def _staff(agency_id: int, user_id: int = 1) -> Principal:
    return Principal(user_id=user_id, email=f"staff{user_id}@example.org", role=Role.AGENCY,
                     agency_id=agency_id)


def _do(rt: Runtime, fn: Callable[..., Any], actor: Principal, *args: Any) -> Any:
    with committing(rt) as uow:
        return fn(uow, actor, *args)


def _claim(rt: Runtime, actor: Principal, world: PlacedWorld, key: str, i: int = 0,
           **kw: Any) -> Any:
    return _do(rt, actions.submit_claim, actor,
               actions.ClaimInput(world.placement_ids[i], INTRO, key, **kw))


@pytest.fixture
def worlds(rt: Runtime) -> tuple[PlacedWorld, PlacedWorld]:
    """Two agencies, each with two placements of its own."""
    return placed_world(rt, 2), placed_world(rt, 2)


def test_an_agency_claims_for_its_own_placement_once(
        rt: Runtime, worlds: tuple[PlacedWorld, PlacedWorld]) -> None:
    own, other = worlds
    staff = _staff(own.agency_id)
    first = _claim(rt, staff, own, "k-1")
    again = _claim(rt, staff, own, "k-1")
    assert (first.claim.status, first.replayed) == ("submitted", False)
    assert (again.claim.id, again.replayed) == (first.claim.id, True)
    with pytest.raises(Refused) as refused:
        _claim(rt, _staff(other.agency_id, 2), own, "k-2")
    assert "claimant_is_party" in refused.value.fields
    with pytest.raises(Forbidden) as wrong:
        _claim(rt, HR, own, "k-3")
    assert wrong.value.code == "wrong_role"


def test_the_system_claims_only_for_a_named_agency(
        rt: Runtime, worlds: tuple[PlacedWorld, PlacedWorld]) -> None:
    own, _ = worlds
    with pytest.raises(ValidationFailed) as unnamed:
        _claim(rt, SYSTEM, own, "s-1")
    assert set(unnamed.value.fields) == {"agency_id"}
    done = _claim(rt, SYSTEM, own, "s-2", agency_id=own.agency_id)
    assert done.claim.status == "submitted" and done.claim.claimant_id == own.agency_id
    with committing(rt) as uow:
        row = uow.s.scalars(select(AuditLog).where(AuditLog.action == "claim.submitted")).one()
    assert row.actor == "system:test"


def test_a_claim_is_seen_by_its_agency_and_admins_only(
        rt: Runtime, worlds: tuple[PlacedWorld, PlacedWorld]) -> None:
    own, other = worlds
    cid = _claim(rt, _staff(own.agency_id), own, "v-1").claim.id
    _claim(rt, _staff(other.agency_id, 2), other, "v-2")
    for who in (_staff(own.agency_id), ADMIN, SYSTEM):
        assert _do(rt, queries.claim_detail, who, cid).id == cid
    with pytest.raises(NotFound):
        _do(rt, queries.claim_detail, _staff(other.agency_id, 2), cid)
    with pytest.raises(NotFound):
        _do(rt, queries.claim_detail, SYSTEM, cid + 1000)
    with pytest.raises(Forbidden):
        _do(rt, queries.claim_detail, HR, cid)
    mine = _do(rt, queries.claim_list, _staff(own.agency_id), 1, 20)
    every = _do(rt, queries.claim_list, ADMIN, 1, 20, ClaimStatus.SUBMITTED)
    assert [c["id"] for c in mine.items] == [cid]
    assert mine.total == 1 and every.total == 2


def test_decisions_and_payments_are_for_admins_and_the_system(
        rt: Runtime, worlds: tuple[PlacedWorld, PlacedWorld]) -> None:
    own, _ = worlds
    staff = _staff(own.agency_id)
    paid_id = _claim(rt, staff, own, "d-1", 0).claim.id
    rejected_id = _claim(rt, staff, own, "d-2", 1).claim.id
    for fn, args in ((actions.approve_claim, (paid_id, "ok")),
                     (actions.reject_claim, (rejected_id, "no")),
                     (actions.pay_claim, (paid_id,))):
        with pytest.raises(Forbidden) as err:
            _do(rt, fn, staff, *args)
        assert err.value.code == "wrong_role"
    assert _do(rt, actions.approve_claim, ADMIN, paid_id, "checked").status == "approved"
    assert _do(rt, actions.reject_claim, SYSTEM, rejected_id, "no contract").status == "rejected"
    entry = _do(rt, actions.pay_claim, SYSTEM, paid_id, date(2024, 6, 1))
    back = _do(rt, actions.reverse_payment, ADMIN, paid_id, "contract ended")
    assert (entry.amount_fen, back.amount_fen) == (311_00, -311_00)
    with pytest.raises(NotFound):
        _do(rt, actions.approve_claim, ADMIN, paid_id + 1000)
    log = _do(rt, queries.audit_log, ADMIN, 1, 50, "subsidy_claim", str(paid_id))
    assert [e["action"] for e in log.items][:3] == ["claim.reversed", "claim.paid",
                                                     "claim.approved"]
    assert log.items[0]["actor"] == "user:5" and log.items[1]["actor"] == "system:test"
    with pytest.raises(Forbidden):
        _do(rt, queries.audit_log, staff, 1, 50)


def test_recommendations_belong_to_the_recommending_agency(
        rt: Runtime, worlds: tuple[PlacedWorld, PlacedWorld]) -> None:
    own, other = worlds
    staff, rival = _staff(own.agency_id), _staff(other.agency_id, 2)
    with committing(rt) as uow:
        vacancy = add_vacancy(uow.s, own.enterprise_id, headcount=3)
    seeker = other.seeker_ids[0]
    rec = _do(rt, actions.recommend, staff,
              actions.RecommendationInput(seeker, vacancy, "fits", agency_id=other.agency_id))
    assert rec.agency_id == own.agency_id  # staff always act for their own agency
    mine = _do(rt, queries.agency_recommendations, staff, 1, 50)
    theirs = _do(rt, queries.agency_recommendations, rival, 1, 50)
    assert rec.id in [r["id"] for r in mine.items]
    assert rec.id not in [r["id"] for r in theirs.items]
    with pytest.raises(NotFound):
        _do(rt, actions.withdraw_recommendation, rival, rec.id)
    with pytest.raises(Forbidden) as personal:
        _do(rt, queries.agency_recommendations, SYSTEM, 1, 50)
    assert personal.value.code == "not_for_system"
    assert _do(rt, actions.withdraw_recommendation, staff, rec.id).id == rec.id
    by_system = _do(rt, actions.recommend, SYSTEM, actions.RecommendationInput(
        other.seeker_ids[1], vacancy, agency_id=other.agency_id))
    assert by_system.agency_id == other.agency_id
    placed = _do(rt, queries.agency_placements, staff, 1, 50)
    assert sorted(p["id"] for p in placed.items) == sorted(own.placement_ids)
