"""Seeker actions and queries called directly: the seeker, another seeker, a wrong role and
the system principal (seeker actions are personal: the system is refused)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from builders.subsidy import add_enterprise, add_vacancy, committing
from sqlalchemy import select

from matcher.accounts import actions as accounts
from matcher.accounts import users
from matcher.enums import Role, VacancyStatus
from matcher.errors import Forbidden, NotFound, ValidationFailed
from matcher.models import AuditLog, JobSeeker, Vacancy
from matcher.principal import Principal
from matcher.runtime import Runtime
from matcher.seekers import actions, queries
from matcher.seekers.services import SeekerInput
from matcher.validators import make_id_number

SYSTEM = Principal.system("test")
HR = Principal(user_id=50, email="hr@example.org", role=Role.ENTERPRISE, enterprise_id=1)


def _do(rt: Runtime, fn: Callable[..., Any], actor: Principal, *args: Any) -> Any:
    with committing(rt) as uow:
        return fn(uow, actor, *args)


def _sign_up(rt: Runtime, i: int) -> Principal:
    profile = SeekerInput(external_id=f"k{i}", name=f"求职者{i}", skills=("拣货",),
                          desired_positions=("拣货员",), district="大兴区",
                          id_number=make_id_number("110101", date(1995, 5, 17), 100 + i),
                          phone=f"1380013800{i}")
    with rt.uow() as uow:
        view = actions.sign_up_seeker(uow, actions.SignUp(f"s{i}@example.org", "Harbour-lamp-42",
                                                            profile))
        uow.commit()
    return Principal(user_id=view.id, email=view.email, role=Role.SEEKER,
                     seeker_id=view.seeker_id)


@pytest.fixture
def two(rt: Runtime) -> tuple[Principal, Principal]:
    """Two signed-up seekers."""
    return _sign_up(rt, 1), _sign_up(rt, 2)


def test_sign_up_creates_profile_and_login(rt: Runtime, two: tuple[Principal, Principal]
                                           ) -> None:
    me, _ = two
    with committing(rt) as uow:
        assert accounts.authenticate(uow, "s1@example.org", "Harbour-lamp-42") is not None
        actors = set(uow.s.scalars(select(AuditLog.actor).where(
            AuditLog.entity_id == str(me.seeker_id))))
    assert actors == {actions.SIGNUP_ACTOR}
    assert _do(rt, queries.my_profile, me).id_number_masked.count("*") > 0


def test_a_seeker_changes_only_their_own_profile(rt: Runtime,
                                                 two: tuple[Principal, Principal]) -> None:
    me, other = two
    view = _do(rt, actions.update_profile, me, actions.ProfileChanges({"skills": ["叉车"]}))
    assert view.id == me.seeker_id and view.skills == ("叉车",)
    assert _do(rt, queries.my_profile, other).skills == ("拣货",)
    with pytest.raises(Forbidden) as wrong:
        _do(rt, actions.update_profile, HR, actions.ProfileChanges({"skills": ["x"]}))
    assert wrong.value.code == "wrong_role"
    with pytest.raises(Forbidden) as system:
        _do(rt, actions.update_profile, SYSTEM, actions.ProfileChanges({"skills": ["x"]}))
    assert system.value.code == "not_for_system"
    with pytest.raises(ValidationFailed):
        _do(rt, actions.update_profile, me, actions.ProfileChanges({"external_id": "x"}))


def test_identifiers_typed_back_unchanged_keep_their_ciphertext(
        rt: Runtime, two: tuple[Principal, Principal]) -> None:
    me, _ = two
    with committing(rt) as uow:
        before = uow.s.get(JobSeeker, me.seeker_id).phone_enc  # type: ignore[union-attr]
    shown = _do(rt, queries.my_data, me)["profile"]
    same = {"phone": shown["phone"], "id_number": shown["id_number"], "name": "新名字"}
    _do(rt, actions.update_profile, me, actions.ProfileChanges(same, True))
    with committing(rt) as uow:
        row = uow.s.get(JobSeeker, me.seeker_id)
        assert row is not None and row.phone_enc == before and row.name == "新名字"
    _do(rt, actions.update_profile, me, actions.ProfileChanges(same))
    with committing(rt) as uow:
        assert uow.s.get(JobSeeker, me.seeker_id).phone_enc != before  # type: ignore[union-attr]


def test_interest_needs_an_open_vacancy(rt: Runtime, two: tuple[Principal, Principal]) -> None:
    me, _ = two
    with committing(rt) as uow:
        ent = add_enterprise(uow.s)
        open_id = add_vacancy(uow.s, ent)
        closed_id = add_vacancy(uow.s, ent, status=VacancyStatus.CLOSED)
    assert _do(rt, actions.express_interest, me, open_id).id == open_id
    with pytest.raises(ValidationFailed) as closed:
        _do(rt, actions.express_interest, me, closed_id)
    assert closed.value.code == "vacancy_not_open"
    with pytest.raises(NotFound):
        _do(rt, actions.express_interest, me, closed_id + 100)
    with committing(rt) as uow:
        entry = uow.s.scalars(select(AuditLog).where(AuditLog.action == "interest")).one()
        assert entry.data == {"seeker_id": me.seeker_id} and entry.entity_id == str(open_id)
        assert uow.s.get(Vacancy, open_id) is not None


def test_withdraw_and_delete_act_on_the_callers_account(
        rt: Runtime, two: tuple[Principal, Principal]) -> None:
    me, other = two
    assert _do(rt, actions.withdraw_consent, me).consent_matching is False
    assert _do(rt, queries.my_profile, other).consent_matching is True
    assert _do(rt, actions.delete_account, me).status == "deleted"
    with committing(rt) as uow:
        assert users.get_user(uow, me.user_id).is_active is False
        assert users.get_user(uow, other.user_id).is_active is True
    with pytest.raises(NotFound):
        _do(rt, queries.my_data, me)
    with pytest.raises(Forbidden):
        _do(rt, actions.delete_account, SYSTEM)


def test_recommendations_page_through_open_vacancies(
        rt: Runtime, two: tuple[Principal, Principal]) -> None:
    me, _ = two
    with committing(rt) as uow:
        ent = add_enterprise(uow.s)
        for _ in range(3):
            add_vacancy(uow.s, ent, required_skills=["拣货"], district="大兴区")
    first = _do(rt, queries.my_recommendations, me, 1, 2)
    second = _do(rt, queries.my_recommendations, me, 2, 2)
    # ranked up to the page asked for: the total grows as the seeker pages on
    assert (len(first.items), len(second.items), second.total) == (2, 1, 3)
    assert first.items[0].score >= first.items[1].score >= second.items[0].score
    with pytest.raises(Forbidden):
        _do(rt, queries.my_recommendations, HR, 1, 2)
