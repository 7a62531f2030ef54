"""Enterprise and person claimants, eligibility results (issue 19).

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

def upgrade() -> None:
    """Degree level, the leading-industrial flag, and the eligibility results table."""
    with op.batch_alter_table("job_seekers", schema=None) as batch_op:
        batch_op.add_column(sa.Column("degree_level", sa.String(length=16), nullable=True))
    with op.batch_alter_table("enterprises", schema=None) as batch_op:
        batch_op.add_column(sa.Column("is_leading_industrial", sa.Boolean(),
                                      server_default=sa.false(), nullable=False))
    op.create_table(
        "subsidy_eligibility",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("placement_id", sa.Integer(), nullable=False),
        sa.Column("rule_code", sa.String(length=64), nullable=False),
        sa.Column("rule_version", sa.Integer(), nullable=False),
        sa.Column("tranche", sa.Integer(), nullable=False),
        sa.Column("party_kind", sa.Enum("agency", "enterprise", "person", name="claimantkind",
                                        native_enum=False, create_constraint=True, length=32),
                  nullable=False),
        sa.Column("party_id", sa.Integer(), nullable=False),
        sa.Column("eligible", sa.Boolean(), nullable=False),
        sa.Column("amount_fen", sa.BigInteger(), nullable=False),
        sa.Column("trace", sa.JSON(), nullable=False),
        sa.Column("evaluated_on", sa.Date(), nullable=False),
        sa.Column("evaluated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("notified_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("amount_fen >= 0", name=op.f("ck_subsidy_eligibility_amount")),
        sa.CheckConstraint("eligible OR amount_fen = 0",
                           name=op.f("ck_subsidy_eligibility_amount_only_if_eligible")),
        sa.ForeignKeyConstraint(["placement_id"], ["placements.id"],
                                name=op.f("fk_subsidy_eligibility_placement_id_placements")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_subsidy_eligibility")),
        sa.UniqueConstraint(
            "placement_id", "rule_code", "tranche", "party_kind",
            name=op.f("uq_subsidy_eligibility_placement_id_rule_code_tranche_party_kind")),
    )
    with op.batch_alter_table("subsidy_eligibility", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_subsidy_eligibility_placement_id"),
                              ["placement_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_subsidy_eligibility_rule_code"), ["rule_code"],
                              unique=False)


def downgrade() -> None:
    """Drop the eligibility table and the two columns."""
    with op.batch_alter_table("subsidy_eligibility", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_subsidy_eligibility_rule_code"))
        batch_op.drop_index(batch_op.f("ix_subsidy_eligibility_placement_id"))
    op.drop_table("subsidy_eligibility")
    with op.batch_alter_table("enterprises", schema=None) as batch_op:
        batch_op.drop_column("is_leading_industrial")
    with op.batch_alter_table("job_seekers", schema=None) as batch_op:
        batch_op.drop_column("degree_level")
