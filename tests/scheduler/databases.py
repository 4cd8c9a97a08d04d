"""Fresh databases for the scheduler's storage tests: a SQLite file, or a throwaway PostgreSQL database.

PostgreSQL tests skip when no server answers, unless CRISISBOT_REQUIRE_POSTGRES=1 (as in CI).
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

POSTGRES_URL = os.environ.get("CRISISBOT_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def _admin_engine():  # type: ignore[no-untyped-def]
    return create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 3})


def postgres_available() -> bool:
    try:
        engine = _admin_engine()
        with engine.connect():
            pass
        engine.dispose()
        return True
    except Exception:
        return False


def require_postgres() -> None:
    if not postgres_available():
        if os.environ.get("CRISISBOT_REQUIRE_POSTGRES") == "1":
            pytest.fail(f"PostgreSQL is required but does not answer at {POSTGRES_URL}")
        pytest.skip(f"no PostgreSQL at {POSTGRES_URL}")


@contextmanager
def fresh_postgres() -> Iterator[str]:
    """A new empty database on the test server, dropped afterwards; yields its URL."""
    require_postgres()
    name = f"crisisbot_sched_{uuid.uuid4().hex[:12]}"
    admin = _admin_engine()
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@contextmanager
def fresh_database(kind: str, tmp_path: os.PathLike[str]) -> Iterator[str]:
    if kind == "postgres":
        with fresh_postgres() as url:
            yield url
    else:
        yield f"sqlite:///{os.fspath(tmp_path)}/crisisbot.db"
