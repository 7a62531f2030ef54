"""Employees' one-time acknowledgement links for lending agreements (issue 15).

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """The links table, and who signed an agreement for each side."""
    op.create_table(
        "agreement_ack_links",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("agreement_id", sa.Integer(), nullable=False),
        sa.Column("employee_id", sa.Integer(), nullable=False),
        sa.Column("nonce", sa.String(length=64), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("attempts", sa.Integer(), server_default="0", nullable=False),
        sa.Column("locked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("attempts >= 0", name=op.f("ck_agreement_ack_links_attempts")),
        sa.ForeignKeyConstraint(
            ["agreement_id"], ["agreements.id"],
            name=op.f("fk_agreement_ack_links_agreement_id_agreements"), ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["employee_id"], ["surplus_employees.id"],
            name=op.f("fk_agreement_ack_links_employee_id_surplus_employees"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agreement_ack_links")),
        sa.UniqueConstraint("agreement_id", "employee_id",
                            name=op.f("uq_agreement_ack_links_agreement_id_employee_id")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_agreement_ack_links_token_hash")),
    )
    with op.batch_alter_table("agreement_ack_links", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_agreement_ack_links_employee_id"), ["employee_id"],
                              unique=False)
    with op.batch_alter_table("agreements", schema=None) as batch_op:
        batch_op.add_column(sa.Column("lender_signed_by", sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column("borrower_signed_by", sa.String(length=100),
                                      nullable=True))


def downgrade() -> None:
    """Drop the signers' names and the links table."""
    with op.batch_alter_table("agreements", schema=None) as batch_op:
        batch_op.drop_column("borrower_signed_by")
        batch_op.drop_column("lender_signed_by")
    with op.batch_alter_table("agreement_ack_links", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_agreement_ack_links_employee_id"))
    op.drop_table("agreement_ack_links")
