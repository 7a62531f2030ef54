"""Applications, hires and the in-app inbox (issue 14).

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

STATUSES = ("applied", "shortlisted", "interview", "offered", "hired", "rejected", "withdrawn")


def _enum(name: str, *values: str) -> sa.Enum:
    return sa.Enum(*values, name=name, native_enum=False, create_constraint=True, length=32)


def upgrade() -> None:
    """Create ``applications`` (one per seeker and vacancy) and ``notifications``."""
    op.create_table(
        "applications",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("seeker_id", sa.Integer(), nullable=False),
        sa.Column("vacancy_id", sa.Integer(), nullable=False),
        sa.Column("source", _enum("applicationsource", "seeker", "agency"), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=True),
        sa.Column("recommendation_id", sa.Integer(), nullable=True),
        sa.Column("placement_id", sa.Integer(), nullable=True),
        sa.Column("status", _enum("applicationstatus", *STATUSES), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("interview_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("interview_location", sa.String(length=300), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("contract_reference", sa.String(length=100), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("source = 'seeker' OR agency_id IS NOT NULL",
                           name=op.f("ck_applications_agency_named")),
        sa.ForeignKeyConstraint(["agency_id"], ["hr_agencies.id"],
                                name=op.f("fk_applications_agency_id_hr_agencies")),
        sa.ForeignKeyConstraint(["placement_id"], ["placements.id"],
                                name=op.f("fk_applications_placement_id_placements")),
        sa.ForeignKeyConstraint(["recommendation_id"], ["recommendations.id"],
                                name=op.f("fk_applications_recommendation_id_recommendations")),
        sa.ForeignKeyConstraint(["seeker_id"], ["job_seekers.id"],
                                name=op.f("fk_applications_seeker_id_job_seekers")),
        sa.ForeignKeyConstraint(["vacancy_id"], ["vacancies.id"],
                                name=op.f("fk_applications_vacancy_id_vacancies")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_applications")),
        sa.UniqueConstraint("seeker_id", "vacancy_id",
                            name=op.f("uq_applications_seeker_id_vacancy_id")),
    )
    for column in ("agency_id", "seeker_id", "status", "vacancy_id"):
        op.create_index(op.f(f"ix_applications_{column}"), "applications", [column])
    op.create_table(
        "notifications",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("role", sa.String(length=16), nullable=True),
        sa.Column("owner_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=64), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("entity", sa.String(length=64), nullable=False),
        sa.Column("entity_id", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("read_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("user_id IS NOT NULL OR (role IS NOT NULL AND owner_id IS NOT NULL)",
                           name=op.f("ck_notifications_has_recipient")),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"],
                                name=op.f("fk_notifications_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notifications")),
    )
    op.create_index(op.f("ix_notifications_created_at"), "notifications", ["created_at"])
    op.create_index("ix_notifications_recipient", "notifications", ["role", "owner_id"])
    op.create_index(op.f("ix_notifications_user_id"), "notifications", ["user_id"])


def downgrade() -> None:
    """Drop the inbox and the applications."""
    op.drop_index(op.f("ix_notifications_user_id"), table_name="notifications")
    op.drop_index("ix_notifications_recipient", table_name="notifications")
    op.drop_index(op.f("ix_notifications_created_at"), table_name="notifications")
    op.drop_table("notifications")
    for column in ("agency_id", "seeker_id", "status", "vacancy_id"):
        op.drop_index(op.f(f"ix_applications_{column}"), table_name="applications")
    op.drop_table("applications")
