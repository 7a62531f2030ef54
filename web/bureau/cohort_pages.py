"""Cohort pages: list and the "form cohorts" button, manifest, health checks, advance."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from matcher.bureau import actions, queries
from matcher.enums import CohortStatus
from matcher.errors import ValidationFailed
from matcher.words import msg, words
from web.bureau import as_of, bp, labels
from web.security import perform, read


@bp.get("/cohorts")
def cohort_list() -> str:
    """Every cohort with its status and fill."""
    return render_template("bureau/cohorts.html", rows=read(queries.cohort_list),
                           day=as_of())


@bp.post("/cohorts/form")
def form() -> Response:
    """Form the day's cohorts from registrations and place their members with employers."""
    day = as_of()
    capacity = request.form.get("capacity", type=int)
    if capacity is None:
        raise ValidationFailed(msg("Seats per vehicle must be a whole number."),
                               fields={"capacity": [msg("Enter a whole number.")]})
    done = perform(actions.form_cohorts, day, capacity)
    placed = sum(f.placed for f in done.formed)
    flash(_("%(day)s: %(formed)s cohorts formed, %(placed)s people placed, %(refused)s "
            "groups too large for a vehicle.", day=day.isoformat(), formed=len(done.formed),
            placed=placed, refused=len(done.refused)), "ok")
    return redirect(url_for("bureau.cohort_list", day=day.isoformat()))


@bp.get("/cohorts/<int:cohort_id>")
def manifest(cohort_id: int) -> str:
    """A cohort's manifest: who, where to, which employer, health checks."""
    found = read(queries.cohort_manifest, cohort_id)
    return render_template("bureau/manifest.html", c=found.cohort,
                           next_status=found.next_status, unchecked=found.unchecked)


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
        raise ValidationFailed(msg("Unknown status."), fields={"to": [msg(
            "One of %(values)s.", values=words([s.value for s in CohortStatus]))]}) from exc
    perform(actions.advance_cohort, cohort_id, to)
    flash(_("Cohort #%(id)s: %(status)s.", id=cohort_id,
            status=_(labels.COHORT_STATUS[to.value])), "ok")
    return redirect(url_for("bureau.manifest", cohort_id=cohort_id))
