"""Leases on the inbox: which process runs each accepted request, and until when it holds it.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-28
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("inbox", sa.Column("claimed_by", sa.String(), nullable=True))
    op.add_column("inbox", sa.Column("lease_until", sa.DateTime(timezone=True), nullable=True))
    # Requests answered before this revision are done: from now on the core marks them finished as it answers,
    # so the recovery sweep reads only the few rows still open.
    op.execute(
        "UPDATE inbox SET finished_at = accepted_at WHERE finished_at IS NULL"
        " AND EXISTS (SELECT 1 FROM request_log WHERE request_log.request_id = inbox.request_id)"
    )


def downgrade() -> None:
    with op.batch_alter_table("inbox") as batch:
        batch.drop_column("lease_until")
        batch.drop_column("claimed_by")
