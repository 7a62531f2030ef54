"""Bureau officers' desks: the shortage desk and its candidates, the daily dispatch,
cohorts, the early-warning scan and the watch list (administrators only).

Each handler parses, calls one action of :mod:`matcher.bureau.actions` or query of
:mod:`matcher.bureau.queries` and renders it; a missing ``date`` means today.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from flask_smorest import Blueprint

from matcher.bureau import actions, queries
from matcher.enums import Role
from web.api.common import envelope
from web.api.schemas import PageArgs, paged
from web.api.schemas_bureau import (
    CandidateArgs,
    CohortRowOut,
    CohortsIn,
    ConfirmOut,
    DayIn,
    DispatchOut,
    FormedOut,
    GapListArgs,
    GapOut,
    GapPageOut,
    ManifestOut,
    ScanOut,
    WatchArgs,
    WatchOut,
)
from web.i18n import translate
from web.security import perform, read, roles

blp = Blueprint("bureau_api", __name__, url_prefix="/api/v1/bureau",
                description="Bureau desks (administrators)")
TOP_SCORES = 20


def _day(args: dict[str, Any]) -> date:
    return args.get("day") or date.today()


@blp.route("/gaps", methods=["GET"])
@roles(Role.ADMIN)
@blp.arguments(GapListArgs, location="query")
@blp.response(200, GapPageOut)
def list_gaps(args: dict[str, Any]) -> dict[str, Any]:
    """Open gaps in the desk's order (tier, urgency, deadline), each with its best ``k``
    candidates per source, and the fill of all open gaps."""
    desk = read(queries.shortage_desk, _day(args), args["page"], args["per_page"], args["k"])
    items = [queries.GapDetail(r, desk.candidates.get(r.id, {})) for r in desk.rows]
    return {"items": items, "page": {"page": desk.page, "per_page": args["per_page"],
                                     "total": desk.total, "pages": desk.pages},
            "needed": desk.needed, "recruited": desk.recruited, "fill": desk.fill}


@blp.route("/gaps/<int:gap_id>/candidates", methods=["GET"])
@roles(Role.ADMIN)
@blp.arguments(CandidateArgs, location="query")
@blp.response(200, GapOut)
def gap_candidates(args: dict[str, Any], gap_id: int) -> Any:
    """One gap with its candidates from seekers, lendable staff and arriving cohorts."""
    return read(queries.gap_detail, gap_id, _day(args), args["k"])


@blp.route("/dispatch", methods=["POST"])
@roles(Role.ADMIN)
@blp.arguments(DayIn)
@blp.response(201, DispatchOut)
def plan_dispatch(data: dict[str, Any]) -> dict[str, Any]:
    """Plan the day's dispatch and save it as a proposal awaiting confirmation."""
    done = perform(actions.plan_dispatch, data["day"])
    return {"proposal_id": done.proposal_id, "status": "proposed", "plan": done.plan}


@blp.route("/dispatch/<int:proposal_id>/confirm", methods=["POST"])
@roles(Role.ADMIN)
@blp.response(200, ConfirmOut)
def confirm_dispatch(proposal_id: int) -> dict[str, Any]:
    """Confirm a proposal and queue its notifications (an empty plan: 422 ``empty_plan``)."""
    sent = perform(actions.confirm_dispatch, proposal_id)
    return {"proposal_id": proposal_id, "status": "confirmed", "messages": sent}


@blp.route("/cohorts", methods=["POST"])
@roles(Role.ADMIN)
@blp.arguments(CohortsIn)
@blp.response(201, FormedOut)
def form_cohorts(data: dict[str, Any]) -> Any:
    """Form the day's cohorts from registrations and place their members with employers."""
    return perform(actions.form_cohorts, data["day"], data["capacity"])


@blp.route("/cohorts", methods=["GET"])
@roles(Role.ADMIN)
@blp.arguments(PageArgs, location="query")
@blp.response(200, paged(CohortRowOut, "BureauCohortPage"))
def list_cohorts(args: dict[str, Any]) -> dict[str, Any]:
    """Cohorts, latest travel date first."""
    return envelope(read(queries.cohort_page, args["page"], args["per_page"]))


@blp.route("/cohorts/<int:cohort_id>/manifest", methods=["GET"])
@roles(Role.ADMIN)
@blp.response(200, ManifestOut)
def cohort_manifest(cohort_id: int) -> Any:
    """A cohort's manifest (ID numbers masked), its next status and health checks left."""
    return read(queries.cohort_manifest, cohort_id)


@blp.route("/warning/scan", methods=["POST"])
@roles(Role.ADMIN)
@blp.arguments(DayIn)
@blp.response(200, ScanOut)
def warning_scan(data: dict[str, Any]) -> dict[str, Any]:
    """Score every enterprise and open watch entries for those over the threshold."""
    scan = perform(actions.scan_warnings, data["day"])
    return {"scanned": len(scan.scores), "added": scan.added,
            "top": scan.scores[:TOP_SCORES]}


@blp.route("/watch", methods=["GET"])
@roles(Role.ADMIN)
@blp.arguments(WatchArgs, location="query")
@blp.response(200, paged(WatchOut, "BureauWatchPage"))
def watch(args: dict[str, Any]) -> dict[str, Any]:
    """The watch list, highest score first (open entries unless ``all=true``); ``reasons``
    are sentences in the request's language."""
    out = envelope(read(queries.watch_page, not args["all"], args["page"], args["per_page"]))
    out["items"] = [{**r, "reasons": translate(r["reasons"])} for r in out["items"]]
    return out
