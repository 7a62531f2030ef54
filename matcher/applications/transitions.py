"""The application states and the moves between them, as data.

applied -> shortlisted -> interview -> offered -> hired; forward steps may be skipped
(except that only an offer can be hired), an interview may be rescheduled, and rejected or
withdrawn end an application at any point before it is hired.
"""

from __future__ import annotations

from matcher.errors import Conflict
from matcher.models.applications import ApplicationStatus as S

FINAL = frozenset({S.HIRED, S.REJECTED, S.WITHDRAWN})
ENTERPRISE_MOVES = frozenset({S.SHORTLISTED, S.INTERVIEW, S.OFFERED, S.REJECTED})

ALLOWED: dict[S, frozenset[S]] = {
    S.APPLIED: frozenset({S.SHORTLISTED, S.INTERVIEW, S.OFFERED, S.REJECTED, S.WITHDRAWN}),
    S.SHORTLISTED: frozenset({S.INTERVIEW, S.OFFERED, S.REJECTED, S.WITHDRAWN}),
    S.INTERVIEW: frozenset({S.INTERVIEW, S.OFFERED, S.REJECTED, S.WITHDRAWN}),
    S.OFFERED: frozenset({S.HIRED, S.REJECTED, S.WITHDRAWN}),
    S.HIRED: frozenset(),
    S.REJECTED: frozenset(),
    S.WITHDRAWN: frozenset(),
}

LABELS: dict[S, str] = {
    S.APPLIED: "已申请 Applied",
    S.SHORTLISTED: "已入围 Shortlisted",
    S.INTERVIEW: "面试 Interview",
    S.OFFERED: "已发录用 Offered",
    S.HIRED: "已录用 Hired",
    S.REJECTED: "未通过 Rejected",
    S.WITHDRAWN: "已撤回 Withdrawn",
}


def can_move(current: S, target: S) -> bool:
    """True when ``current -> target`` is a legal move."""
    return target in ALLOWED[current]


def check_move(current: S, target: S) -> None:
    """Raise 409 ``invalid_transition`` unless ``current -> target`` is legal."""
    if not can_move(current, target):
        raise Conflict(f"申请不能从“{LABELS[current]}”变为“{LABELS[target]}” / an application "
                       f"that is {current.value} cannot become {target.value}",
                       code="invalid_transition")
