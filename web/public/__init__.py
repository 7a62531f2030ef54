"""Public pages: search vacancies by words, district and employment type; vacancy page."""

from __future__ import annotations

from flask import Blueprint, render_template, request

from matcher.enums import EmploymentType
from matcher.recommend.explain import score_100
from matcher.vacancies import queries as q
from web.context import runtime
from web.reasons import filter_label, match_view, search_reasons
from web.schemas import VacancySearchArgs
from web.security import read_public

bp = Blueprint("public", __name__)
bp.add_app_template_global(match_view, "match_view")  # 0-100 score and reasons, every page
bp.add_app_template_filter(score_100, "score100")  # an engine score on the 0-100 scale

#: the employment types offered in the search form (shown as ``_(value)``)
EMPLOYMENT_TYPES = tuple(EmploymentType)
#: the enterprise tiers shown as a badge (``_(tier)``: 重点 / Key ...)
TIERS = ("inclusive", "key", "priority")

# districts are shown with the app-wide ``|district`` filter (web/labels.py)


@bp.get("/")
def index() -> str:
    """The vacancy search page (the home page)."""
    args = VacancySearchArgs().load(request.args)
    page = read_public(q.search_vacancies, words=args["q"], district=args["district"],
                       employment_type=args["employment_type"], page=args["page"],
                       per_page=args["per_page"], sort=args["sort"],
                       key_only=args["key_only"], rt=runtime())
    districts = read_public(q.districts)
    return render_template(
        "vacancies.html", page=page, args=args, districts=districts,
        employment_types=EMPLOYMENT_TYPES, tiers=TIERS,
        search_reasons=search_reasons, filter_label=filter_label,
    )


@bp.get("/vacancies/<int:vacancy_id>")
def vacancy(vacancy_id: int) -> str:
    """One vacancy's page."""
    card = read_public(q.get_vacancy, vacancy_id)
    return render_template("vacancy.html", v=card, tiers=TIERS)


@bp.get("/healthz")
def healthz() -> dict[str, str]:
    """Liveness probe: the process answers and the database is reachable."""
    runtime().ping()
    return {"status": "ok"}
