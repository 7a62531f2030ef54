"""Make audit_log and ledger_entries append-only with database triggers.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23
"""

from __future__ import annotations

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

TABLES = ("audit_log", "ledger_entries")

PG_FUNCTION = """
CREATE OR REPLACE FUNCTION workbridge_refuse_change() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP
    USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql
"""


def statements(dialect: str, *, drop: bool = False) -> list[str]:
    """The DDL that makes TABLES append-only (or removes that, with ``drop``)."""
    out: list[str] = []
    if dialect == "postgresql" and not drop:
        out.append(PG_FUNCTION)
    for table in TABLES:
        if dialect == "postgresql":
            if drop:
                out.append(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
                out.append(f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}")
            else:
                out.append(
                    f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                    "FOR EACH ROW EXECUTE FUNCTION workbridge_refuse_change()"
                )
                out.append(
                    f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
                    "FOR EACH STATEMENT EXECUTE FUNCTION workbridge_refuse_change()"
                )
        else:
            for verb in ("UPDATE", "DELETE"):
                name = f"{table}_no_{verb.lower()}"
                out.append(
                    f"DROP TRIGGER IF EXISTS {name}" if drop else
                    f"CREATE TRIGGER {name} BEFORE {verb} ON {table} "
                    f"BEGIN SELECT RAISE(ABORT, '{table} is append-only: {verb} refused'); END"
                )
    if dialect == "postgresql" and drop:
        out.append("DROP FUNCTION IF EXISTS workbridge_refuse_change()")
    return out


def upgrade() -> None:
    for sql in statements(op.get_bind().dialect.name):
        op.execute(sql)


def downgrade() -> None:
    for sql in statements(op.get_bind().dialect.name, drop=True):
        op.execute(sql)
