"""Fixtures shared by every test folder."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.pg import isolated_schema


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """Each test using it runs twice: on a SQLite file and on PostgreSQL (skipped where no server answers)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'crisisbot.db'}"
        return
    with isolated_schema() as url:
        yield url
