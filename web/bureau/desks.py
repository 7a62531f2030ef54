"""Shortage desk (open gaps ranked, fill rates, three-source candidates) and daily dispatch."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from matcher.bureau import dispatch, gaps, outbox
from matcher.bureau.candidates import candidates_for_gap
from web import runtime
from web.bureau import as_of, bp, reads
from web.security import principal, reading, unit_of_work

SOURCE_LABELS = {"seeker": "求职者 Job seekers", "surplus": "共享员工 Lendable staff",
                 "cohort": "返岗车次 Cohorts on the way"}
PER_PAGE = 10


@bp.get("/")
def index() -> Response:
    """The bureau's home is the shortage desk."""
    return redirect(url_for("bureau.shortage"))


@bp.get("/shortage")
def shortage() -> str:
    """Open gaps in the desk's order with fill rates and the best candidates per source."""
    day = as_of()
    page = max(request.args.get("page", 1, type=int) or 1, 1)
    k = min(max(request.args.get("k", 3, type=int) or 3, 1), 10)
    with reading() as s:
        rows = gaps.load_gaps(s)
        shown = rows[(page - 1) * PER_PAGE:page * PER_PAGE]
        cands = {r.id: candidates_for_gap(runtime(), s, r.id, today=day, k=k) for r in shown}
    pages = max((len(rows) + PER_PAGE - 1) // PER_PAGE, 1)
    needed = sum(r.needed for r in rows)
    recruited = sum(min(r.recruited, r.needed) for r in rows)
    return render_template("bureau/shortage.html", rows=shown, cands=cands, day=day, k=k,
                           page=page, pages=pages, total=len(rows), needed=needed,
                           recruited=recruited, fill=gaps.fill_rate(recruited, needed),
                           labels=SOURCE_LABELS)


@bp.get("/gaps/<int:gap_id>")
def gap(gap_id: int) -> str:
    """One gap with up to ten candidates from each source."""
    day = as_of()
    with reading() as s:
        row = gaps.get_gap(s, gap_id)
        cands = candidates_for_gap(runtime(), s, gap_id, today=day, k=10)
    return render_template("bureau/gap.html", g=row, cands=cands, day=day,
                           labels=SOURCE_LABELS)


@bp.get("/dispatch")
def dispatch_page() -> str:
    """The day's proposals with their assignments, and the outbox."""
    day = as_of()
    with reading() as s:
        props = reads.proposals(s, day)
        box = outbox.messages(s, entity="dispatch_assignment")
    box.reverse()
    return render_template("bureau/dispatch.html", day=day, proposals=props,
                           outbox=box[:200], outbox_total=len(box))


@bp.post("/dispatch/plan")
def dispatch_plan() -> Response:
    """Plan the day's dispatch and save it as a proposal awaiting confirmation."""
    day = as_of()
    with unit_of_work() as uow:
        plan = dispatch.plan_dispatch(runtime(), uow.s, day)
        pid = dispatch.save_plan(uow, plan, actor=principal().actor_name)
    flash(f"方案 #{pid}：{len(plan.assignments)} 人 / proposal #{pid}: "
          f"{len(plan.assignments)} assignments over {plan.gap_count} gaps", "ok")
    return redirect(url_for("bureau.dispatch_page", day=day.isoformat()))


@bp.post("/dispatch/<int:proposal_id>/confirm")
def dispatch_confirm(proposal_id: int) -> Response:
    """Confirm a proposal: assignments confirmed, notifications written to the outbox."""
    with unit_of_work() as uow:
        sent = dispatch.confirm(uow, proposal_id, actor=principal().actor_name)
    flash(f"方案 #{proposal_id} 已确认，{sent} 条通知 / proposal #{proposal_id} confirmed, "
          f"{sent} notifications queued", "ok")
    return redirect(url_for("bureau.dispatch_page", day=request.form.get("day") or None))


@bp.post("/dispatch/<int:proposal_id>/discard")
def dispatch_discard(proposal_id: int) -> Response:
    """Discard a proposal that was not confirmed."""
    with unit_of_work() as uow:
        dispatch.discard(uow, proposal_id, actor=principal().actor_name)
    flash(f"方案 #{proposal_id} 已作废 / proposal #{proposal_id} discarded", "ok")
    return redirect(url_for("bureau.dispatch_page", day=request.form.get("day") or None))
