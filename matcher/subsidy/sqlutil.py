"""Small portable SQL helpers (SQLite and PostgreSQL) used by the subsidy services."""

from __future__ import annotations

from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session


def insert_ignore(session: Session, model: Any, values: dict[str, Any],
                  conflict_columns: list[str]) -> int:
    """``INSERT ... ON CONFLICT (conflict_columns) DO NOTHING``; returns rows inserted (0/1).

    ``model`` must have an ``id`` primary key (RETURNING id tells whether a row went in).
    """
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        pg_stmt = postgresql.insert(model).values(**values)
        result = session.execute(pg_stmt.on_conflict_do_nothing(
            index_elements=conflict_columns).returning(model.id))
    elif dialect == "sqlite":
        lite_stmt = sqlite.insert(model).values(**values)
        result = session.execute(lite_stmt.on_conflict_do_nothing(
            index_elements=conflict_columns).returning(model.id))
    else:  # pragma: no cover - only SQLite and PostgreSQL are supported
        raise NotImplementedError(f"unsupported database {dialect}")
    return len(result.all())


def violated(exc: IntegrityError, name: str) -> bool:
    """True when ``exc`` was raised by the constraint or index called ``name``."""
    orig = exc.orig
    diag = getattr(orig, "diag", None)
    if diag is not None and getattr(diag, "constraint_name", None):
        return bool(diag.constraint_name == name)
    return name in str(orig)


def unique_columns_violated(exc: IntegrityError, table: str, columns: list[str]) -> bool:
    """True when a UNIQUE on ``table(columns)`` refused the row (SQLite names columns only)."""
    name = f"uq_{table}_{'_'.join(columns)}"
    if violated(exc, name):
        return True
    text = str(exc.orig)
    return "UNIQUE constraint failed: " + ", ".join(f"{table}.{c}" for c in columns) in text
