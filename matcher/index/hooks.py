"""Small public hooks other features call so their changes reach the indexes.

Call them inside the unit of work that makes the change; the index is updated only after
the commit succeeds (``uow.on_commit``), and only in processes that have the index loaded
(others catch up when they load or sync)::

    with rt.uow() as uow:
        employee.consent = False
        people_changed(rt, uow, surplus_ids=[employee.id])
        uow.commit()
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from matcher.db import UnitOfWork
from matcher.index.registry import get_registry
from matcher.matching.profiles import person_key
from matcher.runtime import Runtime

#: Import kinds (``workbridge import KIND``) -> index kinds they affect.
IMPORT_KINDS = {
    "vacancies": ("vacancies",),
    "seekers": ("people",),
    "surplus": ("people",),
    "enterprises": ("vacancies", "people"),
}


def vacancies_changed(rt: Runtime, uow: UnitOfWork, vacancy_ids: Iterable[int]) -> None:
    """Refresh these vacancies in the vacancies index after ``uow`` commits."""
    get_registry(rt).changed(uow, "vacancies", vacancy_ids)


def people_changed(
    rt: Runtime, uow: UnitOfWork, *, seeker_ids: Iterable[int] = (),
    surplus_ids: Iterable[int] = (),
) -> None:
    """Refresh these job seekers / surplus employees in the people index after the commit."""
    keys = [person_key("seeker", i) for i in seeker_ids]
    keys += [person_key("surplus", i) for i in surplus_ids]
    get_registry(rt).changed(uow, "people", keys)


def sync_after_import(rt: Runtime, kinds: Sequence[str]) -> None:
    """After a committed bulk import of ``kinds``, bring the loaded indexes up to date."""
    registry = get_registry(rt)
    for index_kind in sorted({k for kind in kinds for k in IMPORT_KINDS.get(kind, ())}):
        registry.sync(index_kind, full=True)
