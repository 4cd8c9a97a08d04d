"""The update last promised to the public, so check-ins are planned before it.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-28
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("incidents", sa.Column("promised_update_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    # In place, not a batch copy: on SQLite, dropping the old incidents table would cascade to every child row.
    op.execute("ALTER TABLE incidents DROP COLUMN promised_update_at")
