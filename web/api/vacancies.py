"""Public vacancy search (no login)."""

from __future__ import annotations

from typing import Any

from flask_smorest import Blueprint
from marshmallow import Schema, fields

from matcher.vacancies import queries as q
from web.context import runtime
from web.reasons import filter_label, search_reasons
from web.schemas import PageOut, VacancyOut, VacancySearchArgs
from web.security import read_public

blp = Blueprint("vacancies", __name__, url_prefix="/api/v1/vacancies",
                description="Public vacancy search")


class MatchReasonOut(Schema):
    """Why a result matched: a stable code, the word/skill/title, and a translated sentence."""

    code = fields.String(required=True, metadata={
        "description": "title | spelling | skill | description | enterprise | semantic"})
    value = fields.String(required=True)
    text = fields.String(required=True)


class VacancyHitOut(VacancyOut):
    """A vacancy in search results: with search words, its relevance and reasons."""

    relevance = fields.Float(allow_none=True, metadata={"description": "0..1; null without q"})
    match_reasons = fields.List(fields.Nested(MatchReasonOut))


class RelaxOut(Schema):
    """An active filter of an empty search, and the results there are without it."""

    drop = fields.String(required=True, metadata={
        "description": "q | district | employment_type | key_only"})
    value = fields.String(required=True)
    label = fields.String(required=True)
    total = fields.Integer(required=True)


class SearchInfoOut(Schema):
    """How the search was read: sort order, typo correction, filters worth dropping."""

    sort = fields.String(required=True)
    corrected = fields.String(allow_none=True)
    relax = fields.List(fields.Nested(RelaxOut), required=True)


class VacancySearchPage(Schema):
    """``{"items", "page", "search"}``."""

    items = fields.List(fields.Nested(VacancyHitOut), required=True)
    page = fields.Nested(PageOut, required=True)
    search = fields.Nested(SearchInfoOut, required=True)


@blp.route("", methods=["GET"])
@blp.doc(security=[])  # public
@blp.arguments(VacancySearchArgs, location="query", as_kwargs=True)
@blp.response(200, VacancySearchPage)
def list_vacancies(**args: Any) -> dict[str, Any]:
    """Search open vacancies by words (keyword, typo-tolerant, bilingual by meaning), district,
    employment type and key enterprises; sort by relevance, newest or wage."""
    page = read_public(q.search_vacancies, words=args["q"], district=args["district"],
                       employment_type=args["employment_type"], page=args["page"],
                       per_page=args["per_page"], sort=args["sort"],
                       key_only=args["key_only"], rt=runtime())
    items = [{**vars(v), "match_reasons": search_reasons(v.match_reasons)} for v in page.items]
    relax = [{**vars(r), "label": filter_label(r.drop)} for r in page.relax]
    return {"items": items, "page": page,
            "search": {"sort": page.sort, "corrected": page.corrected, "relax": relax}}


@blp.route("/<int:vacancy_id>", methods=["GET"])
@blp.doc(security=[])  # public
@blp.response(200, VacancyOut)
def get_vacancy(vacancy_id: int) -> Any:
    """One vacancy (any status)."""
    return read_public(q.get_vacancy, vacancy_id)
