"""The Teams door's tables (conversation references, people, e-mail addresses) join the migrations.

Databases used with Teams before this revision already have them, made by the door at start-up with `create_all`
and the same columns: they are kept as they are, rows included. Elsewhere they are created here.

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-28
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    existing = set(sa.inspect(op.get_bind()).get_table_names())
    if "teams_conversations" not in existing:
        op.create_table(
            "teams_conversations",
            sa.Column("conversation_id", sa.String(512), nullable=False),
            sa.Column("reference", sa.Text(), nullable=False),
            sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
            sa.PrimaryKeyConstraint("conversation_id", name="pk_teams_conversations"),
        )
    if "teams_people" not in existing:
        op.create_table(
            "teams_people",
            sa.Column("person_id", sa.String(255), nullable=False),
            sa.Column("teams_id", sa.String(255), nullable=False),
            sa.Column("name", sa.String(255), nullable=False),
            sa.Column("personal_conversation", sa.String(512), nullable=True),
            sa.Column("seen_in", sa.String(512), nullable=True),
            sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
            sa.PrimaryKeyConstraint("person_id", name="pk_teams_people"),
        )
    if "teams_emails" not in existing:
        op.create_table(
            "teams_emails",
            sa.Column("email", sa.String(320), nullable=False),
            sa.Column("person_id", sa.String(255), nullable=False),
            sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
            sa.PrimaryKeyConstraint("email", name="pk_teams_emails"),
        )


def downgrade() -> None:
    # Nothing dropped: the version before this one creates these tables itself at start-up and goes on using them;
    # dropping them would lose the address of every Teams conversation and person the bot knows.
    pass
