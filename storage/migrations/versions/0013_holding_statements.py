"""Holding statements (templates), each incident's frontline material, and the template a draft was filled in from.

Revision ID: 0013
Revises: 0009
Create Date: 2026-11-28
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "holding_statements",
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("language", sa.String(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("document", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_holding_statements")),
    )
    op.create_table(
        "frontline",
        sa.Column("incident_number", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("document", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["incident_number"], ["incidents.number"], name=op.f("fk_frontline_incident_number_incidents"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("incident_number", name=op.f("pk_frontline")),
    )
    # Existing drafts were written from scratch.
    op.add_column("drafts", sa.Column("template", sa.String(), nullable=False, server_default=""))


def downgrade() -> None:
    # In place, not a batch copy: on SQLite, dropping the old drafts table would cascade to its child rows.
    op.execute("ALTER TABLE drafts DROP COLUMN template")
    op.drop_table("frontline")
    op.drop_table("holding_statements")
