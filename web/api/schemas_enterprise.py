"""Marshmallow schemas of the enterprise API: vacancies, idle staff, requests, agreements.

Money: ``daily_cost`` (and every amount without a unit suffix) is in fen, as stored;
``daily_cost_yuan`` is the same amount in yuan (the unit of the import files), accepted and
returned beside it.
"""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields, post_load, validate

from matcher.enums import EmploymentType, Urgency
from web.api.fields import (
    MAX_DAILY_COST_FEN,
    District,
    Name,
    SaneDate,
    daily_cost_fen,
    yuan_field,
    yuan_out,
)
from web.api.schemas import Int, Str, UtcDateTime, _skills
from web.schemas import InputSchema


class VacancyIn(InputSchema):
    """A vacancy as an enterprise posts it (wages in fen per month)."""

    external_id = Str(required=True, validate=validate.Length(min=1, max=64))
    title = Name(required=True, validate=validate.Length(min=1, max=200))
    description = Str(validate=validate.Length(max=4000))
    required_skills = _skills
    preferred_skills = _skills
    district = District(allow_none=True, validate=validate.Length(max=64))
    latitude = fields.Float(allow_none=True, validate=validate.Range(min=-90, max=90))
    longitude = fields.Float(allow_none=True, validate=validate.Range(min=-180, max=180))
    headcount = Int(validate=validate.Range(min=1, max=10_000))
    wage_min = Int(allow_none=True, validate=validate.Range(min=0, max=10**9))
    wage_max = Int(allow_none=True, validate=validate.Range(min=0, max=10**9))
    shift = Str(allow_none=True, validate=validate.Length(max=64))
    employment_type = fields.Enum(EmploymentType, by_value=True)
    accepts_borrowed = fields.Boolean()
    borrow_from = SaneDate(allow_none=True)
    borrow_to = SaneDate(allow_none=True)
    start_date = SaneDate(allow_none=True)
    urgency = fields.Enum(Urgency, by_value=True)


class VacancyPatchIn(VacancyIn):
    """Editable vacancy fields, all optional (PATCH is partial; the external id cannot change)."""

    class Meta:
        exclude = ("external_id",)

    def __init__(self, **kwargs: Any):
        kwargs.setdefault("partial", True)
        super().__init__(**kwargs)


class EmployeeIn(InputSchema):
    """An idle employee an enterprise declares lendable."""

    external_id = Str(required=True, validate=validate.Length(min=1, max=64))
    name = Name(allow_none=True, validate=validate.Length(max=100))
    skills = _skills
    experience = Str(validate=validate.Length(max=4000))
    district = District(allow_none=True, validate=validate.Length(max=64))
    available_from = SaneDate(allow_none=True)
    available_to = SaneDate(allow_none=True)
    daily_cost = Int(allow_none=True, validate=validate.Range(min=0, max=MAX_DAILY_COST_FEN),
                     metadata={"description": "declared cost in fen per day (1 yuan = 100 fen)"})
    daily_cost_yuan = yuan_field(load_only=True)
    consent = fields.Boolean()

    @post_load
    def _yuan(self, data: dict[str, Any], **_kwargs: Any) -> dict[str, Any]:
        return daily_cost_fen(data)


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
    daily_cost = Int(allow_none=True, metadata={"description": "fen per day"})
    daily_cost_yuan = fields.Function(yuan_out, allow_none=True,
                                      metadata={"type": "string", "nullable": True,
                                                "description": "yuan per day (2 decimals)"})
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
    start_date = SaneDate(required=True)
    end_date = SaneDate(required=True)
    site = Str(allow_none=True, validate=validate.Length(max=200))
    district = District(allow_none=True, validate=validate.Length(max=64))


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
    ack_url = Str(allow_none=True)


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
    lender_signed_by = Str(allow_none=True)
    borrower_signed_by = Str(allow_none=True)
    activated_at = UtcDateTime(allow_none=True)
    ended_at = UtcDateTime(allow_none=True)
    termination_reason = Str(allow_none=True)
    employees = fields.List(fields.Nested(AgreementEmployeeOut))




class SignIn(InputSchema):
    """Who signs for the caller's side (recorded with the time; else the user's email)."""

    signer_name = Str(validate=validate.Length(min=1, max=100))


class TerminateIn(InputSchema):
    """Why an agreement ends early."""

    reason = Str(required=True, validate=validate.Length(min=1, max=1000))


class EmployeePatchIn(InputSchema):
    """An idle employee's lending window and declared daily cost (fen)."""

    available_from = SaneDate(allow_none=True, load_default=None)
    available_to = SaneDate(allow_none=True, load_default=None)
    daily_cost = Int(allow_none=True, load_default=None,
                     validate=validate.Range(min=0, max=MAX_DAILY_COST_FEN),
                     metadata={"description": "declared cost in fen per day (1 yuan = 100 fen)"})
    daily_cost_yuan = yuan_field(load_only=True)

    @post_load
    def _yuan(self, data: dict[str, Any], **_kwargs: Any) -> dict[str, Any]:
        return daily_cost_fen(data)


class ProposalIn(InputSchema):
    """Terms one enterprise proposes to another, as the lender or the borrower."""

    counterparty_enterprise_id = Int(required=True)
    role = Str(required=True, validate=validate.OneOf(["lender", "borrower"]))
    employee_ids = fields.List(Int(), required=True, validate=validate.Length(min=1, max=200))
    request_id = Int(allow_none=True, load_default=None)
    vacancy_id = Int(allow_none=True, load_default=None)
    start_date = SaneDate(required=True)
    end_date = SaneDate(required=True)
    site = Str(required=True, validate=validate.Length(min=1, max=200))
    daily_hours = fields.Float(load_default=8.0, validate=validate.Range(min=0.5, max=12))
    reimbursement_yuan_per_day = fields.Decimal(required=True)  # checked by the action


class DateArgs(InputSchema):
    """The day to match on (default today)."""

    date = fields.Date(load_default=None)


class OpportunityArgs(DateArgs):
    """Paging and the day for "who needs my staff"."""

    page = Int(load_default=1, validate=validate.Range(min=1, max=100_000))
    per_page = Int(load_default=20, validate=validate.Range(min=1, max=100))


class MatchCandidateOut(Schema):
    """A lendable employee offered for a demand, with the reasons."""

    employee_id = Int(required=True)
    name = Str(allow_none=True)
    external_id = Str()
    skills = fields.List(Str())
    daily_cost = Int(allow_none=True)
    score = fields.Float()
    reasons = fields.List(Str())


class OpportunityOut(Schema):
    """Open demand of another enterprise that the caller's idle staff fit."""

    request_id = Int(allow_none=True)
    vacancy_id = Int(allow_none=True)
    borrower_enterprise_id = Int(required=True)
    borrower_name = Str()
    title = Str()
    skills = fields.List(Str())
    site = Str()
    start_date = fields.Date()
    end_date = fields.Date()
    headcount = Int()
    fits = Int()
    score = fields.Float()
    employee_ids = fields.List(Int())
    employees = fields.List(fields.Nested(MatchCandidateOut))
    explanation = fields.List(Str())


class LenderGroupOut(Schema):
    """The staff one lender can offer for a request."""

    lender_id = Int(required=True)
    lender_name = Str()
    covers = Int()
    score = fields.Float()
    candidates = fields.List(fields.Nested(MatchCandidateOut))


class PlanStepOut(Schema):
    """One lender's share of the fewest-lenders plan."""

    lender_id = Int()
    employee_ids = fields.List(Int())


class RequestMatchesOut(Schema):
    """Lendable staff of other enterprises for a request, grouped by lender."""

    request_id = Int(required=True)
    title = Str()
    headcount = Int()
    start_date = fields.Date()
    end_date = fields.Date()
    site = Str()
    groups = fields.List(fields.Nested(LenderGroupOut))
    plan = fields.List(fields.Nested(PlanStepOut))
