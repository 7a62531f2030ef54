"""JSON API, version 1. Lists are paginated: ``{"items": [...], "page": {...}}``."""

from __future__ import annotations

from flask import Blueprint, request

from matcher.queries import vacancies as q
from web import runtime
from web.schemas import PageOut, VacancyOut, VacancySearchArgs

bp = Blueprint("api", __name__)


@bp.get("/vacancies")
def list_vacancies():  # type: ignore[no-untyped-def]
    """Search open vacancies (same arguments as the search page)."""
    args = VacancySearchArgs().load(request.args)
    with runtime().sessions() as session:
        page = q.search_vacancies(
            session, words=args["q"], district=args["district"],
            employment_type=args["employment_type"], page=args["page"],
            per_page=args["per_page"],
        )
    return {"items": VacancyOut(many=True).dump(page.items), "page": PageOut().dump(page)}


@bp.get("/vacancies/<int:vacancy_id>")
def get_vacancy(vacancy_id: int):  # type: ignore[no-untyped-def]
    """One vacancy."""
    with runtime().sessions() as session:
        card = q.get_vacancy(session, vacancy_id)
    return VacancyOut().dump(card)
