"""Alembic takes an empty database to head, the result matches the tables, and first use migrates by itself."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, inspect, text

from storage import make_engine, migrate, sql_uow_factory
from storage.tables import metadata

AGGREGATE = {
    "incidents", "incident_conversations", "role_assignments", "drafts", "draft_versions", "draft_approvals",
    "draft_reviews", "status_updates", "timeline_entries", "request_log", "card_refs",
}


def head() -> str:
    head = ScriptDirectory.from_config(migrate.alembic_config()).get_current_head()
    assert head is not None
    return head


def test_upgrade_from_empty_to_head_builds_the_tables_as_declared(database_url: str) -> None:
    migrate.upgrade(database_url)
    engine = make_engine(database_url)
    try:
        with engine.connect() as connection:
            assert set(inspect(connection).get_table_names()) >= AGGREGATE
            assert MigrationContext.configure(connection).get_current_revision() == head()
            differences = compare_metadata(MigrationContext.configure(connection, opts={"compare_type": True}), metadata)
        assert differences == []
        index = {i["name"]: i["column_names"] for i in inspect(engine).get_indexes("incidents")}
        assert index["ix_incidents_status_due"] == ["status", "next_update_due"]
    finally:
        engine.dispose()


def test_the_first_revision_is_0001_and_downgrades_cleanly(database_url: str) -> None:
    assert ScriptDirectory.from_config(migrate.alembic_config()).get_revision("0001").down_revision is None
    migrate.upgrade(database_url, "0001")
    migrate.downgrade(database_url, "base")
    engine = make_engine(database_url)
    try:
        assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    finally:
        engine.dispose()
    migrate.upgrade(database_url)  # and up again


def test_first_use_migrates_once_per_engine(database_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    factory = sql_uow_factory(database_url)
    migrated: list[Engine] = []
    real = migrate.upgrade_engine

    def counting(engine: Engine, revision: str = "head") -> None:
        migrated.append(engine)
        real(engine, revision)

    monkeypatch.setattr(migrate, "upgrade_engine", counting)
    try:
        for _ in range(3):
            with factory() as uow:
                assert uow.incidents.list() == []
        assert migrated == [factory.engine]
    finally:
        factory.dispose()


@pytest.mark.postgres
def test_replicas_starting_together_on_an_empty_database_migrate_once(postgres_url: str) -> None:
    # PostgreSQL only: one process per SQLite file is assumed.
    with ThreadPoolExecutor(4) as pool:
        list(pool.map(lambda _: migrate.upgrade(postgres_url), range(4)))
    engine = make_engine(postgres_url)
    try:
        with engine.connect() as connection:
            assert MigrationContext.configure(connection).get_current_revision() == head()
    finally:
        engine.dispose()


def test_0005_turns_a_draft_publication_into_its_first_publication_and_back(database_url: str) -> None:
    migrate.upgrade(database_url, "0004")
    engine = make_engine(database_url)
    at = datetime(2026, 11, 23, 10, 5, tzinfo=UTC)
    try:
        with engine.begin() as connection:
            connection.execute(text(
                "INSERT INTO incidents (number, key, title, description, source_url, severity, status, reporter, "
                "created_at, summary, missed_checkins, version) "
                "VALUES (1, 'CRI-1', 'Buzz', '', '', 2, 'active', 'alice', :at, '', 0, 1)"), {"at": at})
            connection.execute(text(
                "INSERT INTO drafts (incident_number, number, required_roles, state, published_at, published_by, "
                "published_where, reminded_version, escalated_version) "
                "VALUES (1, 1, '[\"comms\"]', 'published', :at, 'bob', 'X and Facebook', 0, 0)"), {"at": at})
            connection.execute(text(
                "INSERT INTO draft_versions (incident_number, draft_number, version, text, author, created_at) "
                "VALUES (1, 1, 1, 'v1', 'alice', :at), (1, 1, 2, 'v2', 'alice', :at)"), {"at": at})
        migrate.upgrade(database_url)
        factory = sql_uow_factory(database_url)
        try:
            with factory() as uow:
                incident = uow.incidents.get_whole("CRI-1")
        finally:
            factory.dispose()
        assert incident is not None
        draft = incident.drafts[0]
        assert [(p.version, p.channel, p.person, p.at, p.severity) for p in draft.publications] == [
            (2, "X and Facebook", "bob", at, 2)
        ]
        assert (draft.peak_severity, draft.published_under_severity, draft.text) == (2, 2, "v2")
        migrate.downgrade(database_url, "0004")
        with engine.connect() as connection:
            row = connection.execute(text("SELECT published_by, published_where FROM drafts")).one()
        assert tuple(row) == ("bob", "X and Facebook")
    finally:
        engine.dispose()
