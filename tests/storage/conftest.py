"""Every storage test runs twice: on a SQLite file and on PostgreSQL (skipped where no server answers)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from storage import SqlUnitOfWorkFactory, sql_uow_factory
from tests.pg import postgres_url  # noqa: F401 - a fixture, offered to these tests


@pytest.fixture
def uow_factory(database_url: str) -> Iterator[SqlUnitOfWorkFactory]:
    factory = sql_uow_factory(database_url)
    yield factory
    factory.dispose()
