"""Bureau desk pages under ``/admin/bureau`` (admin role only).

Views only parse the request, call one action of :mod:`matcher.bureau.actions` (through
:func:`web.security.perform`) or query of :mod:`matcher.bureau.queries` (through
:func:`web.security.read`) and render. Modules: :mod:`.desks` (shortage desk, daily
dispatch), :mod:`.cohort_pages`, :mod:`.warning_pages`, :mod:`.dashboards` (charts, JSON and
CSV series).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import Blueprint, g, redirect, request, url_for
from werkzeug.wrappers import Response

from matcher.enums import Role
from matcher.errors import ValidationFailed
from matcher.principal import require_role
from matcher.words import msg
from web.bureau import labels

bp = Blueprint("bureau", __name__, url_prefix="/admin/bureau")


@bp.before_request
def _admin_only() -> Response | None:
    """Anonymous visitors go to the login page; any role but admin gets 403."""
    p = g.get("principal")
    if p is None:
        return redirect(url_for("auth.login", next=request.full_path))
    require_role(p, Role.ADMIN)
    return None


def as_of() -> date:
    """The day the desk works on: ``?day=YYYY-MM-DD`` or today."""
    raw = request.values.get("day", "").strip()
    if not raw:
        return date.today()
    try:
        return date.fromisoformat(raw)
    except ValueError as exc:
        raise ValidationFailed(msg("Enter a date as YYYY-MM-DD."),
                               fields={"day": [msg("Enter a date as YYYY-MM-DD.")]}) from exc


@bp.context_processor
def _labels() -> dict[str, Any]:
    """The desks' words for their codes (statuses, sources, columns)."""
    return labels.all_labels()


from web.bureau import cohort_pages, dashboards, desks, warning_pages  # noqa: E402,F401
