"""The incident aggregate, the request log and card references.

Revision ID: 0001
Revises:
Create Date: 2026-11-23
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Frozen copies of the column types, so this migration never changes when storage.tables does.
TS = sa.DateTime(timezone=True)


def _incident_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["incident_number"], ["incidents.number"], name=f"fk_{table}_incident_number_incidents", ondelete="CASCADE"
    )


def _draft_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["incident_number", "draft_number"], ["drafts.incident_number", "drafts.number"],
        name=f"fk_{table}_incident_number_draft_number_drafts", ondelete="CASCADE",
    )


def upgrade() -> None:
    op.create_table(
        "incidents",
        sa.Column("number", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("key", sa.String(), nullable=False),
        sa.Column("title", sa.String(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("source_url", sa.String(), nullable=False),
        sa.Column("severity", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("reporter", sa.String(), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("updated_at", TS, nullable=True),
        sa.Column("next_update_due", TS, nullable=True),
        sa.Column("resolved_at", TS, nullable=True),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("missed_checkins", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("number", name="pk_incidents"),
        sa.UniqueConstraint("key", name="uq_incidents_key"),
    )
    op.create_index("ix_incidents_status_due", "incidents", ["status", "next_update_due"])

    op.create_table(
        "incident_conversations",
        sa.Column("incident_number", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("platform", sa.String(), nullable=False),
        sa.Column("conversation_id", sa.String(), nullable=False),
        sa.PrimaryKeyConstraint("incident_number", "seq", name="pk_incident_conversations"),
        _incident_fk("incident_conversations"),
    )
    op.create_index("ix_incident_conversations_place", "incident_conversations", ["platform", "conversation_id"])

    op.create_table(
        "role_assignments",
        sa.Column("incident_number", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(), nullable=False),
        sa.Column("holder", sa.String(), nullable=False),
        sa.Column("assigned_by", sa.String(), nullable=False),
        sa.Column("started_at", TS, nullable=False),
        sa.Column("ended_at", TS, nullable=True),
        sa.PrimaryKeyConstraint("incident_number", "seq", name="pk_role_assignments"),
        _incident_fk("role_assignments"),
    )

    op.create_table(
        "drafts",
        sa.Column("incident_number", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("required_roles", sa.JSON(), nullable=False),
        sa.Column("state", sa.String(), nullable=False),
        sa.Column("approved_at", TS, nullable=True),
        sa.Column("published_at", TS, nullable=True),
        sa.Column("published_by", sa.String(), nullable=True),
        sa.Column("published_where", sa.String(), nullable=False),
        sa.Column("reminded_version", sa.Integer(), nullable=False),
        sa.Column("escalated_version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("incident_number", "number", name="pk_drafts"),
        _incident_fk("drafts"),
    )
    op.create_index("ix_drafts_state", "drafts", ["state"])

    op.create_table(
        "draft_versions",
        sa.Column("incident_number", sa.Integer(), nullable=False),
        sa.Column("draft_number", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("author", sa.String(), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("incident_number", "draft_number", "version", name="pk_draft_versions"),
        _draft_fk("draft_versions"),
    )

    op.create_table(
        "draft_approvals",
        sa.Column("incident_number", sa.Integer(), nullable=False),
        sa.Column("draft_number", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(), nullable=False),
        sa.Column("approver", sa.String(), nullable=False),
        sa.Column("at", TS, nullable=False),
        sa.PrimaryKeyConstraint("incident_number", "draft_number", "seq", name="pk_draft_approvals"),
        _draft_fk("draft_approvals"),
    )

    op.create_table(
        "draft_reviews",
        sa.Column("incident_number", sa.Integer(), nullable=False),
        sa.Column("draft_number", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("final", sa.Boolean(), nullable=False),
        sa.Column("reviewer", sa.String(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("at", TS, nullable=False),
        sa.PrimaryKeyConstraint("incident_number", "draft_number", "seq", name="pk_draft_reviews"),
        _draft_fk("draft_reviews"),
    )

    op.create_table(
        "status_updates",
        sa.Column("incident_number", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("author", sa.String(), nullable=False),
        sa.Column("at", TS, nullable=False),
        sa.PrimaryKeyConstraint("incident_number", "seq", name="pk_status_updates"),
        _incident_fk("status_updates"),
    )

    op.create_table(
        "timeline_entries",
        sa.Column("incident_number", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("at", TS, nullable=False),
        sa.Column("actor", sa.String(), nullable=False),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("incident_number", "seq", name="pk_timeline_entries"),
        _incident_fk("timeline_entries"),
    )

    op.create_table(
        "request_log",
        sa.Column("request_id", sa.String(), nullable=False),
        sa.Column("reply", sa.Text(), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("request_id", name="pk_request_log"),
    )

    op.create_table(
        "card_refs",
        sa.Column("platform", sa.String(), nullable=False),
        sa.Column("conversation", sa.String(), nullable=False),
        sa.Column("card_id", sa.String(), nullable=False),
        sa.Column("message_ref", sa.String(), nullable=False),
        sa.PrimaryKeyConstraint("platform", "conversation", "card_id", name="pk_card_refs"),
    )


def downgrade() -> None:
    for table in (
        "card_refs", "request_log", "timeline_entries", "status_updates", "draft_reviews", "draft_approvals",
        "draft_versions", "drafts", "role_assignments", "incident_conversations", "incidents",
    ):
        op.drop_table(table)
