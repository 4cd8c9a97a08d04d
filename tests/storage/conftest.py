"""Every storage test runs twice: on a SQLite file and on PostgreSQL (skipped where no server answers)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from storage import SqlUnitOfWorkFactory, sql_uow_factory
from tests.pg import isolated_schema, postgres_url  # noqa: F401 - a fixture, offered to these tests


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'crisisbot.db'}"
        return
    with isolated_schema() as url:
        yield url


@pytest.fixture
def uow_factory(database_url: str) -> Iterator[SqlUnitOfWorkFactory]:
    factory = sql_uow_factory(database_url)
    yield factory
    factory.dispose()
