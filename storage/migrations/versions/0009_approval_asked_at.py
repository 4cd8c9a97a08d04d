"""When a severity raise last asked a draft's current version for more roles: its approval deadline counts from then.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-28
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Existing drafts were asked when their version was written: a null keeps that.
    op.add_column("drafts", sa.Column("asked_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    # In place, not a batch copy: on SQLite, dropping the old drafts table would cascade to its child rows.
    op.execute("ALTER TABLE drafts DROP COLUMN asked_at")
