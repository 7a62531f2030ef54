"""The bureau's job status page: background jobs with their progress, and one job's detail.

Read-only: jobs are submitted by the CLI and the scheduler (imports, rebuilds,
re-embedding, seeding, the daily desk jobs); no page runs bulk work inline.
"""

from __future__ import annotations

from flask import Blueprint, render_template, request
from flask.typing import ResponseReturnValue

from matcher.enums import Role
from matcher.jobs import queries
from web.bureau import labels
from web.pages.common import page_args, role_page
from web.security import read

bp = Blueprint("jobs_pages", __name__, url_prefix="/admin/jobs")
STATUSES = ("queued", "running", "succeeded", "failed")
REFRESH = 3  # seconds between reloads while a shown job is unfinished (a Refresh header)


@bp.get("/")
@role_page(Role.ADMIN)
def job_list() -> ResponseReturnValue:
    """Jobs, newest first, optionally in one status; refreshes while any is unfinished."""
    status = request.args.get("status")
    status = status if status in STATUSES else None
    page, per_page = page_args()
    found = read(queries.job_list, page, per_page, status)
    if found.page > found.pages:  # past the last page: show the last page
        found = read(queries.job_list, found.pages, per_page, status)
    busy = any(not j.finished for j in found.items)
    html = render_template("bureau/jobs.html", page=found, status=status, statuses=STATUSES,
                           **labels.all_labels())
    return html, 200, ({"Refresh": str(REFRESH)} if busy else {})


@bp.get("/<int:job_id>")
@role_page(Role.ADMIN)
def job_detail(job_id: int) -> ResponseReturnValue:
    """One job: progress, parameters, result or error, and its chunks if it was split."""
    job = read(queries.job_detail, job_id)
    chunks = read(queries.job_chunks, job_id)
    html = render_template("bureau/job.html", job=job, chunks=chunks, **labels.all_labels())
    return html, 200, ({} if job.finished else {"Refresh": str(REFRESH)})
