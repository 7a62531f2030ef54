"""What people call each form and API field: ``email`` is read as "Email" (邮箱), never as a code.

Error summaries (``_macros.html`` ``form_errors``, ``error.html``) show :func:`field_label`;
the API keeps the field codes as the keys of ``fields`` (its contract) and only translates
the messages. A code without a label is shown as a sentence-case phrase of its words.
"""

from __future__ import annotations

from flask import Flask

from matcher.geo import district_name
from matcher.words import N_
from web.i18n import select_locale, translate

LABELS: dict[str, str] = {
    "_form": N_("Form"), "_schema": N_("Form"), "json": N_("Request body"),
    "file": N_("File"), "row": N_("Row"),
    # login and organisations
    "email": N_("Email"), "password": N_("Password"), "name": N_("Name"),
    "role": N_("Role"), "kind": N_("Kind of organisation"),
    "credit_code": N_("Unified social credit code"),
    "license_no": N_("HR service licence number"), "size_class": N_("Enterprise size"),
    "is_leading_industrial": N_("Leading industrial enterprise"),
    "key_tier": N_("Key-enterprise tier"), "enterprise_id": N_("Enterprise"),
    "agency_id": N_("HR agency"), "seeker_id": N_("Job seeker"), "seeker_name": N_("Job seeker"),
    "counterparty_enterprise_id": N_("Other enterprise"), "external_id": N_("External ID"),
    # people
    "phone": N_("Phone"), "id_number": N_("ID number"), "district": N_("District"),
    "travel_km": N_("Travel distance (km)"), "latitude": N_("Latitude"),
    "longitude": N_("Longitude"), "desired_positions": N_("Desired positions"),
    "skills": N_("Skills"), "experience": N_("Experience"),
    "available_from": N_("Available from"), "available_to": N_("Available until"),
    "graduation_year": N_("Graduation year"), "degree_level": N_("Degree"),
    "categories": N_("Categories"), "category": N_("Category"),
    "consent_matching": N_("Consent to matching"),
    "consent_share_with_agencies": N_("Consent to sharing with HR agencies"),
    "consent": N_("Consent"), "origin_province": N_("Province of origin"),
    # vacancies
    "title": N_("Job title"), "description": N_("Description"),
    "required_skills": N_("Required skills"), "preferred_skills": N_("Preferred skills"),
    "headcount": N_("Headcount"), "employment_type": N_("Employment type"),
    "wage_min": N_("Minimum wage (yuan/month)"), "wage_max": N_("Maximum wage (yuan/month)"),
    "shift": N_("Shift"), "start_date": N_("Start date"), "urgency": N_("Urgency"),
    "status": N_("Status"), "accepts_borrowed": N_("Accepts borrowed staff"),
    "borrow_from": N_("Borrow from"), "borrow_to": N_("Borrow until"),
    "vacancy_id": N_("Vacancy"), "q": N_("Search words"), "key_only": N_("Key enterprises only"),
    "sort": N_("Sort"), "page": N_("Page"), "per_page": N_("Results per page"),
    # applications and hiring
    "interview_at": N_("Interview time"), "interview_location": N_("Interview place"),
    "hired_on": N_("Hired on"), "contract_months": N_("Contract length (months)"),
    "message": N_("Message"), "note": N_("Note"), "reason": N_("Reason"),
    # lending
    "daily_cost": N_("Daily cost"), "daily_cost_yuan": N_("Daily cost (yuan)"),
    "reimbursement_yuan_per_day": N_("Reimbursement (yuan per day)"),
    "reimbursement_per_day": N_("Reimbursement per day"), "daily_hours": N_("Hours per day"),
    "employee_ids": N_("Employees"), "request_id": N_("Borrowing request"),
    "end_date": N_("End date"), "months": N_("Months"), "capacity": N_("Capacity"),
    "site": N_("Work site"), "signer_name": N_("Signer's name"), "party": N_("Party"),
    "contract_reference": N_("Contract reference"), "contract_start": N_("Contract start"),
    "window_to": N_("Available until"), "confirm": N_("Confirmation"),
    "confirmed": N_("Confirmation"),
    # subsidies and claims
    "placement_id": N_("Placement"), "placement_ids": N_("Placements"),
    "rule_code": N_("Subsidy rule"), "tranche": N_("Tranche"),
    "idempotency_key": N_("Request key"), "amount_fen": N_("Amount"),
    # bureau desks
    "date": N_("Date"), "day": N_("Day"), "from": N_("From"), "to": N_("To"),
    "deadline": N_("Deadline"), "destination_district": N_("Destination district"),
    "affected": N_("People affected"), "members": N_("Members"), "member_id": N_("Member"),
    "caps": N_("Limits"), "rules": N_("Rules"), "k": N_("Number of results"),
    "n": N_("Number"), "entity": N_("Record type"), "entity_id": N_("Record"),
    "key": N_("Key"), "all": N_("Show all"), "Idempotency-Key": N_("Request key"),
}


def field_label(code: object) -> str:
    """The label of field ``code`` in the reader's language (``email`` -> 邮箱 / Email)."""
    name = str(code)
    label = LABELS.get(name)
    if label is None:  # nested keys ("rows.3.email") and unknown codes: their last part
        last = name.rsplit(".", 1)[-1]
        label = LABELS.get(last)
        if label is None:
            return last.replace("_", " ").strip().capitalize() or name
    return translate(label)


def district(name: str | None) -> str:
    """A stored district name in the reader's language (``朝阳区`` / ``Chaoyang``)."""
    return district_name(name, select_locale())


def init_app(app: Flask) -> None:
    """Make ``field_label`` and the ``district`` filter available to every template."""
    app.jinja_env.globals["field_label"] = field_label
    app.add_template_filter(field_label, "label")
    app.add_template_filter(district, "district")  # {{ v.district|district }}
