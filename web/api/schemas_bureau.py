"""Marshmallow schemas of the bureau API: gaps and candidates, dispatch, cohorts, warnings."""

from __future__ import annotations

from datetime import date

from marshmallow import Schema, fields, validate

from web.api.schemas import Int, PageArgs, Str
from web.schemas import InputSchema, PageOut

Day = fields.Date
Float = fields.Float
_days = validate.Range(min=date(2000, 1, 1), max=date(2999, 12, 31))


class GapListArgs(PageArgs):
    """The shortage desk's query: the day, a page and candidates per source (0: none)."""

    day = Day(data_key="date", load_default=None, validate=_days)
    k = Int(load_default=3, validate=validate.Range(min=0, max=10))


class CandidateArgs(InputSchema):
    """One gap's candidates: the day and how many per source."""

    day = Day(data_key="date", load_default=None, validate=_days)
    k = Int(load_default=10, validate=validate.Range(min=1, max=50))


class DayIn(InputSchema):
    """The day a desk action works on."""

    day = Day(data_key="date", required=True, validate=_days)


class CohortsIn(DayIn):
    """Form the day's cohorts with so many seats per vehicle."""

    capacity = Int(required=True, validate=validate.Range(min=1, max=200))


class WatchArgs(PageArgs):
    """The watch list: open entries only, or (``all=true``) resolved ones too."""

    all = fields.Boolean(load_default=False)


class GapCandidateOut(Schema):
    """A person who could fill a gap, scored by the engine."""

    source = Str(attribute="supply.source", required=True)
    person_id = Int(attribute="supply.person_id", required=True)
    name = Str(attribute="supply.name", allow_none=True)
    enterprise_id = Int(attribute="supply.enterprise_id", allow_none=True)
    enterprise = Str(attribute="supply.enterprise")
    cohort_id = Int(attribute="supply.cohort_id", allow_none=True)
    available_on = Day(attribute="supply.available_on", allow_none=True)
    score = Float(required=True)
    matched_skills = fields.List(Str())
    missing_skills = fields.List(Str())
    distance_km = Float(allow_none=True)


class GapOut(Schema):
    """An open labor gap with its candidates per source (``seeker``, ``surplus``, ``cohort``)."""

    id = Int(attribute="gap.id", required=True)
    enterprise_id = Int(attribute="gap.enterprise_id", required=True)
    enterprise = Str(attribute="gap.enterprise")
    key_tier = Str(attribute="gap.key_tier")
    industry = Str(attribute="gap.industry", allow_none=True)
    title = Str(attribute="gap.title")
    skills = fields.List(Str(), attribute="gap.skills")
    needed = Int(attribute="gap.needed")
    recruited = Int(attribute="gap.recruited")
    remaining = Int(attribute="gap.remaining")
    fill_rate = Float(attribute="gap.fill_rate")
    deadline = Day(attribute="gap.deadline")
    urgency = Str(attribute="gap.urgency")
    district = Str(attribute="gap.district", allow_none=True)
    vacancy_id = Int(attribute="gap.vacancy_id", allow_none=True)
    reported_on = Day(attribute="gap.reported_on")
    status = Str(attribute="gap.status")
    candidates = fields.Dict(keys=Str(), values=fields.List(fields.Nested(GapCandidateOut)))


class GapPageOut(Schema):
    """One page of the shortage desk and the fill of every open gap."""

    items = fields.List(fields.Nested(GapOut), required=True)
    page = fields.Nested(PageOut, required=True)
    needed = Int(required=True)
    recruited = Int(required=True)
    fill = Float(required=True)


class AssignmentOut(Schema):
    """One person proposed for one gap."""

    gap_id = Int(attribute="gap.id", required=True)
    enterprise = Str(attribute="gap.enterprise")
    title = Str(attribute="gap.title")
    source = Str(attribute="supply.source", required=True)
    person_id = Int(attribute="supply.person_id", required=True)
    name = Str(attribute="supply.name", allow_none=True)
    score = Float(required=True)
    phase = Str()


class DispatchOut(Schema):
    """A saved dispatch proposal: its assignments and the places left open per gap."""

    proposal_id = Int(required=True)
    status = Str(required=True)
    day = Day(attribute="plan.day", required=True)
    gap_count = Int(attribute="plan.gap_count")
    supply_count = Int(attribute="plan.supply_count")
    assignments = fields.List(fields.Nested(AssignmentOut), attribute="plan.assignments")
    unfilled = fields.Dict(keys=Str(), values=Int(), attribute="plan.unfilled")


class ConfirmOut(Schema):
    """A confirmed proposal and the notifications it queued."""

    proposal_id = Int(required=True)
    status = Str(required=True)
    messages = Int(required=True)


class ManifestLineOut(Schema):
    """One person on a cohort's manifest (ID number masked)."""

    member_id = Int(required=True)
    registration_id = Int()
    name = Str()
    id_number_masked = Str(allow_none=True)
    skills = fields.List(Str())
    vacancy_id = Int(allow_none=True)
    employer = Str()
    health_checked = fields.Boolean()
    handed_over = fields.Boolean()


class CohortViewOut(Schema):
    """A cohort and its manifest."""

    id = Int(required=True)
    origin = Str()
    destination_district = Str()
    travel_date = Day()
    arrival_date = Day()
    capacity = Int()
    size = Int()
    status = Str()
    registrations = fields.List(Int())
    manifest = fields.List(fields.Nested(ManifestLineOut))


class FormedCohortOut(Schema):
    """A cohort just formed and how many members were placed with employers."""

    cohort = fields.Nested(CohortViewOut, required=True)
    placed = Int(required=True)


class FormedOut(Schema):
    """The day's cohorts, and the registrations too large for one vehicle."""

    formed = fields.List(fields.Nested(FormedCohortOut), required=True)
    refused = fields.List(Int(), required=True)


class CohortRowOut(Schema):
    """A cohort in the list."""

    id = Int(required=True)
    origin = Str()
    destination = Str()
    travel_date = Day()
    arrival_date = Day()
    size = Int()
    capacity = Int()
    status = Str()


class ManifestOut(Schema):
    """A cohort's manifest, the status it may move to next and the health checks left."""

    cohort = fields.Nested(CohortViewOut, required=True)
    next_status = Str(allow_none=True)
    unchecked = Int()


class ReasonOut(Schema):
    """One fact behind a risk score."""

    fact = Str()
    value = Int()
    weight = Float()
    contribution = Float()


class RiskOut(Schema):
    """An enterprise's risk score and its reasons."""

    enterprise_id = Int(required=True)
    enterprise = Str()
    score = Float(required=True)
    reasons = fields.List(fields.Nested(ReasonOut))


class ScanOut(Schema):
    """A warning scan: enterprises scored, watch entries opened, the highest scores."""

    scanned = Int(required=True)
    added = fields.List(Int(), required=True)
    top = fields.List(fields.Nested(RiskOut), required=True)


class WatchOut(Schema):
    """A watch-list entry with its reasons."""

    entry_id = Int(required=True)
    enterprise_id = Int(required=True)
    enterprise = Str()
    district = Str()
    industry = Str()
    score = Float()
    added_on = Str()
    status = Str()
    resolution_note = Str()
    reasons = Str()

