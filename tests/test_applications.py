"""Applications through their actions: apply, move on, hire = placement, notifications."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import pytest
from builders.subsidy import add_agency, add_enterprise, add_seeker, add_vacancy, committing
from sqlalchemy import func, select

from matcher.applications import actions, queries
from matcher.applications.actions import HireInput, StatusChange
from matcher.enums import Role, VacancyStatus
from matcher.errors import Conflict, NotFound, Refused, ValidationFailed
from matcher.inbox import actions as inbox_actions
from matcher.inbox import queries as inbox
from matcher.models import Application, Notification, OutboxMessage, Placement, Vacancy
from matcher.principal import Principal
from matcher.runtime import Runtime
from matcher.subsidy import actions as subsidy
from matcher.vacancies import actions as vacancy_actions

SYSTEM = Principal.system("test")


@dataclass
class Scene:
    """Two enterprises (own and other), a vacancy of each, two seekers and an agency."""

    ent: Principal
    other_ent: Principal
    seeker: Principal
    other_seeker: Principal
    agency: Principal
    vacancy_id: int
    other_vacancy_id: int
    seeker2_id: int


@pytest.fixture
def scene(rt: Runtime) -> Scene:
    with committing(rt) as uow:
        e1, e2 = add_enterprise(uow.s), add_enterprise(uow.s)
        v1 = add_vacancy(uow.s, e1, headcount=1, title="仓库拣货员")
        v2 = add_vacancy(uow.s, e2, headcount=2, title="叉车司机")
        s1 = add_seeker(uow.s, rt.cipher, name="张三")
        s2 = add_seeker(uow.s, rt.cipher, name="李四")
        a = add_agency(uow.s)
    return Scene(
        ent=Principal(1, "e1@x", Role.ENTERPRISE, enterprise_id=e1),
        other_ent=Principal(2, "e2@x", Role.ENTERPRISE, enterprise_id=e2),
        seeker=Principal(3, "s1@x", Role.SEEKER, seeker_id=s1),
        other_seeker=Principal(4, "s2@x", Role.SEEKER, seeker_id=s2),
        agency=Principal(5, "a@x", Role.AGENCY, agency_id=a),
        vacancy_id=v1, other_vacancy_id=v2, seeker2_id=s2)


def _do(rt: Runtime, fn: Callable[..., Any], actor: Principal, *args: Any) -> Any:
    with rt.uow() as uow:
        out = fn(uow, actor, *args)
        uow.commit()
        return out


def _count(rt: Runtime, model: Any) -> int:
    with rt.uow() as uow:
        return int(uow.s.scalar(select(func.count()).select_from(model)) or 0)


def _inbox(rt: Runtime, actor: Principal) -> list[str]:
    with rt.uow() as uow:
        return [n.kind for n in inbox.my_notifications(uow, actor).items]


INTERVIEW = StatusChange("interview", interview_at=datetime(2030, 1, 2, 9, 0, tzinfo=UTC),
                         interview_location="北京市大兴区 1 号")
HIRE = HireInput(hired_on=date(2030, 1, 10), contract_months=12, contract_reference="EC-1")


def test_the_whole_journey_makes_a_placement_and_fills_the_vacancy(rt: Runtime,
                                                                    scene: Scene) -> None:
    app = _do(rt, actions.apply, scene.seeker, scene.vacancy_id, "我有叉车证")
    assert app.status == "applied" and app.source == "seeker"
    assert _inbox(rt, scene.ent) == ["application.applied"]
    for change in (StatusChange("shortlisted"), INTERVIEW, StatusChange("offered")):
        view = _do(rt, actions.set_status, scene.ent, app.id, change)
        assert view.status == change.status
    assert view.interview_location == "北京市大兴区 1 号"
    placed = _do(rt, actions.hire, scene.ent, app.id, HIRE)
    assert placed.seeker_id == scene.seeker.seeker_id and placed.contract_months == 12
    assert placed.agency_id is None
    with rt.uow() as uow:
        vacancy = uow.s.get(Vacancy, scene.vacancy_id)
        assert vacancy is not None and vacancy.status == VacancyStatus.FILLED
        row = uow.s.get(Application, app.id)
        assert row is not None and row.placement_id == placed.id
        assert row.contract_reference == "EC-1"
        mine = queries.my_applications(uow, scene.seeker)
    assert [a.status for a in mine.items] == ["hired"]
    assert mine.items[0].enterprise and mine.items[0].vacancy_title == "仓库拣货员"
    kinds = _inbox(rt, scene.seeker)
    assert kinds[0] == "application.hired" and "application.interview" in kinds
    assert _count(rt, OutboxMessage) >= 5
    reopened = _do(rt, vacancy_actions.reopen_vacancy, scene.ent, scene.vacancy_id)
    assert reopened.status == "open" and reopened.remaining == 1
    assert _do(rt, inbox_actions.mark_all_read, scene.seeker) == len(kinds)
    with rt.uow() as uow:
        assert inbox.unread_count(uow, scene.seeker) == 0


def test_duplicate_application_is_409_and_changes_nothing(rt: Runtime, scene: Scene) -> None:
    _do(rt, actions.apply, scene.seeker, scene.vacancy_id)
    before = (_count(rt, Application), _count(rt, Notification))
    with pytest.raises(Conflict) as err:
        _do(rt, actions.apply, scene.seeker, scene.vacancy_id)
    assert err.value.code == "duplicate_application"
    assert (_count(rt, Application), _count(rt, Notification)) == before


def test_unknown_closed_or_filled_vacancy(rt: Runtime, scene: Scene) -> None:
    with pytest.raises(NotFound):
        _do(rt, actions.apply, scene.seeker, 99999)
    _do(rt, vacancy_actions.close_vacancy, scene.ent, scene.vacancy_id)
    with pytest.raises(Refused) as err:
        _do(rt, actions.apply, scene.seeker, scene.vacancy_id)
    assert err.value.status == 422 and _count(rt, Application) == 0


@pytest.mark.parametrize(("path", "target"), [
    ((), "hired"), (("rejected",), "shortlisted"), (("offered",), "shortlisted"),
    (("offered",), "interview"), (("withdrawn",), "offered"), (("interview",), "shortlisted"),
])
def test_illegal_moves_are_409(rt: Runtime, scene: Scene, path: tuple[str, ...],
                               target: str) -> None:
    app = _do(rt, actions.apply, scene.seeker, scene.vacancy_id)
    for step in path:
        if step == "withdrawn":
            _do(rt, actions.withdraw, scene.seeker, app.id)
        else:
            _do(rt, actions.set_status, scene.ent, app.id,
                INTERVIEW if step == "interview" else StatusChange(step))
    with pytest.raises(Conflict) as err:
        if target == "hired":
            _do(rt, actions.hire, scene.ent, app.id, HIRE)
        else:
            _do(rt, actions.set_status, scene.ent, app.id,
                INTERVIEW if target == "interview" else StatusChange(target))
    assert err.value.code == "invalid_transition"
    assert _count(rt, Placement) == 0


def test_withdraw_after_hire_is_refused(rt: Runtime, scene: Scene) -> None:
    app = _do(rt, actions.apply, scene.seeker, scene.vacancy_id)
    _do(rt, actions.set_status, scene.ent, app.id, StatusChange("offered"))
    _do(rt, actions.hire, scene.ent, app.id, HIRE)
    with pytest.raises(Conflict):
        _do(rt, actions.withdraw, scene.seeker, app.id)


def test_bad_input_is_422(rt: Runtime, scene: Scene) -> None:
    app = _do(rt, actions.apply, scene.seeker, scene.vacancy_id)
    with pytest.raises(ValidationFailed) as err:
        _do(rt, actions.set_status, scene.ent, app.id, StatusChange("interview"))
    assert set(err.value.fields) == {"interview_at", "interview_location"}
    with pytest.raises(ValidationFailed):
        _do(rt, actions.set_status, scene.ent, app.id, StatusChange("hired"))
    _do(rt, actions.set_status, scene.ent, app.id, StatusChange("offered"))
    for months in (None, 0):
        with pytest.raises(ValidationFailed) as err:
            _do(rt, actions.hire, scene.ent, app.id, HireInput(date(2030, 1, 1), months))
        assert "contract_months" in err.value.fields
    assert _count(rt, Placement) == 0


def test_other_owners_get_404(rt: Runtime, scene: Scene) -> None:
    app = _do(rt, actions.apply, scene.seeker, scene.vacancy_id)
    with pytest.raises(NotFound):
        _do(rt, actions.withdraw, scene.other_seeker, app.id)
    with pytest.raises(NotFound):
        _do(rt, actions.set_status, scene.other_ent, app.id, StatusChange("shortlisted"))
    with pytest.raises(NotFound):
        _do(rt, actions.hire, scene.other_ent, app.id, HIRE)
    with pytest.raises(NotFound):
        _do(rt, queries.vacancy_applications, scene.other_ent, scene.vacancy_id)
    with pytest.raises(NotFound):
        _do(rt, vacancy_actions.reopen_vacancy, scene.other_ent, scene.vacancy_id)


def test_applicants_are_masked_scored_and_explained(rt: Runtime, scene: Scene) -> None:
    _do(rt, actions.apply, scene.seeker, scene.vacancy_id)
    view = _do(rt, queries.vacancy_applications, scene.ent, scene.vacancy_id)
    (one,) = view.page.items
    assert one.name == "张*" and one.application.source == "seeker"
    assert one.explanation and one.score is not None


def test_agency_recommendation_becomes_an_agency_application(rt: Runtime,
                                                             scene: Scene) -> None:
    _do(rt, subsidy.recommend, scene.agency,
        subsidy.RecommendationInput(seeker_id=scene.seeker2_id, vacancy_id=scene.vacancy_id))
    view = _do(rt, queries.vacancy_applications, scene.ent, scene.vacancy_id)
    (one,) = view.page.items
    assert one.application.source == "agency" and one.application.agency
    assert "application.recommended" in _inbox(rt, scene.ent)
    _do(rt, actions.set_status, scene.ent, one.application.id, StatusChange("offered"))
    placed = _do(rt, actions.hire, scene.ent, one.application.id, HIRE)
    assert placed.agency_id == scene.agency.agency_id
    assert "placement.attributed" in _inbox(rt, scene.agency)


def test_social_insurance_months_and_the_import(rt: Runtime, scene: Scene) -> None:
    app = _do(rt, actions.apply, scene.seeker, scene.vacancy_id)
    _do(rt, actions.set_status, scene.ent, app.id, StatusChange("offered"))
    placed = _do(rt, actions.hire, scene.ent, app.id, HIRE)
    with pytest.raises(ValidationFailed) as err:
        _do(rt, actions.record_social_insurance, SYSTEM, placed.id, -1)
    assert "months" in err.value.fields
    assert _do(rt, actions.record_social_insurance, SYSTEM, placed.id, 6
               ).social_insurance_months == 6
    rows = actions.si_import.read_csv(["placement_id,months", f"{placed.id},7", "999,3"])
    with pytest.raises(ValidationFailed) as err:
        _do(rt, actions.import_social_insurance, SYSTEM, rows)
    assert list(err.value.fields) == ["row 3"]
    with rt.uow() as uow:
        row = uow.s.get(Placement, placed.id)
        assert row is not None and row.social_insurance_months == 6
    _do(rt, actions.import_social_insurance, SYSTEM, rows[:1])
    with rt.uow() as uow:
        row = uow.s.get(Placement, placed.id)
        assert row is not None and row.social_insurance_months == 7


def test_invite_notifies_the_seeker(rt: Runtime, scene: Scene) -> None:
    _do(rt, actions.invite, scene.ent, scene.vacancy_id, scene.seeker2_id)
    assert _inbox(rt, scene.other_seeker) == ["application.invited"]
    with pytest.raises(NotFound):
        _do(rt, actions.invite, scene.other_ent, scene.vacancy_id, scene.seeker2_id)
