"""Shortage desk (open gaps ranked, fill rates, three-source candidates) and daily dispatch."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from matcher.bureau import actions, queries
from web.bureau import as_of, bp, labels
from web.security import perform, read

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
    desk = read(queries.shortage_desk, day, page, PER_PAGE, k)
    return render_template("bureau/shortage.html", rows=desk.rows, cands=desk.candidates,
                           day=day, k=k, page=desk.page, pages=desk.pages, total=desk.total,
                           needed=desk.needed, recruited=desk.recruited, fill=desk.fill,
                           labels=labels.SOURCES)


@bp.get("/gaps/<int:gap_id>")
def gap(gap_id: int) -> str:
    """One gap with up to ten candidates from each source."""
    day = as_of()
    found = read(queries.gap_detail, gap_id, day)
    return render_template("bureau/gap.html", g=found.gap, cands=found.candidates, day=day,
                           labels=labels.SOURCES)


@bp.get("/dispatch")
def dispatch_page() -> str:
    """The day's proposals with their assignments, and the outbox."""
    day = as_of()
    board = read(queries.dispatch_board, day)
    return render_template("bureau/dispatch.html", day=day, proposals=board.proposals,
                           outbox=board.outbox, outbox_total=board.outbox_total,
                           recipients=board.recipients, notices=board.notices)


@bp.post("/dispatch/plan")
def dispatch_plan() -> Response:
    """Plan the day's dispatch and save it as a proposal awaiting confirmation."""
    day = as_of()
    done = perform(actions.plan_dispatch, day)
    plan, pid = done.plan, done.proposal_id
    flash(_("Proposal #%(id)s: %(n)s people assigned over %(gaps)s gaps.", id=pid,
            n=len(plan.assignments), gaps=plan.gap_count), "ok")
    return redirect(url_for("bureau.dispatch_page", day=day.isoformat()))


@bp.post("/dispatch/<int:proposal_id>/confirm")
def dispatch_confirm(proposal_id: int) -> Response:
    """Confirm a proposal: assignments confirmed, notifications written to the outbox."""
    sent = perform(actions.confirm_dispatch, proposal_id)
    flash(_("Proposal #%(id)s confirmed; %(n)s notifications queued.", id=proposal_id,
            n=sent), "ok")
    return redirect(url_for("bureau.dispatch_page", day=request.form.get("day") or None))


@bp.post("/dispatch/<int:proposal_id>/discard")
def dispatch_discard(proposal_id: int) -> Response:
    """Discard a proposal that was not confirmed."""
    perform(actions.discard_dispatch, proposal_id)
    flash(_("Proposal #%(id)s discarded.", id=proposal_id), "ok")
    return redirect(url_for("bureau.dispatch_page", day=request.form.get("day") or None))
