"""Marshmallow schemas of applications, hires, social insurance and the inbox."""

from __future__ import annotations

from datetime import UTC
from typing import Any

from marshmallow import Schema, fields, validate

from matcher.words import Msg
from web.api.schemas import UtcDateTime
from web.i18n import translate
from web.schemas import InputSchema

Str = fields.String
Int = fields.Integer
ENTERPRISE_STATUSES = ("shortlisted", "interview", "offered", "rejected")


class Said(fields.String):
    """Text a person reads (a :class:`~matcher.words.Msg`), in the reader's language."""

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> Any:
        return translate(value) if isinstance(value, Msg) else value


def _status_label(app: object) -> str:
    label = app.get("status_label") if isinstance(app, dict) else getattr(app, "status_label", "")
    return translate(label)


class ApplyIn(InputSchema):
    """A seeker applies to a vacancy."""

    vacancy_id = Int(required=True, validate=validate.Range(min=1, max=2**31 - 1))
    message = Str(load_default="", validate=validate.Length(max=2000))


class ApplicationOut(Schema):
    """One application, with the vacancy by title and the enterprise by name."""

    id = Int(required=True)
    vacancy_id = Int(required=True)
    vacancy_title = Str()
    enterprise = Str()
    status = Str(required=True)
    status_label = fields.Function(_status_label, metadata={
        "description": "the status in the reader's language (Accept-Language)"})
    source = Str()
    agency = Str(allow_none=True)
    message = Str()
    note = Str()
    interview_at = UtcDateTime(allow_none=True)
    interview_location = Str(allow_none=True)
    placement_id = Int(allow_none=True)
    created_at = UtcDateTime()
    updated_at = UtcDateTime()


class ApplicantOut(Schema):
    """An applicant of an own vacancy: masked identity, source, status, score, explanation."""

    application = fields.Nested(ApplicationOut, required=True)
    seeker_id = Int(required=True)
    name = Str()
    phone = Str(allow_none=True)
    district = Str(allow_none=True)
    skills = fields.List(Str())
    score = fields.Float(allow_none=True)
    eligible = fields.Boolean(allow_none=True)
    explanation = fields.List(Said())
    components = fields.Dict(keys=Str(), values=fields.Dict(keys=Str(), values=fields.Float()))
    matched_skills = fields.List(Str())
    missing_skills = fields.List(Str())
    distance_km = fields.Float(allow_none=True)
    distance_approximate = fields.Boolean()


class StatusIn(InputSchema):
    """The enterprise moves an application on."""

    status = Str(required=True, validate=validate.OneOf(ENTERPRISE_STATUSES))
    note = Str(load_default="", validate=validate.Length(max=2000))
    interview_at = fields.AwareDateTime(load_default=None, allow_none=True,
                                        default_timezone=UTC)
    interview_location = Str(load_default=None, allow_none=True,
                             validate=validate.Length(max=300))


class HireIn(InputSchema):
    """The contract evidence of a hire."""

    hired_on = fields.Date(required=True)
    contract_months = Int(required=True, validate=validate.Range(min=1, max=600))
    contract_reference = Str(load_default="", validate=validate.Length(max=100))


class InviteIn(InputSchema):
    """Invite a ranked candidate (a job seeker) to apply."""

    seeker_id = Int(required=True, validate=validate.Range(min=1, max=2**31 - 1))


class SocialInsuranceIn(InputSchema):
    """Months of social insurance paid for a placement."""

    months = Int(required=True, strict=True, validate=validate.Range(min=0, max=600))


class NotificationOut(Schema):
    """One message of the inbox."""

    id = Int(required=True)
    kind = Str(required=True)
    title = Said(required=True)
    body = Said()
    entity = Str()
    entity_id = Str()
    created_at = UtcDateTime(required=True)
    read_at = UtcDateTime(allow_none=True)


class ReadOut(Schema):
    """How many notifications were marked read."""

    marked = Int(required=True)
