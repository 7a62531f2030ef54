"""Accounts for every role: registration and bureau approval; seeker categories and location (issue 14).

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-05
"""

from __future__ import annotations

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Nothing yet (filled in by the issue's work)."""


def downgrade() -> None:
    """Nothing yet."""
