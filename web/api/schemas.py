"""Marshmallow schemas of the role API (request bodies in, responses out).

The OpenAPI document is generated from these. Inputs reject unknown fields (422).
"""

from __future__ import annotations

import functools
from datetime import UTC, datetime
from typing import Any

from marshmallow import Schema, fields, validate

from matcher.enums import ClaimStatus, EmploymentType, KeyTier, SeekerCategory, Urgency
from matcher.queries.vacancies import MAX_PER_PAGE
from web.schemas import InputSchema, PageOut

Str = fields.String
Int = fields.Integer
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


def paged(item: type[Schema], name: str) -> type[Schema]:
    """The list envelope ``{"items": [...], "page": {...}}`` around ``item``, named ``name``."""
    return type(name, (Schema,), {"items": fields.List(fields.Nested(item), required=True),
                                  "page": fields.Nested(PageOut, required=True)})


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


class UserOut(Schema):
    """A user (no secrets)."""

    id = Int(required=True)
    email = Str(required=True)
    role = Str(required=True)
    enterprise_id = Int(allow_none=True)
    agency_id = Int(allow_none=True)
    seeker_id = Int(allow_none=True)


class TokenOut(Schema):
    """A new API token, shown once."""

    token = Str(required=True)
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

    name = Str(allow_none=True, validate=validate.Length(max=100))
    id_number = Str(allow_none=True, validate=validate.Length(max=18), load_only=True)
    phone = Str(allow_none=True, validate=validate.Length(max=20), load_only=True)
    desired_positions = _skills
    skills = _skills
    experience = Str(validate=validate.Length(max=4000))
    district = Str(allow_none=True, validate=validate.Length(max=64))
    latitude = fields.Float(allow_none=True, validate=validate.Range(min=-90, max=90))
    longitude = fields.Float(allow_none=True, validate=validate.Range(min=-180, max=180))
    travel_km = fields.Float(allow_none=True, validate=validate.Range(min=0, max=1000))
    categories = fields.List(Str(validate=validate.OneOf([c.value for c in SeekerCategory])))
    available_from = fields.Date(allow_none=True)
    available_to = fields.Date(allow_none=True)
    graduation_year = Int(allow_none=True, validate=validate.Range(min=1950, max=2100))
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


class MatchOut(Schema):
    """A recommended vacancy with its explanation (score components, skills, distance)."""

    vacancy_id = Int(required=True)
    external_id = Str(required=True)
    title = Str(required=True)
    enterprise = Str(required=True)
    enterprise_id = Int(allow_none=True)
    score = fields.Float(required=True)
    components = fields.Dict(keys=Str(), values=fields.Dict(keys=Str(), values=fields.Float()))
    matched_skills = fields.List(Str())
    missing_skills = fields.List(Str())
    distance_km = fields.Float(allow_none=True)
    distance_approximate = fields.Boolean()
    key_tier = Str()
    urgency = Str()
    agreement = Str(allow_none=True)
    rank = Int()


class CandidateOut(Schema):
    """A candidate for a vacancy (a seeker or another enterprise's lendable employee)."""

    kind = Str(required=True)
    person_id = Int(required=True)
    external_id = Str(required=True)
    name = Str(allow_none=True)
    district = Str(allow_none=True)
    enterprise = Str(allow_none=True)
    enterprise_id = Int(allow_none=True)
    score = fields.Float(required=True)
    components = fields.Dict(keys=Str(), values=fields.Dict(keys=Str(), values=fields.Float()))
    matched_skills = fields.List(Str())
    missing_skills = fields.List(Str())
    distance_km = fields.Float(allow_none=True)
    agreement = Str(allow_none=True)
    rank = Int()


class ExportOut(Schema):
    """Everything stored about the caller (their own identifiers in clear)."""

    profile = fields.Dict(required=True)
    recommendations = fields.List(fields.Dict())
    placements = fields.List(fields.Dict())


# --- enterprises ---------------------------------------------------------------------

class VacancyIn(InputSchema):
    """A vacancy as an enterprise posts it (wages in fen per month)."""

    external_id = Str(required=True, validate=validate.Length(min=1, max=64))
    title = Str(required=True, validate=validate.Length(min=1, max=200))
    description = Str(validate=validate.Length(max=4000))
    required_skills = _skills
    preferred_skills = _skills
    district = Str(allow_none=True, validate=validate.Length(max=64))
    latitude = fields.Float(allow_none=True, validate=validate.Range(min=-90, max=90))
    longitude = fields.Float(allow_none=True, validate=validate.Range(min=-180, max=180))
    headcount = Int(validate=validate.Range(min=1, max=10_000))
    wage_min = Int(allow_none=True, validate=validate.Range(min=0, max=10**9))
    wage_max = Int(allow_none=True, validate=validate.Range(min=0, max=10**9))
    shift = Str(allow_none=True, validate=validate.Length(max=64))
    employment_type = fields.Enum(EmploymentType, by_value=True)
    accepts_borrowed = fields.Boolean()
    borrow_from = fields.Date(allow_none=True)
    borrow_to = fields.Date(allow_none=True)
    start_date = fields.Date(allow_none=True)
    urgency = fields.Enum(Urgency, by_value=True)


class VacancyPatchIn(VacancyIn):
    """Editable vacancy fields (all optional; the external id cannot change)."""

    class Meta:
        exclude = ("external_id",)


class EmployeeIn(InputSchema):
    """An idle employee an enterprise declares lendable."""

    external_id = Str(required=True, validate=validate.Length(min=1, max=64))
    name = Str(allow_none=True, validate=validate.Length(max=100))
    skills = _skills
    experience = Str(validate=validate.Length(max=4000))
    district = Str(allow_none=True, validate=validate.Length(max=64))
    available_from = fields.Date(allow_none=True)
    available_to = fields.Date(allow_none=True)
    daily_cost = Int(allow_none=True, validate=validate.Range(min=0, max=10**8))
    consent = fields.Boolean()


class EmployeeOut(Schema):
    """A declared surplus employee (no identity numbers)."""

    id = Int(required=True)
    external_id = Str(required=True)
    enterprise_id = Int(required=True)
    name = Str(allow_none=True)
    skills = fields.List(Str())
    experience = Str()
    district = Str(allow_none=True)
    available_from = fields.Date(allow_none=True)
    available_to = fields.Date(allow_none=True)
    consent = fields.Boolean(required=True)
    daily_cost = Int(allow_none=True)
    status = Str(required=True)


class ConsentIn(InputSchema):
    """The employee gives (true) or withdraws (false) consent to be lent."""

    consent = fields.Boolean(required=True)


class RequestIn(InputSchema):
    """A borrowing request."""

    title = Str(required=True, validate=validate.Length(min=1, max=200))
    skills = fields.List(Str(validate=validate.Length(min=1, max=64)), load_default=list,
                         validate=validate.Length(max=50))
    headcount = Int(required=True, validate=validate.Range(min=1, max=1000))
    start_date = fields.Date(required=True)
    end_date = fields.Date(required=True)
    site = Str(allow_none=True, validate=validate.Length(max=200))
    district = Str(allow_none=True, validate=validate.Length(max=64))


class RequestOut(Schema):
    """A borrowing request."""

    id = Int(required=True)
    title = Str(required=True)
    skills = fields.List(Str())
    headcount = Int(required=True)
    start_date = fields.Date(required=True)
    end_date = fields.Date(required=True)
    site = Str(allow_none=True)
    district = Str(allow_none=True)
    status = Str()


class AgreementEmployeeOut(Schema):
    """An employee on an agreement (ID number masked)."""

    employee_id = Int(required=True)
    external_id = Str(required=True)
    name = Str(allow_none=True)
    id_number_masked = Str(allow_none=True)
    declared_daily_cost = Int()
    acknowledged_at = UtcDateTime(allow_none=True)
    is_active = fields.Boolean()


class AgreementOut(Schema):
    """A lending agreement between two enterprises."""

    id = Int(required=True)
    status = Str(required=True)
    lender_id = Int(required=True)
    lender_name = Str()
    borrower_id = Int(required=True)
    borrower_name = Str()
    request_id = Int(allow_none=True)
    vacancy_id = Int(allow_none=True)
    start_date = fields.Date()
    end_date = fields.Date()
    site = Str()
    daily_hours = fields.Float()
    reimbursement_per_day = Int()
    accepted_at = UtcDateTime(allow_none=True)
    lender_signed_at = UtcDateTime(allow_none=True)
    borrower_signed_at = UtcDateTime(allow_none=True)
    activated_at = UtcDateTime(allow_none=True)
    ended_at = UtcDateTime(allow_none=True)
    termination_reason = Str(allow_none=True)
    employees = fields.List(fields.Nested(AgreementEmployeeOut))


# --- agencies and claims -------------------------------------------------------------

class RecommendationIn(InputSchema):
    """An agency recommends a seeker for a vacancy."""

    seeker_id = Int(required=True, validate=validate.Range(min=1, max=2**31 - 1))
    vacancy_id = Int(required=True, validate=validate.Range(min=1, max=2**31 - 1))
    note = Str(load_default="", validate=validate.Length(max=1000))


class RecommendationOut(Schema):
    """An agency's recommendation."""

    id = Int(required=True)
    agency_id = Int(required=True)
    seeker_id = Int(required=True)
    vacancy_id = Int(required=True)
    created_at = UtcDateTime(required=True)
    withdrawn_at = UtcDateTime(allow_none=True)


class PlacementOut(Schema):
    """A hire attributed to an agency."""

    id = Int(required=True)
    seeker_id = Int(required=True)
    vacancy_id = Int(required=True)
    enterprise_id = Int(required=True)
    agency_id = Int(allow_none=True)
    recommendation_id = Int(allow_none=True)
    hired_on = fields.Date(required=True)
    contract_start = fields.Date()
    contract_months = Int()
    social_insurance_months = Int()


class ClaimIn(InputSchema):
    """A subsidy claim: one tranche of one rule on one placement."""

    placement_id = Int(required=True, validate=validate.Range(min=1, max=2**31 - 1))
    rule_code = Str(required=True, validate=validate.Length(min=1, max=64))
    tranche = Int(load_default=1, validate=validate.Range(min=1, max=12))


class IdempotencyHeader(InputSchema):
    """A client-chosen key: retrying with the same key returns the first claim."""

    class Meta:
        unknown = "exclude"

    idempotency_key = Str(required=True, data_key="Idempotency-Key",
                          validate=validate.Length(min=1, max=128))


class ClaimOut(Schema):
    """A subsidy claim with the trace it was decided on."""

    id = Int(required=True)
    placement_id = Int(required=True)
    rule_code = Str(required=True)
    rule_version = Int()
    tranche = Int()
    claimant_kind = Str()
    claimant_id = Int()
    amount_fen = Int(required=True)
    status = Str(required=True)
    reversed = fields.Boolean()
    claimed_on = fields.Date(allow_none=True)
    trace = fields.Dict()
    decided_by = Str(allow_none=True)
    decision_reason = Str(allow_none=True)


class ClaimListArgs(PageArgs):
    """Claim list arguments."""

    status = fields.Enum(ClaimStatus, by_value=True, load_default=None, allow_none=True)


class ApproveIn(InputSchema):
    """An approval note."""

    note = Str(load_default="", validate=validate.Length(max=1000))


class RejectIn(InputSchema):
    """A rejection reason (required)."""

    reason = Str(required=True, validate=validate.Length(min=1, max=1000))


class LedgerOut(Schema):
    """A ledger row."""

    id = Int(required=True)
    claim_id = Int(required=True)
    kind = Str(required=True)
    amount_fen = Int(required=True)
    reverses_id = Int(allow_none=True)
    agency_id = Int(allow_none=True)
    booked_on = fields.Date(allow_none=True)


class KeyTierIn(InputSchema):
    """The enterprise's new key tier."""

    key_tier = fields.Enum(KeyTier, by_value=True, required=True)


class EnterpriseTierOut(Schema):
    """An enterprise and its tier."""

    id = Int(required=True)
    external_id = Str(required=True)
    name = Str(required=True)
    key_tier = Str(required=True)
    key_tier_set_on = fields.Date(allow_none=True)


class AuditArgs(PageArgs):
    """Audit log filters."""

    entity = Str(load_default=None, allow_none=True, validate=validate.Length(max=64))
    entity_id = Str(load_default=None, allow_none=True, validate=validate.Length(max=64))


class AuditOut(Schema):
    """One audit entry."""

    id = Int(required=True)
    at = UtcDateTime(required=True)
    actor = Str(required=True)
    action = Str(required=True)
    entity = Str(required=True)
    entity_id = Str(required=True)
    data = fields.Dict()
