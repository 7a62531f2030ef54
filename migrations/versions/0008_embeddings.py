"""Stored embeddings keyed by entity, encoder and text hash (issue 20).

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """The embeddings table and the per-kind index change log."""
    op.create_table(
        "embeddings",
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("key", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("encoder_id", sa.String(length=100), nullable=False),
        sa.Column("text_hash", sa.String(length=16), nullable=False),
        sa.Column("vector", sa.LargeBinary(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("kind", "key", "encoder_id", name=op.f("pk_embeddings")),
    )
    op.create_index("ix_embeddings_kind_encoder_id_text_hash", "embeddings",
                    ["kind", "encoder_id", "text_hash"], unique=False)
    op.create_table(
        "index_changes",
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("key", sa.BigInteger(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_index_changes")),
    )
    op.create_index("ix_index_changes_kind_seq", "index_changes", ["kind", "seq"],
                    unique=False)


def downgrade() -> None:
    """Drop both tables."""
    op.drop_index("ix_index_changes_kind_seq", table_name="index_changes")
    op.drop_table("index_changes")
    op.drop_index("ix_embeddings_kind_encoder_id_text_hash", table_name="embeddings")
    op.drop_table("embeddings")
