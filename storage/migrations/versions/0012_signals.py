"""Weak-signal watch: signals (one row per id), the topics they matched, topics set from chat, alerts.

Revision ID: 0012
Revises: 0009
Create Date: 2026-11-28
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _at(name: str, nullable: bool = False) -> sa.Column[object]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "signals",
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("source", sa.String(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("author", sa.String(), nullable=False),
        sa.Column("reach", sa.Integer(), nullable=False),
        sa.Column("language", sa.String(), nullable=False),
        _at("published_at", nullable=True),
        _at("received_at"),
        sa.Column("incident", sa.String(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_signals"),
    )
    op.create_index("ix_signals_incident", "signals", ["incident", "received_at"])
    op.create_table(
        "signal_topics",
        sa.Column("signal_id", sa.String(), nullable=False),
        sa.Column("topic", sa.String(), nullable=False),
        _at("received_at"),
        sa.Column("reach", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["signal_id"], ["signals.id"], name="fk_signal_topics_signal_id_signals",
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("signal_id", "topic", name="pk_signal_topics"),
    )
    op.create_index("ix_signal_topics_topic_received", "signal_topics", ["topic", "received_at"])
    op.create_table(
        "watch_topics",
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("keywords", sa.JSON(), nullable=False),
        sa.Column("excluded", sa.JSON(), nullable=False),
        sa.Column("removed", sa.Boolean(), nullable=False),
        sa.Column("updated_by", sa.String(), nullable=False),
        _at("updated_at"),
        sa.PrimaryKeyConstraint("name", name="pk_watch_topics"),
    )
    op.create_table(
        "signal_alerts",
        sa.Column("number", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("topic", sa.String(), nullable=False),
        sa.Column("status", sa.String(), nullable=False),
        _at("raised_at"),
        _at("first_signal_at"),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("peak_reach", sa.Integer(), nullable=False),
        sa.Column("severity", sa.Integer(), nullable=False),
        _at("updated_at"),
        _at("snoozed_until", nullable=True),
        sa.Column("snoozed_count", sa.Integer(), nullable=False),
        sa.Column("decided_by", sa.String(), nullable=False),
        _at("decided_at", nullable=True),
        sa.Column("incident", sa.String(), nullable=True),
        sa.Column("round", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("number", name="pk_signal_alerts"),
    )
    op.create_index("ix_signal_alerts_topic", "signal_alerts", ["topic", "number"])


def downgrade() -> None:
    # Children first; plain DROP TABLE (no batch copy), as every downgrade here.
    for table in ("signal_alerts", "watch_topics", "signal_topics", "signals"):
        op.execute(f"DROP TABLE {table}")
