"""Marshmallow schemas of enterprise and person claims, eligibility and the bureau's
unclaimed list and direct payment (issue 19)."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from matcher.enums import SizeClass
from web.api.schemas import Int, PageArgs, Str
from web.api.schemas_agency import ClaimOut
from web.schemas import InputSchema


class EligibilityOut(Schema):
    """What one party qualifies for on one placement (or what is still missing)."""

    rule_code = Str(required=True)
    placement_id = Int(required=True)
    tranche = Int(required=True)
    eligible = fields.Boolean(required=True)
    amount_yuan = fields.Float(required=True, metadata={"description": "due now; 0 if not"})
    potential_amount_yuan = fields.Float(metadata={"description": "due once eligible"})
    trace = fields.Dict(required=True)
    missing = fields.List(Str(), metadata={"description": "what is missing, in words"})
    evaluated_on = fields.Date()
    claim_link = Str(metadata={"description": "the pre-filled claim form"})
    claim_id = Int(allow_none=True)
    claim_status = Str(allow_none=True)


class EligibilityList(Schema):
    """Every result of the caller."""

    items = fields.List(fields.Nested(EligibilityOut), required=True)


class UnclaimedArgs(PageArgs):
    """Filters of the unclaimed list."""

    rule_code = Str(load_default=None, allow_none=True, validate=validate.Length(max=64))
    district = Str(load_default=None, allow_none=True, validate=validate.Length(max=64))


class UnclaimedOut(Schema):
    """An eligible party that has not claimed."""

    placement_id = Int(required=True)
    rule_code = Str(required=True)
    tranche = Int(required=True)
    party_kind = Str(required=True)
    party_id = Int(required=True)
    party_name = Str()
    district = Str()
    enterprise_name = Str()
    vacancy_title = Str()
    amount_yuan = fields.Float(required=True)
    amount_fen = Int(required=True)
    evaluated_on = fields.Date()


class DirectPayIn(InputSchema):
    """A batch of placements to pay under one direct-payment rule."""

    rule_code = Str(required=True, validate=validate.Length(min=1, max=64))
    placement_ids = fields.List(Int(validate=validate.Range(min=1, max=2**31 - 1)),
                                required=True, validate=validate.Length(min=1, max=1000))


class SkippedOut(Schema):
    """A slot the batch did not pay, and why."""

    placement_id = Int(required=True)
    tranche = Int(required=True)
    code = Str(required=True)
    reason = Str(required=True)


class DirectPayOut(Schema):
    """The claims created and paid now, those paid before, and the slots skipped."""

    paid = fields.List(fields.Nested(ClaimOut), required=True)
    already = fields.List(fields.Nested(ClaimOut), required=True)
    skipped = fields.List(fields.Nested(SkippedOut), required=True)


class CategoryIn(InputSchema):
    """The bureau sets an enterprise's size and leading-industrial flag (either or both)."""

    size_class = fields.Enum(SizeClass, by_value=True, load_default=None, allow_none=True)
    is_leading_industrial = fields.Boolean(load_default=None, allow_none=True)


class CategoryOut(Schema):
    """The enterprise's category after the change, and how many placements were evaluated."""

    enterprise_id = Int(required=True)
    size_class = Str(required=True)
    is_leading_industrial = fields.Boolean(required=True)
    placements_evaluated = Int(required=True)
