"""Hires are attributed to the first valid recommendation; vacancies fill; audit rows."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from builders.subsidy import add_agency, add_enterprise, add_seeker, add_vacancy, committing
from sqlalchemy import select

from matcher.enums import VacancyStatus
from matcher.errors import Conflict, Forbidden, Refused, ValidationFailed
from matcher.models import AuditLog, Vacancy
from matcher.models.subsidy import Recommendation
from matcher.runtime import Runtime
from matcher.subsidy.actors import Actor
from matcher.subsidy.placements import HireRequest, hire
from matcher.subsidy.recommendations import recommend, withdraw

ADMIN = Actor.admin("admin@bureau.example")
HIRED_ON = date(2024, 3, 5)


def at(day: int, hour: int = 2) -> datetime:
    """A UTC moment in March 2024 (02:00 UTC is 10:00 in Beijing, the same day)."""
    return datetime(2024, 3, day, hour, tzinfo=UTC)


@pytest.fixture
def world(rt: Runtime) -> dict[str, int]:
    with committing(rt) as uow:
        ent = add_enterprise(uow.s)
        ids = {"ent": ent, "vacancy": add_vacancy(uow.s, ent, headcount=2),
               "seeker": add_seeker(uow.s, rt.cipher), "seeker2": add_seeker(uow.s, rt.cipher),
               "a": add_agency(uow.s), "b": add_agency(uow.s), "c": add_agency(uow.s)}
        uow.commit()
    return ids


def rec(rt: Runtime, w: dict[str, int], agency: str, when: datetime, seeker: str = "seeker") -> int:
    with committing(rt) as uow:
        return recommend(uow, agency_id=w[agency], seeker_id=w[seeker], vacancy_id=w["vacancy"],
                         actor=Actor.agency("staff", w[agency]), at=when).id


def do_hire(rt: Runtime, w: dict[str, int], seeker: str = "seeker", hired_on: date = HIRED_ON):
    with committing(rt) as uow:
        return hire(rt, uow, HireRequest(w[seeker], w["vacancy"], hired_on, hired_on, 24, 1),
                    actor=Actor.enterprise("hr", w["ent"]))


def test_first_valid_recommendation_wins(rt: Runtime, world: dict[str, int]) -> None:
    first = rec(rt, world, "a", at(1))
    second = rec(rt, world, "b", at(2))
    third = rec(rt, world, "c", at(3))
    with committing(rt) as uow:
        withdraw(uow, first, actor=Actor.agency("staff", world["a"]))
    placement = do_hire(rt, world)
    assert placement.agency_id == world["b"]
    assert placement.recommendation_id == second
    results = {e["recommendation_id"]: e["result"] for e in placement.attribution}
    assert results == {first: "withdrawn", second: "attributed (first valid recommendation)",
                       third: "an earlier recommendation was attributed"}
    with committing(rt) as uow:
        recs = {r.id: r for r in uow.s.scalars(select(Recommendation))}
        assert recs[second].attributed_at is not None
        assert recs[third].attributed_at is None
        entry = uow.s.scalars(select(AuditLog).where(AuditLog.action == "placement.hired")).one()
        assert entry.data["agency_id"] == world["b"]
        assert entry.data["attribution"] == placement.attribution


def test_recommendations_after_the_hire_or_withdrawn_get_nothing(
        rt: Runtime, world: dict[str, int]) -> None:
    withdrawn = rec(rt, world, "a", at(1))
    with committing(rt) as uow:
        withdraw(uow, withdrawn, actor=ADMIN)
    rec(rt, world, "b", at(6))  # the day after the hire
    placement = do_hire(rt, world)
    assert placement.agency_id is None and placement.recommendation_id is None
    assert [e["result"] for e in placement.attribution] == ["withdrawn", "made after the hire"]


def test_the_hire_day_is_the_bureau_local_day(rt: Runtime, world: dict[str, int]) -> None:
    # 2024-03-05 17:00 UTC is 2024-03-06 01:00 in Beijing: after a hire on 03-05.
    rec(rt, world, "a", at(5, hour=17))
    # 2024-03-04 17:00 UTC is 2024-03-05 01:00 in Beijing: the hire day itself counts.
    on_the_day = rec(rt, world, "b", at(4, hour=17))
    placement = do_hire(rt, world)
    assert placement.recommendation_id == on_the_day


def test_later_recommendation_of_a_placed_pair_is_refused(
        rt: Runtime, world: dict[str, int]) -> None:
    rec(rt, world, "a", at(1))
    do_hire(rt, world)
    with pytest.raises(Conflict) as err:
        rec(rt, world, "b", at(7))
    assert err.value.code == "already_placed"


def test_attributed_recommendation_cannot_be_withdrawn(rt: Runtime, world: dict[str, int]) -> None:
    first = rec(rt, world, "a", at(1))
    do_hire(rt, world)
    with rt.uow() as uow, pytest.raises(Conflict) as err:
        withdraw(uow, first, actor=Actor.agency("staff", world["a"]))
    assert err.value.code == "recommendation_attributed"


def test_one_placement_per_pair_and_vacancy_fills(rt: Runtime, world: dict[str, int]) -> None:
    do_hire(rt, world)
    with pytest.raises(Conflict) as err:
        do_hire(rt, world)
    assert err.value.code == "already_placed"
    with committing(rt) as uow:
        vacancy = uow.s.get(Vacancy, world["vacancy"])
        assert vacancy is not None
        assert (vacancy.filled, vacancy.status) == (1, VacancyStatus.OPEN)
    do_hire(rt, world, seeker="seeker2")
    with committing(rt) as uow:
        vacancy = uow.s.get(Vacancy, world["vacancy"])
        assert vacancy is not None
        assert (vacancy.filled, vacancy.status) == (2, VacancyStatus.FILLED)
        third = add_seeker(uow.s, rt.cipher)
        uow.commit()
    with rt.uow() as uow, pytest.raises(Refused) as refused:
        hire(rt, uow, HireRequest(third, world["vacancy"], HIRED_ON, HIRED_ON, 24),
             actor=ADMIN)
    assert refused.value.code == "vacancy_not_open"


def test_consent_and_agency_identity_are_enforced(rt: Runtime, world: dict[str, int]) -> None:
    with committing(rt) as uow:
        shy = add_seeker(uow.s, rt.cipher, consent_agencies=False)
        uow.commit()
    with rt.uow() as uow, pytest.raises(Refused) as refused:
        recommend(uow, agency_id=world["a"], seeker_id=shy, vacancy_id=world["vacancy"],
                  actor=Actor.agency("staff", world["a"]))
    assert refused.value.code == "no_consent_for_agencies"
    with rt.uow() as uow, pytest.raises(Forbidden):
        recommend(uow, agency_id=world["a"], seeker_id=world["seeker"],
                  vacancy_id=world["vacancy"], actor=Actor.agency("staff", world["b"]))
    with rt.uow() as uow, pytest.raises(Forbidden):
        hire(rt, uow, HireRequest(world["seeker"], world["vacancy"], HIRED_ON, HIRED_ON, 24),
             actor=Actor.agency("staff", world["a"]))


def test_bad_hire_facts_are_refused_with_fields(rt: Runtime, world: dict[str, int]) -> None:
    with rt.uow() as uow, pytest.raises(ValidationFailed) as err:
        bad = HireRequest(world["seeker"], world["vacancy"], HIRED_ON, date(2024, 3, 1), -1)
        hire(rt, uow, bad, actor=ADMIN)
    assert set(err.value.fields) == {"contract_months", "contract_start"}
    with committing(rt) as uow:
        assert uow.s.scalars(select(AuditLog).where(AuditLog.action == "placement.hired")).all() \
            == []
