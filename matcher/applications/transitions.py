"""The application states and the moves between them, as data.

applied -> shortlisted -> interview -> offered -> hired; forward steps may be skipped
(except that only an offer can be hired), an interview may be rescheduled, and rejected or
withdrawn end an application at any point before it is hired.
"""

from __future__ import annotations

from matcher.errors import Conflict
from matcher.models.applications import ApplicationStatus as S
from matcher.words import Msg, msg

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

#: the status a person reads (translated where shown: ``|tr``, ``translate``)
LABELS: dict[S, Msg] = {
    S.APPLIED: msg("Applied"),
    S.SHORTLISTED: msg("Shortlisted"),
    S.INTERVIEW: msg("Interview"),
    S.OFFERED: msg("Offered"),
    S.HIRED: msg("Hired"),
    S.REJECTED: msg("Rejected"),
    S.WITHDRAWN: msg("Withdrawn"),
}


def can_move(current: S, target: S) -> bool:
    """True when ``current -> target`` is a legal move."""
    return target in ALLOWED[current]


def check_move(current: S, target: S) -> None:
    """Raise 409 ``invalid_transition`` unless ``current -> target`` is legal."""
    if not can_move(current, target):
        raise Conflict(msg("An application that is %(current)s cannot become %(target)s.",
                           current=LABELS[current], target=LABELS[target]),
                       code="invalid_transition")
