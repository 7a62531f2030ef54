"""What a job seeker reads about themself: profile, all stored data, recommendations."""

from __future__ import annotations

from typing import Any

from matcher.action import query
from matcher.db import UnitOfWork
from matcher.enums import Role
from matcher.principal import Principal
from matcher.recommend.service import recommend_vacancies
from matcher.runtime import Work
from matcher.seekers.export import export_seeker, own_profile
from matcher.seekers.services import SeekerView
from matcher.vacancies import queries as vacancies
from matcher.vacancies.queries import Page, slice_page


def _sid(actor: Principal) -> int:
    assert actor.seeker_id is not None  # the role check refuses unlinked seekers
    return actor.seeker_id


@query(Role.SEEKER, system=False)
def my_profile(uow: Work, actor: Principal) -> SeekerView:
    """The caller's profile with identifiers masked."""
    return own_profile(uow, _sid(actor))


@query(Role.SEEKER, system=False)
def my_data(uow: Work, actor: Principal) -> dict[str, Any]:
    """Everything stored about the caller (identifiers in clear: it is their own)."""
    return export_seeker(uow.rt, uow, _sid(actor))


@query(Role.SEEKER, system=False)
def my_recommendations(uow: Work, actor: Principal, page: int, per_page: int) -> Page:
    """One page of recommended open vacancies, best first, ranked from the stored vectors."""
    found = recommend_vacancies(uow.rt, _sid(actor), k=page * per_page)
    return slice_page(found, page, per_page)


def districts(uow: UnitOfWork) -> list[str]:
    """Districts with open vacancies (public: the sign-up form offers them to anyone)."""
    return vacancies.districts(uow.s)
