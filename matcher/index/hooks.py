"""Small public hooks other features call so their changes reach the indexes.

Call them inside the unit of work that makes the change, after changing the rows: just
before the commit the rows are embedded (if their text has no stored vector) and logged in
the same transaction; every process applies the change on its next index read::

    with rt.uow() as uow:
        employee.consent = False
        people_changed(rt, uow, surplus_ids=[employee.id])
        uow.commit()
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from matcher.db import UnitOfWork
from matcher.index.registry import get_registry
from matcher.index.vector_store import ALL_KEYS, record_changes
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
    """After a committed bulk import of ``kinds``: log a "sync everything" change for each
    index kind it affects (every process catches up on its next read) and catch up here.

    Imported rows are not embedded here: ``index build`` or the job queue embeds them
    (:func:`matcher.index.vector_store.embed_and_store`); until then a new row is not in the
    semantic index (keyword search and lists find it) and a changed one keeps its old vector.
    """
    registry = get_registry(rt)
    index_kinds = sorted({k for kind in kinds for k in IMPORT_KINDS.get(kind, ())})
    with rt.uow() as uow:
        for index_kind in index_kinds:
            record_changes(uow.s, index_kind, [ALL_KEYS])
        uow.commit()
    for index_kind in index_kinds:
        registry.catch_up(index_kind)
