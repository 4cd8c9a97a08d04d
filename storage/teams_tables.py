"""The tables the Teams door keeps in the project's database, declared here so migrations create and check them.

Until revision 0010 the door created them itself (`create_all`); now, like every other table, they come from the
Alembic migrations, which can also change them later. The door's queries live with the door
(`adapters.teams.references`), which explains what each table is for.
"""

from __future__ import annotations

from sqlalchemy import Column, DateTime, String, Table, Text

from storage.tables import metadata

conversations = Table(
    "teams_conversations", metadata,
    Column("conversation_id", String(512), primary_key=True),
    Column("reference", Text, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

people = Table(
    "teams_people", metadata,
    Column("person_id", String(255), primary_key=True),
    Column("teams_id", String(255), nullable=False),
    Column("name", String(255), nullable=False, default=""),
    Column("personal_conversation", String(512), nullable=True),
    Column("seen_in", String(512), nullable=True),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

emails = Table(
    "teams_emails", metadata,
    Column("email", String(320), primary_key=True),  # lowercase: addresses are compared case aside
    Column("person_id", String(255), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)
