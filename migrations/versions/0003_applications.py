"""Applications, hires and the in-app inbox (issue 14).

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-05
"""

from __future__ import annotations

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Nothing yet (filled in by the issue's work)."""


def downgrade() -> None:
    """Nothing yet."""
