"""Cohort pages: list and the "form cohorts" button, manifest, health checks, advance."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from matcher.bureau import actions, queries
from matcher.enums import CohortStatus
from matcher.errors import ValidationFailed
from web.bureau import as_of, bp
from web.security import perform, read

STATUS_LABELS = {"formed": "已成团 Formed", "departed": "已出发 Departed",
                 "arrived": "已到达 Arrived", "handed_over": "已交接 Handed over"}


@bp.get("/cohorts")
def cohort_list() -> str:
    """Every cohort with its status and fill."""
    return render_template("bureau/cohorts.html", rows=read(queries.cohort_list),
                           labels=STATUS_LABELS, day=as_of())


@bp.post("/cohorts/form")
def form() -> Response:
    """Form the day's cohorts from registrations and place their members with employers."""
    day = as_of()
    capacity = request.form.get("capacity", type=int)
    if capacity is None:
        raise ValidationFailed("座位数须为整数 / seats per vehicle must be a whole number",
                               fields={"capacity": ["a whole number"]})
    done = perform(actions.form_cohorts, day, capacity)
    placed = sum(f.placed for f in done.formed)
    flash(f"{day}：成团 {len(done.formed)} 个，安置 {placed} 人，"
          f"超载未成团 {len(done.refused)} 组 / {len(done.formed)} cohorts formed, "
          f"{placed} placed, {len(done.refused)} groups too large", "ok")
    return redirect(url_for("bureau.cohort_list", day=day.isoformat()))


@bp.get("/cohorts/<int:cohort_id>")
def manifest(cohort_id: int) -> str:
    """A cohort's manifest: who, where to, which employer, health checks."""
    found = read(queries.cohort_manifest, cohort_id)
    return render_template("bureau/manifest.html", c=found.cohort,
                           next_status=found.next_status, labels=STATUS_LABELS,
                           unchecked=found.unchecked)


@bp.post("/cohorts/<int:cohort_id>/members/<int:member_id>/health-check")
def health_check(cohort_id: int, member_id: int) -> Response:
    """Tick (``checked=1``) or untick a member's health check."""
    checked = request.form.get("checked", "") in {"1", "on", "true"}
    perform(actions.set_health_check, cohort_id, member_id, checked)
    return redirect(url_for("bureau.manifest", cohort_id=cohort_id, _anchor=f"m{member_id}"))


@bp.post("/cohorts/<int:cohort_id>/advance")
def advance(cohort_id: int) -> Response:
    """Move the cohort one step: departed, arrived, handed over (needs every health check)."""
    raw = request.form.get("to", "")
    try:
        to = CohortStatus(raw)
    except ValueError as exc:
        raise ValidationFailed("unknown status", fields={"to": [
            f"one of {', '.join(s.value for s in CohortStatus)}"]}) from exc
    perform(actions.advance_cohort, cohort_id, to)
    flash(f"车次 #{cohort_id}：{STATUS_LABELS[to.value]}", "ok")
    return redirect(url_for("bureau.manifest", cohort_id=cohort_id))
