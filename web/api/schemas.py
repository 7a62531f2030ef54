"""Marshmallow schemas of the role API (request bodies in, responses out).

The OpenAPI document is generated from these. Inputs reject unknown fields (422).
"""

from __future__ import annotations

import functools
from datetime import UTC, datetime
from typing import Any

from marshmallow import Schema, fields, validate

from matcher.enums import SeekerCategory
from matcher.subsidy.rule_fields import DEGREE_LEVELS
from matcher.vacancies.queries import MAX_PER_PAGE
from web.api.fast_dump import FastList
from web.api.fields import District, Identifier, Int, Name, SaneDate
from web.reasons import Score100, ScoreReasons
from web.schemas import InputSchema, PageOut

Str = fields.String
_short = validate.Length(max=200)
_skills = fields.List(Str(validate=validate.Length(min=1, max=64)),
                      validate=validate.Length(max=50))


@functools.cache
class UtcDateTime(fields.DateTime):
    """An RFC 3339 timestamp; naive database values are UTC (the models store UTC)."""

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> Any:
        if isinstance(value, datetime) and value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return super()._serialize(value, attr, obj, **kwargs)


#: every list envelope made by :func:`paged`, by name (tests check their item dumps)
PAGED: dict[str, type[Schema]] = {}


def paged(item: type[Schema], name: str) -> type[Schema]:
    """The list envelope ``{"items": [...], "page": {...}}`` around ``item``, named ``name``
    (items dumped by a compiled plan: :mod:`web.api.fast_dump`)."""
    PAGED[name] = type(name, (Schema,), {"items": FastList(item, required=True),
                                         "page": fields.Nested(PageOut, required=True)})
    return PAGED[name]


class ErrorBody(Schema):
    """The error object."""

    code = Str(required=True)
    message = Str(required=True)
    field_messages = fields.Dict(keys=Str(), values=fields.Raw(), data_key="fields")


class ErrorOut(Schema):
    """Every error answer: ``{"error": {"code", "message", "fields"?}}``."""

    error = fields.Nested(ErrorBody, required=True)


class PageArgs(InputSchema):
    """Pagination query arguments."""

    page = Int(load_default=1, validate=validate.Range(min=1, max=100_000))
    per_page = Int(load_default=20, validate=validate.Range(min=1, max=MAX_PER_PAGE))


class TokenIn(InputSchema):
    """Credentials exchanged for an API token."""

    email = Str(required=True, validate=validate.Length(min=3, max=254))
    password = Str(required=True, validate=validate.Length(min=1, max=200),
                   load_only=True)
    name = Str(load_default=None, allow_none=True, validate=validate.Length(max=100),
               metadata={"description": "a label for the program using the token"})


class UserOut(Schema):
    """A user (no secrets)."""

    id = Int(required=True)
    email = Str(required=True)
    role = Str(required=True)
    enterprise_id = Int(allow_none=True)
    agency_id = Int(allow_none=True)
    seeker_id = Int(allow_none=True)


class TokenOut(Schema):
    """A new API token, shown once (the caller's other tokens stay valid)."""

    token = Str(required=True)
    id = Int(required=True)
    name = Str(required=True)
    user = fields.Nested(UserOut, required=True)


class MeOut(Schema):
    """The caller and a CSRF token for cookie clients."""

    user = fields.Nested(UserOut, required=True)
    csrf_token = Str(allow_none=True)


class OkOut(Schema):
    """A plain acknowledgement."""

    ok = fields.Boolean(required=True)


# --- seekers -------------------------------------------------------------------------

class SeekerUpdateIn(InputSchema):
    """Profile fields a seeker may change (all optional)."""

    name = Name(allow_none=True, validate=validate.Length(max=100))
    id_number = Identifier(allow_none=True, validate=validate.Length(max=18), load_only=True)
    phone = Identifier(allow_none=True, validate=validate.Length(max=20), load_only=True)
    desired_positions = _skills
    skills = _skills
    experience = Str(validate=validate.Length(max=4000))
    district = District(allow_none=True, validate=validate.Length(max=64))
    latitude = fields.Float(allow_none=True, validate=validate.Range(min=-90, max=90))
    longitude = fields.Float(allow_none=True, validate=validate.Range(min=-180, max=180))
    travel_km = fields.Float(allow_none=True, validate=validate.Range(min=0, max=1000))
    categories = fields.List(Str(validate=validate.OneOf([c.value for c in SeekerCategory])))
    available_from = SaneDate(allow_none=True)
    available_to = SaneDate(allow_none=True)
    graduation_year = Int(allow_none=True, validate=validate.Range(min=1950, max=2100))
    degree_level = Str(allow_none=True, validate=validate.OneOf(DEGREE_LEVELS), metadata={
        "description": "highest degree (subsidy rules read it)"})
    origin_province = Str(allow_none=True, validate=validate.Length(max=32))
    consent_matching = fields.Boolean()
    consent_share_with_agencies = fields.Boolean()


class SeekerOut(Schema):
    """A seeker's profile as the API shows it (identifiers masked)."""

    id = Int(required=True)
    external_id = Str(required=True)
    name = Str(allow_none=True)
    id_number_masked = Str(allow_none=True)
    phone_masked = Str(allow_none=True)
    status = Str(required=True)
    consent_matching = fields.Boolean(required=True)
    skills = fields.List(Str())
    desired_positions = fields.List(Str())


class RecommendArgs(PageArgs):
    """Recommendation list arguments."""

    per_page = Int(load_default=10, validate=validate.Range(min=1, max=50))


class Components(fields.Dict):
    """``{name: {value, weight, contribution}}`` as the engine made it (plain floats): dumped
    with one shallow copy per component instead of a field call per number (a tenth of a
    recommendation request's time went there); documented like the ``Dict`` it is."""

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> Any:
        if value is None:
            return None
        return {str(name): {k: float(v) for k, v in part.items()} for name, part in value.items()}


class ScoredOut(Schema):
    """What every ranked result carries: the score, its components and the skill facts."""

    score = fields.Float(required=True)
    components = Components(keys=Str(), values=fields.Dict(keys=Str(), values=fields.Float()))
    matched_skills = fields.List(Str())
    missing_skills = fields.List(Str())
    distance_km = fields.Float(allow_none=True)
    agreement = Str(allow_none=True)
    rank = Int()
    score_100 = Score100(attribute="score", dump_only=True, metadata={
        "description": "the score on a fixed 0-100 scale (50 = as good as a typical true match)"})
    reasons = ScoreReasons(dump_only=True, metadata={
        "description": "2-4 plain-language reasons, in the reader's language"})


class MatchOut(ScoredOut):
    """A recommended vacancy with its explanation (score components, skills, distance)."""

    vacancy_id = Int(required=True)
    external_id = Str(required=True)
    title = Str(required=True)
    enterprise = Str(required=True)
    enterprise_id = Int(allow_none=True)
    distance_approximate = fields.Boolean()
    key_tier = Str()
    urgency = Str()


class CandidateOut(ScoredOut):
    """A candidate for a vacancy (a seeker or another enterprise's lendable employee)."""

    kind = Str(required=True)
    person_id = Int(required=True)
    external_id = Str(required=True)
    name = Str(allow_none=True)
    district = Str(allow_none=True)
    enterprise = Str(allow_none=True)
    enterprise_id = Int(allow_none=True)


class ExportOut(Schema):
    """Everything stored about the caller (their own identifiers in clear)."""

    profile = fields.Dict(required=True)
    recommendations = fields.List(fields.Dict())
    placements = fields.List(fields.Dict())
