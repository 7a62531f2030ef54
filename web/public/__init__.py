"""Public pages: search vacancies by words, district and employment type; vacancy page."""

from __future__ import annotations

from flask import Blueprint, render_template, request

from matcher.enums import EmploymentType
from matcher.queries import vacancies as q
from web import runtime
from web.schemas import VacancySearchArgs

bp = Blueprint("public", __name__)

EMPLOYMENT_LABELS = {
    EmploymentType.LONG_TERM: "长期 Long-term",
    EmploymentType.SHORT_TERM: "短期灵活 Short-term",
    EmploymentType.SHARED: "共享用工 Shared staff",
}
TIER_LABELS = {"inclusive": "普惠 Inclusive", "key": "重点 Key", "priority": "优先 Priority"}


@bp.get("/")
def index() -> str:
    """The vacancy search page (the home page)."""
    args = VacancySearchArgs().load(request.args)
    with runtime().sessions() as session:
        page = q.search_vacancies(
            session, words=args["q"], district=args["district"],
            employment_type=args["employment_type"], page=args["page"],
            per_page=args["per_page"],
        )
        districts = q.districts(session)
    return render_template(
        "vacancies.html", page=page, args=args, districts=districts,
        employment_labels=EMPLOYMENT_LABELS, tier_labels=TIER_LABELS,
    )


@bp.get("/vacancies/<int:vacancy_id>")
def vacancy(vacancy_id: int) -> str:
    """One vacancy's page."""
    with runtime().sessions() as session:
        card = q.get_vacancy(session, vacancy_id)
    return render_template("vacancy.html", v=card, employment_labels=EMPLOYMENT_LABELS,
                           tier_labels=TIER_LABELS)


@bp.get("/healthz")
def healthz() -> dict[str, str]:
    """Liveness probe: the process answers and the database is reachable."""
    from sqlalchemy import text

    with runtime().engine.connect() as conn:
        conn.execute(text("SELECT 1"))
    return {"status": "ok"}
