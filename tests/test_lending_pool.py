"""The idle staff pool: declaring, consent, windows, and who is lendable when."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any

import pytest
from sqlalchemy import func, select

from matcher.errors import NotFound, ValidationFailed
from matcher.index.registry import get_registry
from matcher.lending import pool
from matcher.lending.pool import EmployeeInput
from matcher.matching.profiles import person_key
from matcher.models import AuditLog, Enterprise, SurplusEmployee
from matcher.runtime import Runtime

D = date(2020, 3, 2)


def _enterprise(rt: Runtime, ext: str, name: str) -> int:
    with rt.uow() as uow:
        ent = Enterprise(external_id=ext, name=name)
        uow.s.add(ent)
        uow.commit()
        return ent.id


def _declare(rt: Runtime, ent: int, ext: str, **kw: Any) -> int:
    data = replace(EmployeeInput(
        external_id=ext, name=ext, skills=("叉车", "forklift"), available_from=date(2020, 2, 1),
        available_to=date(2020, 6, 30), daily_cost=20000, consent=True), **kw)
    with rt.uow() as uow:
        view = pool.declare_employee(rt, uow, ent, data, actor="test")
        uow.commit()
        return view.id


def _lendable_ids(rt: Runtime, start: date = D, end: date = D, **kw: int) -> list[int]:
    with rt.uow() as uow:
        return [e.id for e in pool.lendable_employees(uow.s, start, end, **kw)]


def _in_people_index(rt: Runtime, employee_id: int) -> bool:
    return person_key("surplus", employee_id) in get_registry(rt).live("people")


def test_declare_records_audit_and_reaches_the_index_only_after_commit(rt: Runtime) -> None:
    ent = _enterprise(rt, "E1", "停工餐厅")
    get_registry(rt).live("people")  # the engine's people index is loaded in this process
    with rt.uow() as uow:
        view = pool.declare_employee(
            rt, uow, ent, EmployeeInput(external_id="S1", name="张三", skills=("厨师",),
                                        daily_cost=15000, consent=True), actor="test")
        assert view.enterprise_name == "停工餐厅" and view.skills == ("厨师",)
        assert view.consent_recorded_at is not None
        assert not _in_people_index(rt, view.id)  # not before commit
        uow.commit()
    assert _in_people_index(rt, view.id)
    with rt.uow() as uow:
        actions = list(uow.s.scalars(select(AuditLog.action)))
    assert actions == ["surplus.declared"]


def test_rolled_back_change_neither_persists_nor_reaches_the_index(rt: Runtime) -> None:
    ent = _enterprise(rt, "E1", "A")
    get_registry(rt).live("people")
    with rt.uow() as uow:
        view = pool.declare_employee(rt, uow, ent, EmployeeInput(external_id="S1", consent=True),
                                     actor="test")
    assert not _in_people_index(rt, view.id)
    with rt.uow() as uow:
        assert uow.s.scalar(select(func.count(SurplusEmployee.id))) == 0
        assert uow.s.scalar(select(func.count(AuditLog.id))) == 0


def test_bad_input_is_refused_with_field_messages(rt: Runtime) -> None:
    ent = _enterprise(rt, "E1", "A")
    _declare(rt, ent, "S1")
    with rt.uow() as uow:
        with pytest.raises(ValidationFailed) as dup:
            pool.declare_employee(rt, uow, ent, EmployeeInput(external_id="S1"), actor="t")
        assert "external_id" in dup.value.fields
        # the savepoint kept the transaction usable: a valid declaration still works
        pool.declare_employee(rt, uow, ent, EmployeeInput(external_id="S2"), actor="t")
        uow.commit()
    with rt.uow() as uow, pytest.raises(ValidationFailed) as bad:
        pool.declare_employee(rt, uow, ent, EmployeeInput(
            external_id="S3", available_from=date(2020, 5, 1), available_to=date(2020, 4, 1)),
            actor="t")
    assert bad.value.fields == {"available_to": ["Must be on or after the first available day."]}
    with rt.uow() as uow, pytest.raises(ValidationFailed) as neg:
        pool.declare_employee(rt, uow, ent, EmployeeInput(external_id="S4", daily_cost=-1),
                              actor="t")
    assert "daily_cost" in neg.value.fields
    with rt.uow() as uow, pytest.raises(NotFound):
        pool.declare_employee(rt, uow, 999, EmployeeInput(external_id="S5"), actor="t")


def test_withdrawn_consent_removes_from_matching_at_once(rt: Runtime) -> None:
    ent = _enterprise(rt, "E1", "A")
    emp = _declare(rt, ent, "S1")
    assert _lendable_ids(rt) == [emp]
    assert _in_people_index(rt, emp)
    with rt.uow() as uow:
        view = pool.record_consent(rt, uow, emp, False, actor="employee")
        uow.commit()
    assert not view.consent
    assert _lendable_ids(rt) == []
    assert not _in_people_index(rt, emp)
    with rt.uow() as uow:
        pool.record_consent(rt, uow, emp, True, actor="employee")
        uow.commit()
    assert _lendable_ids(rt) == [emp]
    assert _in_people_index(rt, emp)
    with rt.uow() as uow:
        actions = list(uow.s.scalars(select(AuditLog.action).order_by(AuditLog.id)))
    assert actions[-2:] == ["surplus.consent_withdrawn", "surplus.consent_given"]


def test_window_limits_lendability_and_expires_by_date(rt: Runtime) -> None:
    ent = _enterprise(rt, "E1", "A")
    never = _declare(rt, ent, "S0", consent=False)
    emp = _declare(rt, ent, "S1")
    open_ended = _declare(rt, ent, "S2", available_from=None, available_to=None)
    assert never not in _lendable_ids(rt)
    assert _lendable_ids(rt, date(2020, 6, 1), date(2020, 6, 30)) == [emp, open_ended]
    # a period running past the window's end is not lendable for the whole period
    assert _lendable_ids(rt, date(2020, 6, 1), date(2020, 7, 5)) == [open_ended]
    # the day after the window ended, the employee is gone without any change being written
    assert _lendable_ids(rt, date(2020, 7, 1), date(2020, 7, 1)) == [open_ended]
    with rt.uow() as uow:
        pool.update_window(rt, uow, emp, date(2020, 2, 1), date(2020, 3, 1), actor="hr",
                           daily_cost=18000)
        uow.commit()
    assert _lendable_ids(rt) == [open_ended]
    with rt.uow() as uow:
        assert pool.get_employee(uow.s, emp).daily_cost == 18000
        with pytest.raises(ValidationFailed):
            pool.update_window(rt, uow, emp, date(2020, 3, 1), date(2020, 2, 1), actor="hr")


def test_enterprise_filters_and_removal(rt: Runtime) -> None:
    a = _enterprise(rt, "E1", "A")
    b = _enterprise(rt, "E2", "B")
    ea = _declare(rt, a, "S1")
    eb = _declare(rt, b, "S2")
    assert _lendable_ids(rt, exclude_enterprise=a) == [eb]
    assert _lendable_ids(rt, enterprise_id=a) == [ea]
    with rt.uow() as uow:
        pool.remove_employee(rt, uow, ea, actor="hr")
        uow.commit()
    assert _lendable_ids(rt) == [eb]
    with rt.uow() as uow:
        rows = pool.pool_of(uow.s, a)
    assert [(v.id, v.status, v.consent, active) for v, active in rows] == [
        (ea, "deleted", False, None)
    ]
