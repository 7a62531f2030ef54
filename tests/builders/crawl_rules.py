"""What the language crawl (:mod:`builders.crawl`) counts as data, UI words and raw codes.

The patterns and word lists :func:`builders.crawl.findings` judges a page's text with; see
that module's docstring for the rules they implement.
"""

from __future__ import annotations

import re
from enum import Enum
from pathlib import Path

from matcher import enums
from matcher.reference.districts import DISTRICTS

#: (table, text columns) whose values are data shown as stored
DATA_COLUMNS: dict[str, tuple[str, ...]] = {
    "enterprises": ("name", "district", "city", "industry", "credit_code"),
    "hr_agencies": ("name", "district", "license_no", "credit_code"),
    "job_seekers": ("name", "district", "skills", "experience", "desired_positions",
                    "origin_province", "id_number_masked", "phone_masked"),
    "surplus_employees": ("name", "skills", "experience", "district"),
    "vacancies": ("title", "description", "required_skills", "preferred_skills", "district",
                  "shift"),
    "subsidy_rules": ("name",),
    "cohorts": ("origin_province", "origin_city", "destination_district"),
    "cohort_registrations": ("origin_province", "origin_city", "destination_district"),
    "cohort_members": ("name", "skills"),
    "enterprise_risk_reports": ("note",),
    "watch_entries": ("resolution_note",),
    "api_tokens": ("name",),
    "borrowing_requests": ("title", "skills", "site", "district"),
    "labor_gaps": ("title", "skills", "site", "district"),
    "recommendations": ("note",),
    "agreements": ("site", "lender_signed_by", "borrower_signed_by", "termination_reason"),
    "applications": ("message", "interview_location", "note", "contract_reference"),
    "subsidy_claims": ("decision_reason",),
    "ledger_entries": ("note",),
}
#: district names are translated where shown (``朝阳区`` / ``Chaoyang``): not data on en pages
DISTRICT_NAMES = frozenset(d.name for d in DISTRICTS)
#: person names: people's names may be shown masked (surname and stars)
PERSON_NAMES = {("job_seekers", "name"), ("surplus_employees", "name"),
                ("cohort_members", "name")}
#: English words that are UI on their own (a zh page showing one is not translated)
UI_WORDS = frozenset({
    "search", "login", "logout", "register", "submit", "save", "cancel", "approve", "reject",
    "back", "next", "previous", "home", "dashboard", "status", "claims", "claim", "vacancies",
    "vacancy", "candidates", "applications", "inbox", "details", "edit", "apply", "score",
    "skills", "total", "amount", "closed", "name", "district", "email", "password", "rule",
    "placement", "placements", "agreement", "agreements", "employees", "enterprise",
    "enterprises", "agency", "agencies", "seeker", "seekers", "admin", "yes", "no", "confirm",
    "filter", "reset", "tokens", "revoke", "recommendations", "shortlist", "hire",
    "interview", "offer", "withdraw", "desk", "dispatch", "cohorts", "watch", "gaps",
    "eligibility", "unclaimed", "shortage", "pending", "paid", "rejected", "approved",
    "submitted", "signed", "proposed", "accepted", "returned", "terminated", "active",
    "urgent", "critical", "normal", "key", "priority", "headcount", "wage", "wages",
    "deadline", "title", "description",
})
ENUM_VALUES = frozenset(
    str(m.value) for obj in vars(enums).values()
    if isinstance(obj, type) and issubclass(obj, Enum) and obj is not Enum for m in obj
    if isinstance(m.value, str))
ALLOWED_ASCII = frozenset({"workbridge", "english", "km", "csv", "api", "id", "ok"})
#: the language switch's 中文 and the brand's Chinese name (a logo, as "workbridge" is)
ALLOWED_CJK = frozenset({"中文", "就业桥"})

EMAIL_URL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+|https?://\S+|/[\w/.?=&%-]*\w")
RAW_ADDRESS = re.compile(r"(?<![\w/:])/[\w/.-]*\?[\w%.-]+=")
_W = r"[a-z]+(?:-[a-z]+)*(?:['’][a-z]+)?"
_A = "A-Za-z0-9_"  # ASCII word characters (Python's \\w also matches Chinese)
EN_RUN = re.compile(rf"(?<![{_A}])[A-Z]?{_W}(?:\s+{_W})+(?![{_A}])")
ASCII_WORD = re.compile(rf"(?<![{_A}])[A-Za-z]+(?![{_A}])")
DOTTED = re.compile(rf"(?<![{_A}.])[a-z]+(?:\.[a-z_]{{2,}})+(?![{_A}])")
CJK_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
SNAKE = re.compile(rf"(?<![{_A}.])[a-z][a-z0-9]*(?:_[a-z0-9]+)+(?![{_A}])|(?<![{_A}])_fen")
FIELD_CODE = re.compile(r"(?:^|(?<=\s))([a-z][a-z0-9_]*):(?=\s|$)")
ALWAYS = [("user id", re.compile(r"(?<![A-Za-z])user:\d+")),
          ("time with seconds", re.compile(r"(?<!\d)\d{1,2}:\d{2}:\d{2}(?!\d)")),
          ("template", re.compile(r"\{\{|\}\}")), ("traceback", re.compile(r"Traceback"))]
#: Python's None on a zh page (on an en page "None" is also the English of the word "none")
NONE = re.compile(r"(?<![A-Za-z])None(?![A-Za-z])")
EN_MO = Path(__file__).resolve().parents[2] / "web/translations/en/LC_MESSAGES/messages.mo"
SKIP_PATH = re.compile(r"logout|delete|download|export|\.csv$|^/static/|^/api/|^/healthz|"
                       r"^/metrics")
SKIP_QUERY = re.compile(r"(?:^|&)(?:lang|format|download)=")
FREE_KEYS = {"q", "next", "page", "offset", "after", "before", "cursor", "sort"}
MODE_VALUE = re.compile(r"^[a-z_]{1,40}$")
TOKENISH = re.compile(r"^(?:\d+|[A-Za-z0-9_-]{20,})$")
