"""Public vacancy search (no login)."""

from __future__ import annotations

from typing import Any

from flask_smorest import Blueprint

from matcher.vacancies import queries as q
from web.api.schemas import paged
from web.schemas import VacancyOut, VacancySearchArgs
from web.security import read_public

blp = Blueprint("vacancies", __name__, url_prefix="/api/v1/vacancies",
                description="Public vacancy search")


@blp.route("", methods=["GET"])
@blp.doc(security=[])  # public
@blp.arguments(VacancySearchArgs, location="query", as_kwargs=True)
@blp.response(200, paged(VacancyOut, "VacanciesVacancyPage"))
def list_vacancies(**args: Any) -> dict[str, Any]:
    """Search open vacancies (same arguments as the search page)."""
    page = read_public(q.search_vacancies, words=args["q"], district=args["district"],
                       employment_type=args["employment_type"], page=args["page"],
                       per_page=args["per_page"])
    return {"items": page.items, "page": page}


@blp.route("/<int:vacancy_id>", methods=["GET"])
@blp.doc(security=[])  # public
@blp.response(200, VacancyOut)
def get_vacancy(vacancy_id: int) -> Any:
    """One vacancy (any status)."""
    return read_public(q.get_vacancy, vacancy_id)
