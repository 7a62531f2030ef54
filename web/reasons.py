"""Reasons in the reader's language: why a search result matched, why a match scores well.

The engine gives codes and values (:class:`matcher.vacancies.search.MatchReason`,
:func:`matcher.recommend.explain.plain_reasons`); this module turns each into a sentence
through the Flask-Babel catalogs, for pages and API answers alike.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from marshmallow import Schema, fields

from matcher.recommend.explain import plain_reasons, score_100
from matcher.words import N_
from web.i18n import gettext as _  # the catalog found once per request
from web.i18n import translator

_SEARCH = {
    "title": lambda v: _("Title contains %(word)s", word=v),
    "spelling": lambda v: _("Close spelling: %(word)s", word=v),
    "skill": lambda v: _("Skill: %(skill)s", skill=v),
    "description": lambda v: _("Description mentions %(word)s", word=v),
    "enterprise": lambda v: _("Employer name contains %(word)s", word=v),
    "semantic": lambda v: _("Similar in meaning: %(title)s", title=v),
}

_FILTERS = {
    "q": lambda: _("Search words"), "district": lambda: _("District"),
    "employment_type": lambda: _("Employment type"), "key_only": lambda: _("Key enterprises only"),
}


def search_reason(code: str, value: str) -> str:
    """One search reason as a sentence."""
    found = _SEARCH.get(code)
    return found(value) if found else value


def search_reasons(reasons: Iterable[Any]) -> list[dict[str, str]]:
    """``[{code, value, text}]`` of a result's reasons (objects with ``code`` and ``value``)."""
    return [{"code": r.code, "value": r.value, "text": search_reason(r.code, r.value)}
            for r in reasons]


def filter_label(name: str) -> str:
    """The label of a search filter (for "drop this filter" suggestions)."""
    found = _FILTERS.get(name)
    return found() if found else name


_SCORE = {  # code of ``plain_reasons`` -> msgid (its params fill the placeholders)
    "skills_all": N_("Has the required skills %(have)s/%(total)s"),
    "skills_some": N_("Has %(have)s of %(total)s required skills"),
    "skills_required": N_("Has every required skill"),
    "no_skills_needed": N_("No particular skills required"),
    "distance": N_("About %(km)s km away"),
    "distance_approx": N_("About %(km)s km away (district estimate)"),
    "key_enterprise": N_("Key enterprise"),
    "borrowable": N_("Can be borrowed"),
    "agreement": N_("The two enterprises have a lending agreement"),
    "similar_work": N_("Work close to what they are looking for"),
    "urgent": N_("Urgently hiring"),
    "plus_skills": N_("Plus: %(skills)s"),
}


def score_reason(code: str, params: Mapping[str, Any],
                 tr: Callable[[str], str] | None = None) -> str:
    """One plain-language reason of a match score (codes of ``plain_reasons``); ``tr``: the
    request's lookup when the caller already holds it (:func:`web.i18n.translator`)."""
    msgid = _SCORE.get(code)
    if not msgid:
        return code
    text = (tr or translator())(msgid)
    return text % params if params else text


def score_reasons(reasons: Iterable[tuple[str, Mapping[str, Any]]]) -> list[dict[str, str]]:
    """``[{code, text}]`` of a match's plain reasons (the catalog found once for all)."""
    tr = translator()
    return [{"code": code, "text": score_reason(code, params, tr)} for code, params in reasons]


def match_view(m: Any) -> dict[str, Any]:
    """``{score_100, reasons}`` of a ranked result, for templates."""
    return {"score_100": score_100(getattr(m, "score", None)),
            "reasons": score_reasons(plain_reasons(m))}


class ScoreReasonOut(Schema):
    """A plain-language reason of a match score."""

    code = fields.String(required=True, metadata={"description": (
        "skills_all | skills_required | no_skills_needed | distance | distance_approx | "
        "key_enterprise | borrowable | agreement | urgent | similar_work | plus_skills")})
    text = fields.String(required=True)


class Score100(fields.Integer):
    """The result's ``score`` on the fixed 0-100 scale (declare with ``attribute="score"``)."""

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> Any:
        return score_100(value)


class ScoreReasons(fields.List):
    """2-4 plain-language reasons computed from the whole result."""

    def __init__(self, **kwargs: Any):
        super().__init__(fields.Nested(ScoreReasonOut), **kwargs)

    def serialize(self, attr: str, obj: Any, accessor: Any = None, **kwargs: Any) -> Any:
        """The reasons of ``obj`` (not of one attribute)."""
        return score_reasons(plain_reasons(obj))
