"""Vacancy actions and queries called directly: the owner, another enterprise, a wrong role,
and the system principal."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import select

from matcher.enums import Role
from matcher.errors import Forbidden, NotFound, ValidationFailed
from matcher.models import AuditLog, Enterprise, Vacancy
from matcher.principal import Principal
from matcher.runtime import Runtime
from matcher.vacancies import actions, queries
from matcher.vacancies.services import VacancyInput

SYSTEM = Principal.system("test")


def _enterprise(rt: Runtime, ext: str) -> int:
    with rt.uow() as uow:
        ent = Enterprise(external_id=ext, name=f"企业 {ext}")
        uow.s.add(ent)
        uow.commit()
        return ent.id


def _staff(enterprise_id: int, user_id: int = 1) -> Principal:
    return Principal(user_id=user_id, email=f"hr{user_id}@example.org", role=Role.ENTERPRISE,
                     enterprise_id=enterprise_id)


SEEKER = Principal(user_id=9, email="s@example.org", role=Role.SEEKER, seeker_id=1)


def _do(rt: Runtime, fn: Callable[..., Any], actor: Principal, *args: Any) -> Any:
    with rt.uow() as uow:
        out = fn(uow, actor, *args)
        uow.commit()
        return out


def _post(rt: Runtime, actor: Principal, ext: str = "v1", **kw: Any) -> int:
    data = VacancyInput(external_id=ext, title="仓库叉车司机", headcount=2,
                        required_skills=("叉车",), **kw)
    return int(_do(rt, actions.post_vacancy, actor, data).id)


@pytest.fixture
def two(rt: Runtime) -> tuple[int, int]:
    """Two enterprises: the owner and another one."""
    return _enterprise(rt, "E1"), _enterprise(rt, "E2")


def test_post_vacancy_is_for_the_callers_own_enterprise(rt: Runtime, two: tuple[int, int]
                                                        ) -> None:
    own, other = two
    with pytest.raises(NotFound):
        _post(rt, _staff(own), enterprise_id=other)
    vid = _post(rt, _staff(own))
    with rt.uow() as uow:
        v = uow.s.get(Vacancy, vid)
        assert v is not None and v.enterprise_id == own
        actor = uow.s.scalars(select(AuditLog.actor).where(
            AuditLog.action == "vacancy.post")).one()
    assert actor == "user:1"


def test_the_system_posts_for_the_enterprise_it_names(rt: Runtime, two: tuple[int, int]
                                                      ) -> None:
    own, _ = two
    with pytest.raises(ValidationFailed) as err:
        _post(rt, SYSTEM)
    assert "enterprise_id" in err.value.fields
    vid = _post(rt, SYSTEM, enterprise_id=own)
    with rt.uow() as uow:
        card = queries.own_vacancy(uow, SYSTEM, vid)
        actor = uow.s.scalars(select(AuditLog.actor).where(
            AuditLog.action == "vacancy.post")).one()
    assert (card.enterprise_id, card.status, actor) == (own, "open", "system:test")


@pytest.mark.parametrize("name,args,status", [
    ("edit_vacancy", ({"title": "夜班叉车司机", "required_skills": ["叉车", "仓储"]},),
     "open"),
    ("close_vacancy", (), "closed"),
    ("fill_vacancy", (2,), "filled"),
])
def test_owner_and_system_change_a_vacancy_others_cannot(
        rt: Runtime, two: tuple[int, int], name: str, args: tuple[Any, ...], status: str) -> None:
    own, other = two
    fn = getattr(actions, name)
    vid = _post(rt, _staff(own))
    with pytest.raises(NotFound):
        _do(rt, fn, _staff(other, 2), vid, *args)
    with pytest.raises(NotFound):
        _do(rt, fn, _staff(own), vid + 100, *args)
    with pytest.raises(Forbidden) as err:
        _do(rt, fn, SEEKER, vid, *args)
    assert err.value.code == "wrong_role"
    with rt.uow() as uow:
        assert queries.get_vacancy(uow.s, vid).status == "open"  # nothing was changed
    _do(rt, fn, _staff(own), vid, *args)
    with rt.uow() as uow:
        card = queries.get_vacancy(uow.s, vid)
    assert card.status == status
    if name == "edit_vacancy":
        assert (card.title, card.required_skills) == ("夜班叉车司机", ["叉车", "仓储"])
    second = _post(rt, _staff(own), "v2")
    _do(rt, fn, SYSTEM, second, *args)
    with rt.uow() as uow:
        assert queries.get_vacancy(uow.s, second).status == status


def test_delete_vacancy(rt: Runtime, two: tuple[int, int]) -> None:
    own, other = two
    vid, second = _post(rt, _staff(own)), _post(rt, _staff(own), "v2")
    with pytest.raises(NotFound):
        _do(rt, actions.delete_vacancy, _staff(other, 2), vid)
    with pytest.raises(Forbidden):
        _do(rt, actions.delete_vacancy, SEEKER, vid)
    _do(rt, actions.delete_vacancy, _staff(own), vid)
    _do(rt, actions.delete_vacancy, SYSTEM, second)
    with rt.uow() as uow:
        assert uow.s.scalars(select(Vacancy.id)).all() == []
        with pytest.raises(NotFound):
            queries.get_vacancy(uow.s, vid)


def test_own_vacancies_and_one_vacancy_are_scoped_to_the_enterprise(
        rt: Runtime, two: tuple[int, int]) -> None:
    own, other = two
    mine = [_post(rt, _staff(own), f"m{i}") for i in range(3)]
    theirs = _post(rt, _staff(other, 2), "t1")
    with rt.uow() as uow:
        page = queries.own_vacancies(uow, _staff(own), 1, 2)
        assert ([c.id for c in page.items], page.total, page.pages) == (
            sorted(mine, reverse=True)[:2], 3, 2)
        assert queries.own_vacancy(uow, _staff(own), mine[0]).id == mine[0]
        with pytest.raises(NotFound):
            queries.own_vacancy(uow, _staff(own), theirs)
        with pytest.raises(Forbidden):
            queries.own_vacancies(uow, SEEKER, 1, 20)
        with pytest.raises(Forbidden) as err:
            queries.own_vacancies(uow, SYSTEM, 1, 20)  # the system owns no vacancies
        assert err.value.code == "not_for_system"


def test_candidates_only_for_an_own_vacancy(rt: Runtime, two: tuple[int, int]) -> None:
    own, other = two
    vid = _post(rt, _staff(own))
    with rt.uow() as uow:
        view = queries.vacancy_candidates(uow, _staff(own), vid, 1, 5)
        assert view.vacancy.id == vid and view.page.per_page == 5
        with pytest.raises(NotFound):
            queries.vacancy_candidates(uow, _staff(other, 2), vid, 1, 5)


def test_paging_helpers_clamp_and_count() -> None:
    page = queries.slice_page(list(range(7)), 2, 3)
    assert (page.items, page.total, page.pages) == ([3, 4, 5], 7, 3)
    assert queries.slice_page([], 0, 10_000).per_page == queries.MAX_PER_PAGE
