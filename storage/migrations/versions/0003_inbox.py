"""The inbox: requests written down before a door acknowledges them.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "inbox",
        sa.Column("request_id", sa.String(), nullable=False),
        sa.Column("platform", sa.String(), nullable=False),
        sa.Column("person", sa.String(), nullable=False),
        sa.Column("conversation", sa.String(), nullable=False),
        sa.Column("language", sa.String(), nullable=True),
        sa.Column("command", sa.Text(), nullable=False),
        sa.Column("reply_to", sa.Text(), nullable=False),
        sa.Column("accepted_at", TS, nullable=False),
        sa.Column("finished_at", TS, nullable=True),
        sa.PrimaryKeyConstraint("request_id", name="pk_inbox"),
    )
    op.create_index("ix_inbox_platform_finished_accepted", "inbox", ["platform", "finished_at", "accepted_at"])


def downgrade() -> None:
    op.drop_index("ix_inbox_platform_finished_accepted", table_name="inbox")
    op.drop_table("inbox")
