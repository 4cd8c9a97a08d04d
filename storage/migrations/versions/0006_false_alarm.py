"""Incidents resolved as a false alarm, counted apart from real crises.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-28
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("incidents", sa.Column("false_alarm", sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade() -> None:
    # Not a batch (copy-and-rename) on SQLite: dropping the old incidents table would cascade to every child row.
    # SQLite (3.35+) drops a column in place.
    op.execute("ALTER TABLE incidents DROP COLUMN false_alarm")
