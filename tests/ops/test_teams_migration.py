"""Revision 0010 takes over the Teams tables: `crisisbot db upgrade` on a database the previous version made keeps them."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Column, DateTime, MetaData, String, Table, Text, inspect

from adapters.cli import main
from adapters.teams.references import Directory, TeamsPerson
from storage import make_engine, migrate

TEAMS_TABLES = {"teams_conversations", "teams_people", "teams_emails"}
REFERENCE = {"conversation": {"id": "19:abc@thread.tacv2"}, "serviceUrl": "https://smba.example/emea/"}


def created_by_the_previous_version(url: str) -> None:
    """The schema at 0009, then the Teams tables exactly as the door used to make them (its own create_all), with rows."""
    migrate.upgrade(url, "0009")
    old = MetaData()
    conversations = Table(
        "teams_conversations", old,
        Column("conversation_id", String(512), primary_key=True),
        Column("reference", Text, nullable=False),
        Column("updated_at", DateTime(timezone=True), nullable=False),
    )
    people = Table(
        "teams_people", old,
        Column("person_id", String(255), primary_key=True),
        Column("teams_id", String(255), nullable=False),
        Column("name", String(255), nullable=False, default=""),
        Column("personal_conversation", String(512), nullable=True),
        Column("seen_in", String(512), nullable=True),
        Column("updated_at", DateTime(timezone=True), nullable=False),
    )
    emails = Table(
        "teams_emails", old,
        Column("email", String(320), primary_key=True),
        Column("person_id", String(255), nullable=False),
        Column("updated_at", DateTime(timezone=True), nullable=False),
    )
    engine = make_engine(url)
    try:
        old.create_all(engine)
        now = datetime.now(UTC)
        with engine.begin() as db:
            db.execute(conversations.insert().values(conversation_id="19:abc@thread.tacv2",
                                                     reference=json.dumps(REFERENCE), updated_at=now))
            db.execute(people.insert().values(person_id="aad-megan", teams_id="29:megan", name="Megan Bowen",
                                              personal_conversation="a:1on1", seen_in="19:abc@thread.tacv2",
                                              updated_at=now))
            db.execute(emails.insert().values(email="megan@contoso.example", person_id="aad-megan", updated_at=now))
    finally:
        engine.dispose()


def revision_of(url: str) -> str | None:
    engine = make_engine(url)
    try:
        with engine.connect() as db:
            return MigrationContext.configure(db).get_current_revision()
    finally:
        engine.dispose()


async def what_the_door_knows(url: str) -> tuple[dict[str, Any] | None, TeamsPerson | None, TeamsPerson | None]:
    directory = Directory.from_url(url)
    try:
        person = await directory.person("aad-megan")
        return await directory.conversation("19:abc@thread.tacv2"), person, await directory.by_email("Megan@Contoso.example")
    finally:
        directory.engine.dispose()


async def test_db_upgrade_keeps_what_the_teams_door_knew(database_url: str, tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    created_by_the_previous_version(database_url)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_URL", database_url)
    assert main(["db", "upgrade"]) == 0
    assert "database is up to date" in capsys.readouterr().out
    assert revision_of(database_url) == ScriptDirectory.from_config(migrate.alembic_config()).get_current_head()
    reference, person, by_email = await what_the_door_knows(database_url)
    assert reference == REFERENCE
    assert person is not None and person.name == "Megan Bowen" and person.personal_conversation == "a:1on1"
    assert by_email == person


async def test_0010_round_trip_keeps_the_rows(database_url: str) -> None:
    created_by_the_previous_version(database_url)
    migrate.upgrade(database_url)
    # Down to 0009 the tables stay: the version before makes and uses them itself.
    migrate.downgrade(database_url, "0009")
    assert revision_of(database_url) == "0009"
    migrate.upgrade(database_url)
    reference, person, _ = await what_the_door_knows(database_url)
    assert reference == REFERENCE and person is not None


async def test_a_new_database_gets_the_teams_tables_from_the_migrations(database_url: str) -> None:
    directory = Directory.from_url(database_url)
    try:
        assert set(inspect(directory.engine).get_table_names()) >= TEAMS_TABLES
        assert await directory.conversation("19:none") is None
    finally:
        directory.engine.dispose()
    assert revision_of(database_url) == ScriptDirectory.from_config(migrate.alembic_config()).get_current_head()
