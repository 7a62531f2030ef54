"""What an enterprise does with its vacancies: post, edit, close, fill, delete.

Each action checks the caller first (the role by the decorator, ownership here: another
enterprise's vacancy is 404), then calls the service in :mod:`.services`, which validates,
writes the audit row and tells the vacancies index after the commit. An enterprise posts
for itself; the system principal (CLI, jobs) names the enterprise in the input.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from matcher import audit
from matcher.accounts import permissions as perm
from matcher.action import action
from matcher.enums import Role, VacancyStatus
from matcher.errors import NotFound, ValidationFailed
from matcher.index.hooks import vacancies_changed
from matcher.models import Vacancy
from matcher.principal import Principal
from matcher.runtime import Work
from matcher.vacancies import services
from matcher.vacancies.queries import VacancyCard, get_vacancy
from matcher.vacancies.services import VacancyInput, VacancyView
from matcher.words import msg


def _tuples(changes: Mapping[str, Any]) -> dict[str, Any]:
    return {k: tuple(v) if isinstance(v, list) else v for k, v in changes.items()}


@action(Role.ENTERPRISE)
def post_vacancy(uow: Work, actor: Principal, data: VacancyInput) -> VacancyCard:
    """Post an open vacancy (matched as soon as it is committed)."""
    if actor.is_system:
        if data.enterprise_id is None:
            raise ValidationFailed(msg("Name the enterprise that posts the vacancy."),
                                   fields={"enterprise_id": [msg("Required.")]})
    elif data.enterprise_id not in (None, actor.enterprise_id):
        raise NotFound(msg("No enterprise %(id)s.", id=data.enterprise_id))
    else:
        data = replace(data, enterprise_id=actor.enterprise_id)
    data = replace(data, required_skills=tuple(data.required_skills),
                   preferred_skills=tuple(data.preferred_skills))
    view = services.post_vacancy(uow.rt, uow, data, actor=actor.actor_name)
    return get_vacancy(uow.s, view.id)


@action(Role.ENTERPRISE)
def edit_vacancy(uow: Work, actor: Principal, vacancy_id: int,
                 changes: Mapping[str, Any]) -> VacancyCard:
    """Change editable fields of an own vacancy (lists become tuples)."""
    perm.own_vacancy(uow.s, actor, vacancy_id)
    services.edit_vacancy(uow.rt, uow, vacancy_id, _tuples(changes), actor=actor.actor_name)
    return get_vacancy(uow.s, vacancy_id)


@action(Role.ENTERPRISE)
def close_vacancy(uow: Work, actor: Principal, vacancy_id: int) -> VacancyCard:
    """Close an own vacancy (it leaves matching at once after the commit)."""
    perm.own_vacancy(uow.s, actor, vacancy_id)
    services.close_vacancy(uow.rt, uow, vacancy_id, actor=actor.actor_name)
    return get_vacancy(uow.s, vacancy_id)


@action(Role.ENTERPRISE)
def fill_vacancy(uow: Work, actor: Principal, vacancy_id: int, n: int = 1) -> VacancyView:
    """Count ``n`` hires on an own vacancy; a full vacancy becomes filled."""
    perm.own_vacancy(uow.s, actor, vacancy_id)
    return services.fill_vacancy(uow.rt, uow, vacancy_id, n, actor=actor.actor_name)


@action(Role.ENTERPRISE)
def reopen_vacancy(uow: Work, actor: Principal, vacancy_id: int) -> VacancyCard:
    """Reopen an own closed or filled vacancy (a full one gets one more position)."""
    perm.own_vacancy(uow.s, actor, vacancy_id)
    vacancy = uow.s.get(Vacancy, vacancy_id)
    assert vacancy is not None
    if vacancy.status != VacancyStatus.OPEN or vacancy.remaining < 1:
        before = vacancy.status.value
        vacancy.headcount = max(vacancy.headcount, vacancy.filled + 1)
        vacancy.status = VacancyStatus.OPEN
        uow.s.flush()
        audit.record(uow.s, actor.actor_name, "vacancy.reopen", "vacancy", vacancy_id,
                     {"from": before, "headcount": vacancy.headcount})
        vacancies_changed(uow.rt, uow, [vacancy_id])
    return get_vacancy(uow.s, vacancy_id)


@action(Role.ENTERPRISE)
def delete_vacancy(uow: Work, actor: Principal, vacancy_id: int) -> None:
    """Delete an own vacancy nothing refers to (close it instead when there are hires)."""
    perm.own_vacancy(uow.s, actor, vacancy_id)
    services.delete_vacancy(uow.rt, uow, vacancy_id, actor=actor.actor_name)
