"""Cohort pages: list with status, manifest (ID numbers masked), health checks, advance."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from matcher.bureau import cohorts
from matcher.enums import CohortStatus
from matcher.errors import ValidationFailed
from web.bureau import bp, reads
from web.security import principal, reading, unit_of_work

STATUS_LABELS = {"formed": "已成团 Formed", "departed": "已出发 Departed",
                 "arrived": "已到达 Arrived", "handed_over": "已交接 Handed over"}


@bp.get("/cohorts")
def cohort_list() -> str:
    """Every cohort with its status and fill."""
    with reading() as s:
        rows = reads.cohorts(s)
    return render_template("bureau/cohorts.html", rows=rows, labels=STATUS_LABELS)


@bp.get("/cohorts/<int:cohort_id>")
def manifest(cohort_id: int) -> str:
    """A cohort's manifest: who, where to, which employer, health checks."""
    with reading() as s:
        view = cohorts.manifest(s, cohort_id)
    nxt = cohorts.NEXT.get(CohortStatus(view.status))
    return render_template("bureau/manifest.html", c=view, next_status=str(nxt) if nxt else None,
                           labels=STATUS_LABELS,
                           unchecked=sum(1 for m in view.manifest if not m.health_checked))


@bp.post("/cohorts/<int:cohort_id>/members/<int:member_id>/health-check")
def health_check(cohort_id: int, member_id: int) -> Response:
    """Tick (``checked=1``) or untick a member's health check."""
    checked = request.form.get("checked", "") in {"1", "on", "true"}
    with unit_of_work() as uow:
        view = cohorts.manifest(uow.s, cohort_id)
        if member_id not in {m.member_id for m in view.manifest}:
            raise ValidationFailed(f"{member_id} 不在车次 {cohort_id} / member {member_id} is not "
                                   f"on cohort {cohort_id}", fields={"member_id": ["not on it"]})
        cohorts.set_health_check(uow, member_id, checked, actor=principal().actor_name)
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
    with unit_of_work() as uow:
        cohorts.advance(uow, cohort_id, to, actor=principal().actor_name)
    flash(f"车次 #{cohort_id}：{STATUS_LABELS[to.value]}", "ok")
    return redirect(url_for("bureau.manifest", cohort_id=cohort_id))
