"""Accounts for every role: registration and bureau approval; seeker categories and location (issue 14).

Enterprises and agencies get ``approval_status`` (pending / approved / rejected); rows that
exist before this revision are approved (the server default). A standing recommendation
(not withdrawn) is unique per agency, seeker and vacancy.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

ORG_TABLES = ("enterprises", "hr_agencies")
STANDING = "uq_recommendations_one_standing"


def upgrade() -> None:
    """Add the approval state (existing rows approved) and the one-standing index."""
    for table in ORG_TABLES:
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("approval_status", sa.String(16), nullable=False,
                                       server_default="approved"))
    op.create_index(STANDING, "recommendations", ["agency_id", "seeker_id", "vacancy_id"],
                    unique=True, sqlite_where=sa.text("withdrawn_at IS NULL"),
                    postgresql_where=sa.text("withdrawn_at IS NULL"))


def downgrade() -> None:
    """Drop the index and the approval state."""
    op.drop_index(STANDING, table_name="recommendations")
    for table in ORG_TABLES:
        with op.batch_alter_table(table) as batch:
            batch.drop_column("approval_status")
