"""What the bureau desks call their codes: statuses, sources, phases, series columns.

Each value is an English msgid (marked with ``N_`` for extraction) that a template shows
with ``_()``; the same code can read differently on two desks (a watch entry is "open"
in another sense than a vacancy), so the desks keep their own words here.
"""

from __future__ import annotations

from typing import Any

from matcher.words import N_

SOURCES = {"seeker": N_("Job seekers"), "surplus": N_("Lendable staff"),
           "cohort": N_("Cohorts on the way")}
COHORT_STATUS = {"formed": N_("Formed"), "departed": N_("Departed"),
                 "arrived": N_("Arrived"), "handed_over": N_("Handed over")}
DISPATCH_STATUS = {"proposed": N_("Awaiting confirmation"), "confirmed": N_("Confirmed"),
                   "discarded": N_("Discarded")}
PHASES = {"key": N_("Key enterprises first"), "open": N_("Open round"),
          "leftover": N_("Remaining places")}
WATCH_STATUS = {"open": N_("Under watch"), "resolved": N_("Resolved")}
JOB_STATUS = {"queued": N_("Queued"), "running": N_("Running"), "succeeded": N_("Succeeded"),
              "failed": N_("Failed")}
JOB_KINDS = {"import": N_("Import"), "index_build": N_("Index rebuild"),
             "reembed": N_("Re-embedding"), "reembed_chunk": N_("Re-embedding part"),
             "demo_seed": N_("Demo data"), "return_due": N_("Return lent staff due"),
             "activate_due": N_("Start agreements due"), "warning_scan": N_("Warning scan")}
CHANNELS = {"sms": N_("Text message"), "mail": N_("Mail")}
COLUMNS = {
    "day": N_("Day"), "district": N_("District"), "industry": N_("Industry"),
    "open_gaps": N_("Open gaps"), "needed": N_("Needed"), "recruited": N_("Recruited"),
    "fill_rate": N_("Fill rate"), "cohort_id": N_("Cohort"), "origin": N_("Origin"),
    "destination": N_("Destination"), "travel_date": N_("Travel day"),
    "arrival_date": N_("Arrival day"), "status": N_("Status"), "size": N_("People"),
    "capacity": N_("Seats"), "month": N_("Month"), "payments": N_("Payments"),
    "reversals": N_("Reversals"), "net_fen": N_("Net paid"), "entry_id": N_("Entry"),
    "enterprise_id": N_("Enterprise number"), "enterprise": N_("Enterprise"),
    "score": N_("Risk score"), "added_on": N_("Added"), "resolution_note": N_("Resolution"),
    "reasons": N_("Reasons"),
}
#: words the charts of ``bureau.js`` draw (passed to it as JSON, translated)
CHART_WORDS = {
    "fill_rate": N_("Fill rate %"), "needed": N_("People needed"),
    "by_district": N_("By district"), "by_industry": N_("By industry"),
    "formed": N_("Formed"), "departed": N_("Departed"), "arrived": N_("Arrived"),
    "free_seats": N_("Free seats"), "people": N_("People"),
    "by_destination": N_("By destination district"), "net_paid": N_("Net paid (yuan)"),
    "payments": N_("Payments"), "yuan": N_("Yuan"), "count": N_("Count"),
    "risk_score": N_("Risk score"),
}


def all_labels() -> dict[str, Any]:
    """Every label table, for the desks' templates."""
    return {"source_labels": SOURCES, "cohort_labels": COHORT_STATUS,
            "dispatch_labels": DISPATCH_STATUS, "phase_labels": PHASES,
            "watch_labels": WATCH_STATUS, "job_labels": JOB_STATUS, "kind_labels": JOB_KINDS,
            "channel_labels": CHANNELS, "column_labels": COLUMNS}
