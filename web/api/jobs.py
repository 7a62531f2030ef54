"""Background jobs for bureau administrators: one job's status and progress, and the list.

``GET /api/v1/admin/jobs/{id}``: ``{id, key, kind, status, progress: {done, total}, result,
error, created_at, finished_at}``; ``GET /api/v1/admin/jobs`` pages them (newest first).
Jobs are submitted by the CLI (and the scheduler); no request runs bulk work inline.
"""

from __future__ import annotations

from typing import Any

from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from matcher.enums import Role
from matcher.jobs import queries
from matcher.jobs.actions import SUBMITTABLE
from web.api.common import envelope
from web.api.schemas import PageArgs, UtcDateTime, paged
from web.security import read, roles

blp = Blueprint("admin_jobs", __name__, url_prefix="/api/v1/admin/jobs",
                description="Background jobs (administrators)")
STATUSES = ("queued", "running", "succeeded", "failed")


class ProgressOut(Schema):
    """How far a job is: ``done`` of ``total`` steps (total null while unknown)."""

    done = fields.Integer(required=True)
    total = fields.Integer(required=True, allow_none=True)


class JobOut(Schema):
    """One job."""

    id = fields.Integer(required=True)
    key = fields.String(required=True)
    kind = fields.String(required=True)
    status = fields.String(required=True, validate=validate.OneOf(STATUSES))
    progress = fields.Nested(ProgressOut, required=True)
    result = fields.Dict(allow_none=True)
    error = fields.String(allow_none=True)
    created_at = UtcDateTime(required=True)
    finished_at = UtcDateTime(allow_none=True)


class JobListArgs(PageArgs):
    """Filters of the job list."""

    status = fields.String(load_default=None, validate=validate.OneOf(STATUSES))
    kind = fields.String(load_default=None, validate=validate.OneOf(SUBMITTABLE))


@blp.route("/<int:job_id>", methods=["GET"])
@roles(Role.ADMIN)
@blp.response(200, JobOut)
def get_job(job_id: int) -> Any:
    """One job: status, progress, result or error (404 if there is none)."""
    return read(queries.job_detail, job_id)


@blp.route("", methods=["GET"])
@roles(Role.ADMIN)
@blp.arguments(JobListArgs, location="query")
@blp.response(200, paged(JobOut, "JobPage"))
def list_jobs(args: dict[str, Any]) -> dict[str, Any]:
    """Jobs, newest first, optionally one status or kind (chunks of split jobs left out)."""
    return envelope(read(queries.job_list, args["page"], args["per_page"], args["status"],
                         args["kind"]))
