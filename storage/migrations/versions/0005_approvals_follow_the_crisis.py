"""Publications per channel, objections, and the severity whose rules a draft is held to.

A draft's single publication (published_at/by/where) becomes the first row of `draft_publications`.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-28
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TS = sa.DateTime(timezone=True)


def _draft_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["incident_number", "draft_number"], ["drafts.incident_number", "drafts.number"],
        name=f"fk_{table}_incident_number_draft_number_drafts", ondelete="CASCADE",
    )


def _key() -> list[sa.Column[int]]:
    return [sa.Column(name, sa.Integer(), nullable=False) for name in ("incident_number", "draft_number", "seq")]


def upgrade() -> None:
    op.add_column("drafts", sa.Column("peak_severity", sa.Integer(), nullable=False, server_default="4"))
    op.execute(
        "UPDATE drafts SET peak_severity = (SELECT severity FROM incidents WHERE incidents.number = drafts.incident_number)"
    )
    op.create_table(
        "draft_publications",
        *_key(),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("channel", sa.Text(), nullable=False),
        sa.Column("person", sa.String(), nullable=False),
        sa.Column("at", TS, nullable=False),
        sa.Column("severity", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("incident_number", "draft_number", "seq", name="pk_draft_publications"),
        _draft_fk("draft_publications"),
    )
    op.create_table(
        "draft_objections",
        *_key(),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("objector", sa.String(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("at", TS, nullable=False),
        sa.Column("closed_at", TS, nullable=True),
        sa.Column("closed_by", sa.String(), nullable=True),
        sa.Column("override_reason", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("incident_number", "draft_number", "seq", name="pk_draft_objections"),
        _draft_fk("draft_objections"),
    )
    # A published draft's text cannot change, so what went out is its last version.
    op.execute(
        "INSERT INTO draft_publications (incident_number, draft_number, seq, version, channel, person, at, severity) "
        "SELECT d.incident_number, d.number, 1, "
        "(SELECT max(v.version) FROM draft_versions v WHERE v.incident_number = d.incident_number "
        "AND v.draft_number = d.number), d.published_where, coalesce(d.published_by, ''), d.published_at, "
        "d.peak_severity FROM drafts d WHERE d.published_at IS NOT NULL"
    )
    # SQLite (3.35+) drops these plain columns in place: no table rebuild, which would cascade to the children.
    for column in ("published_at", "published_by", "published_where"):
        op.drop_column("drafts", column)
    if op.get_bind().dialect.name == "postgresql":
        op.alter_column("drafts", "peak_severity", server_default=None)


def downgrade() -> None:
    op.add_column("drafts", sa.Column("published_at", TS, nullable=True))
    op.add_column("drafts", sa.Column("published_by", sa.String(), nullable=True))
    op.add_column("drafts", sa.Column("published_where", sa.String(), nullable=False, server_default=""))
    first = "FROM draft_publications p WHERE p.incident_number = drafts.incident_number " \
            "AND p.draft_number = drafts.number AND p.seq = 1"
    op.execute(
        f"UPDATE drafts SET published_at = (SELECT p.at {first}), published_by = (SELECT p.person {first}), "
        f"published_where = coalesce((SELECT p.channel {first}), '')"
    )
    op.drop_table("draft_objections")
    op.drop_table("draft_publications")
    op.drop_column("drafts", "peak_severity")
