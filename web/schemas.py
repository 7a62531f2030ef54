"""Marshmallow schemas: request arguments in, plain dataclasses out."""

from __future__ import annotations

from marshmallow import EXCLUDE, Schema, fields, validate

from matcher.enums import EmploymentType
from matcher.queries.vacancies import MAX_PER_PAGE


class VacancySearchArgs(Schema):
    """Query-string arguments of the vacancy search (page and API)."""

    class Meta:
        unknown = EXCLUDE

    q = fields.String(load_default="", validate=validate.Length(max=200))
    district = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=64))
    employment_type = fields.Enum(EmploymentType, by_value=True, load_default=None,
                                  allow_none=True)
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=100_000))
    per_page = fields.Integer(load_default=20, validate=validate.Range(min=1, max=MAX_PER_PAGE))


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
