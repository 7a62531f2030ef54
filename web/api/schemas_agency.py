"""Marshmallow schemas of the agency and admin API: recommendations, claims, tiers, audit."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from matcher.enums import ClaimStatus, KeyTier
from web.api.schemas import Int, PageArgs, Str, UtcDateTime
from web.schemas import InputSchema


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
    seeker_name = Str()
    vacancy_title = Str()
    enterprise_name = Str()


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
    seeker_name = Str()
    vacancy_title = Str()
    enterprise_name = Str()


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
    claimant_name = Str()
    seeker_name = Str(metadata={"description": "the placed person, masked"})
    vacancy_title = Str()
    enterprise_name = Str()


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
