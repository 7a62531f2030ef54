"""Marshmallow schemas of registration, approval and the agency's seeker search."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from matcher.enums import SeekerCategory, SizeClass
from web.api.schemas import Int, PageArgs, Str, UserOut, UtcDateTime, paged
from web.schemas import InputSchema

APPROVAL_STATES = ("pending", "approved", "rejected")


class RegisterEnterpriseIn(InputSchema):
    """An enterprise registers: its login, name and unified social credit code."""

    email = Str(required=True, validate=validate.Length(min=3, max=254))
    password = Str(required=True, validate=validate.Length(min=4, max=200))
    name = Str(required=True, validate=validate.Length(min=2, max=200))
    credit_code = Str(required=True, validate=validate.Length(min=1, max=40))
    district = Str(load_default=None, allow_none=True, validate=validate.Length(max=64))
    size_class = fields.Enum(SizeClass, by_value=True, load_default=None, allow_none=True,
                             metadata={"description": "enterprises: micro, small, medium, large"})
    is_leading_industrial = fields.Boolean(load_default=False, metadata={
        "description": "enterprises: one of the city's leading industrial enterprises "
                       "(the bureau confirms it on approval)"})


class RegisterAgencyIn(RegisterEnterpriseIn):
    """An HR agency registers: as an enterprise, plus its HR service licence number."""

    class Meta:
        exclude = ("size_class", "is_leading_industrial")

    credit_code = Str(load_default=None, allow_none=True, validate=validate.Length(max=40))
    license_no = Str(required=True, validate=validate.Length(min=1, max=64))


class RegisteredOut(Schema):
    """The new login; its organisation waits for the bureau's approval."""

    user = fields.Nested(UserOut, required=True)
    approval_status = Str(required=True)


class OrgOut(Schema):
    """An enterprise or agency on the approval desk."""

    id = Int(required=True)
    kind = Str(required=True)
    name = Str(required=True)
    credit_code = Str(allow_none=True)
    license_no = Str(allow_none=True)
    district = Str(allow_none=True)
    approval_status = Str(required=True)


class OrgListArgs(InputSchema):
    """Which approval state to list."""

    status = Str(load_default="pending", validate=validate.OneOf(APPROVAL_STATES))


class OrgListOut(Schema):
    """Organisations in one approval state."""

    items = fields.List(fields.Nested(OrgOut), required=True)


class OrgRejectIn(InputSchema):
    """Why a registration is rejected."""

    reason = Str(required=True, validate=validate.Length(min=1, max=1000))


class SeekerSearchArgs(PageArgs):
    """Words over name, skills and desired positions; one person category."""

    q = Str(load_default="", validate=validate.Length(max=200))
    category = Str(load_default=None, validate=validate.OneOf([c.value for c in SeekerCategory]))


class AgencySeekerOut(Schema):
    """A consenting seeker as an agency sees them (masked)."""

    id = Int(required=True)
    name = Str(required=True)
    categories = fields.List(Str(), required=True)
    skills = fields.List(Str())
    desired_positions = fields.List(Str())
    district = Str(allow_none=True)
    phone_masked = Str(allow_none=True)


class CandidateArgs(InputSchema):
    """Which open vacancy's ranked candidates to show."""

    vacancy_id = Int(required=True, validate=validate.Range(min=1, max=2**31 - 1))


class AgencyCandidateOut(AgencySeekerOut):
    """A consenting seeker ranked for a vacancy (masked), with the match facts."""

    rank = Int(required=True)
    score = fields.Float(required=True)
    matched_skills = fields.List(Str())
    missing_skills = fields.List(Str())
    distance_km = fields.Float(allow_none=True)
    distance_approximate = fields.Boolean()


class AgencyCandidatesOut(Schema):
    """A vacancy's ranked consenting candidates, best first."""

    items = fields.List(fields.Nested(AgencyCandidateOut), required=True)


class ApiTokenOut(Schema):
    """One of the caller's API tokens: its name and dates, never the secret."""

    id = Int(required=True)
    name = Str(required=True)
    created_at = UtcDateTime(required=True)
    last_used_at = UtcDateTime(allow_none=True)
    revoked_at = UtcDateTime(allow_none=True)


ApiTokensOut = paged(ApiTokenOut, "ApiTokensOut")
