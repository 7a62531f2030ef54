"""Faults the entry points translate instead of failing with a traceback.

A *busy database* is a lock wait or statement that ran out of time: SQLite's "database is
locked" after its busy timeout, PostgreSQL's ``lock_timeout`` / ``statement_timeout``
(QueryCanceled, LockNotAvailable) or a deadlock victim. Retrying later can succeed, so the
web answers 503 with ``Retry-After`` and the CLI exits 1 with a message.
"""

from __future__ import annotations

from sqlalchemy.exc import OperationalError

_BUSY_MARKERS = ("database is locked", "database table is locked", "canceling statement due to",
                 "lock timeout", "statement timeout", "deadlock detected")


def is_database_busy(exc: BaseException) -> bool:
    """True when ``exc`` is a lock wait or statement timeout, not a broken query."""
    if not isinstance(exc, OperationalError):
        return False
    text = str(exc.orig).lower()
    return any(marker in text for marker in _BUSY_MARKERS)


def busy_reason(exc: BaseException) -> str:
    """The database's first line about the fault (no SQL, no parameters)."""
    orig = getattr(exc, "orig", exc)
    lines = str(orig).strip().splitlines()
    return lines[0][:200] if lines else type(orig).__name__
