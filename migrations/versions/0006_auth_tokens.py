"""Named API tokens per user (issue 17).

A user may hold several named, revocable tokens (``api_tokens``); each value of the single
``users.api_token_hash`` column is moved into the new table (name ``default``) and the column
is emptied. The column itself stays (unused): dropping it would rebuild ``users`` on SQLite,
and with foreign keys on, dropping the old table fails for any user who has notifications.
Downgrading copies each user's newest live token back into the column.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-05
"""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create api_tokens and move every users.api_token_hash into it (emptying the column)."""
    op.create_table(
        "api_tokens",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"],
                                name=op.f("fk_api_tokens_user_id_users"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_tokens")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_api_tokens_token_hash")),
    )
    op.create_index("ix_api_tokens_user_id", "api_tokens", ["user_id"], unique=False)
    users = sa.table("users", sa.column("id", sa.Integer()),
                     sa.column("api_token_hash", sa.String()))
    tokens = sa.table("api_tokens", sa.column("user_id", sa.Integer()),
                      sa.column("name", sa.String()), sa.column("token_hash", sa.String()),
                      sa.column("created_at", sa.DateTime(timezone=True)))
    conn = op.get_bind()
    rows = conn.execute(sa.select(users.c.id, users.c.api_token_hash)
                        .where(users.c.api_token_hash.is_not(None))).all()
    if rows:
        now = datetime.now(UTC)
        conn.execute(tokens.insert(), [{"user_id": uid, "name": "default", "token_hash": digest,
                                        "created_at": now} for uid, digest in rows])
    conn.execute(users.update().where(users.c.api_token_hash.is_not(None))
                 .values(api_token_hash=None))


def downgrade() -> None:
    """Put each user's newest live token back into users.api_token_hash; drop api_tokens."""
    tokens = sa.table("api_tokens", sa.column("id", sa.Integer()),
                      sa.column("user_id", sa.Integer()), sa.column("token_hash", sa.String()),
                      sa.column("revoked_at", sa.DateTime(timezone=True)))
    users = sa.table("users", sa.column("id", sa.Integer()),
                     sa.column("api_token_hash", sa.String()))
    conn = op.get_bind()
    newest: dict[int, str] = {}
    for uid, digest in conn.execute(sa.select(tokens.c.user_id, tokens.c.token_hash)
                                    .where(tokens.c.revoked_at.is_(None))
                                    .order_by(tokens.c.id)):
        newest[uid] = digest
    for uid, digest in newest.items():
        conn.execute(users.update().where(users.c.id == uid).values(api_token_hash=digest))
    op.drop_index("ix_api_tokens_user_id", table_name="api_tokens")
    op.drop_table("api_tokens")
