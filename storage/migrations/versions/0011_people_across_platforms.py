"""One crisis in several conversations, one person across platforms.

Conversations keep the name they were linked with and whether they were left; a directory of people knows which
platform accounts (and e-mail address) are one person; e-mail lookups are cached per workspace.

Revision ID: 0011
Revises: 0009
Create Date: 2026-11-28
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("incident_conversations", sa.Column("name", sa.String(), nullable=False, server_default=""))
    op.add_column(
        "incident_conversations", sa.Column("unlinked", sa.Boolean(), nullable=False, server_default=sa.false())
    )
    op.create_table(
        "person_accounts",
        sa.Column("platform", sa.String(), nullable=False),
        sa.Column("account", sa.String(), nullable=False),
        sa.Column("person_id", sa.String(), nullable=False),
        sa.Column("email", sa.String(), nullable=True),
        sa.Column("first_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("seen_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("platform", "account", name="pk_person_accounts"),
    )
    op.create_index("ix_person_accounts_person_id", "person_accounts", ["person_id"])
    op.create_index("ix_person_accounts_email", "person_accounts", ["email"])
    op.create_table(
        "email_lookups",
        sa.Column("platform", sa.String(), nullable=False),
        sa.Column("workspace", sa.String(), nullable=False),
        sa.Column("account", sa.String(), nullable=False),
        sa.Column("email", sa.String(), nullable=True),
        sa.Column("looked_up_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("platform", "workspace", "account", name="pk_email_lookups"),
    )


def downgrade() -> None:
    op.drop_table("email_lookups")
    op.drop_index("ix_person_accounts_email", table_name="person_accounts")
    op.drop_index("ix_person_accounts_person_id", table_name="person_accounts")
    op.drop_table("person_accounts")
    # In place, not a batch copy: on SQLite, recreating incident_conversations would go through its foreign key.
    op.execute("ALTER TABLE incident_conversations DROP COLUMN unlinked")
    op.execute("ALTER TABLE incident_conversations DROP COLUMN name")
