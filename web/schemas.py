"""Marshmallow schemas: request arguments in, plain dataclasses out."""

from __future__ import annotations

from typing import Any

from marshmallow import EXCLUDE, Schema, ValidationError, fields, pre_load, validate

from matcher.enums import EmploymentType
from matcher.vacancies.queries import MAX_PER_PAGE
from matcher.vacancies.search import SORTS
from matcher.words import msg
from web.form_words import worded_field


def _nul_fields(data: Any) -> list[str]:
    if not hasattr(data, "items"):
        return []
    bad = []
    for key, value in data.items():
        values = value if isinstance(value, list) else [value]
        if any(isinstance(v, str) and "\x00" in v for v in values):
            bad.append(str(key))
    return bad


class InputSchema(Schema):
    """Base of every input schema: refuses NUL characters (PostgreSQL cannot store them).

    Every message of its fields and validators is a catalog msgid with its limits as values
    (:mod:`web.form_words`), so people read it in their language.
    """

    def __init__(self, *args: Any, **kwargs: Any):
        cls = type(self)
        if not cls.__dict__.get("_worded"):  # once per class: instances copy these fields
            for field in cls._declared_fields.values():  # (webargs builds one per request)
                worded_field(field)
            setattr(cls, "_worded", True)  # noqa: B010 - a flag on this class only
        super().__init__(*args, **kwargs)

    @pre_load
    def _no_nul(self, data: Any, **_kwargs: Any) -> Any:
        bad = _nul_fields(data)
        if bad:
            raise ValidationError({name: [msg("Must not contain NUL characters.")]
                                   for name in bad})
        return data


class VacancySearchArgs(InputSchema):
    """Query-string arguments of the vacancy search (page and API)."""

    class Meta:
        unknown = EXCLUDE

    q = fields.String(load_default="", validate=validate.Length(max=200))
    district = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=64))
    employment_type = fields.Enum(EmploymentType, by_value=True, load_default=None,
                                  allow_none=True)
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=100_000))
    per_page = fields.Integer(load_default=20, validate=validate.Range(min=1, max=MAX_PER_PAGE))
    sort = fields.String(load_default="relevance", validate=validate.OneOf(SORTS))
    key_only = fields.Boolean(load_default=False)

    @pre_load
    def _blank_means_any(self, data: Any, **_kwargs: Any) -> Any:
        """The search form's empty choices ("every district", "every type") filter nothing."""
        return {k: v for k, v in dict(data).items()
                if not (k in ("district", "employment_type", "sort", "key_only") and v == "")}


class VacancyOut(Schema):
    """A vacancy as the API shows it."""

    id = fields.Integer()
    external_id = fields.String()
    title = fields.String()
    enterprise = fields.String()
    enterprise_id = fields.Integer()
    district = fields.String(allow_none=True)
    employment_type = fields.String()
    wage_min = fields.Integer(allow_none=True)
    wage_max = fields.Integer(allow_none=True)
    headcount = fields.Integer()
    remaining = fields.Integer()
    key_tier = fields.String()
    urgency = fields.String()
    status = fields.String()
    start_date = fields.Date(allow_none=True)
    required_skills = fields.List(fields.String())
    preferred_skills = fields.List(fields.String())
    description = fields.String()
    shift = fields.String(allow_none=True)
    accepts_borrowed = fields.Boolean()


class PageOut(Schema):
    """Pagination envelope used by every list endpoint."""

    page = fields.Integer()
    per_page = fields.Integer()
    total = fields.Integer()
    pages = fields.Integer()
