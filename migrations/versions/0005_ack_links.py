"""Employees' one-time acknowledgement links for lending agreements (issue 15).

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-05
"""

from __future__ import annotations

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Nothing yet (filled in by the issue's work)."""


def downgrade() -> None:
    """Nothing yet."""
