"""Alembic takes an empty database to head, the result matches the tables, and first use migrates by itself."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, inspect

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
