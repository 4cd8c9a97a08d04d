"""PostgreSQL for tests: the server named by CRISISBOT_TEST_POSTGRES_URL, and a fresh schema for each test.

Where no server answers, tests that need one are skipped, unless CRISISBOT_REQUIRE_POSTGRES=1 (as in CI),
which turns the skip into a failure. Each test gets its own schema through the connection's search_path, so
tests never see each other's rows and can run again and again on the same database.
"""

from __future__ import annotations

import functools
import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy.engine import make_url

from storage import make_engine

DEFAULT_TEST_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def server_url() -> str:
    return os.environ.get("CRISISBOT_TEST_POSTGRES_URL", DEFAULT_TEST_URL)


@functools.cache
def _unreachable(url: str) -> str | None:
    """Why the server cannot be used, or None; asked once per run so an absent server costs one timeout."""
    engine = make_engine(with_query(url, connect_timeout="3"))
    try:
        with engine.connect():
            return None
    except Exception as error:  # any failure to connect means "no usable server"
        return f"{type(error).__name__}: {error}".splitlines()[0]
    finally:
        engine.dispose()


def require_server(url: str | None = None) -> str:
    url = url or server_url()
    problem = _unreachable(url)
    if problem is not None:
        message = f"no PostgreSQL server at {make_url(url).render_as_string()} ({problem})"
        if os.environ.get("CRISISBOT_REQUIRE_POSTGRES") == "1":
            pytest.fail(message + "; CRISISBOT_REQUIRE_POSTGRES=1 makes this mandatory")
        pytest.skip(message)
    return url


def with_query(url: str, **params: str) -> str:
    return make_url(url).update_query_dict(params).render_as_string(hide_password=False)


@contextmanager
def isolated_schema(url: str | None = None) -> Iterator[str]:
    """Yields a URL whose connections work in a new, empty schema; drops it (and all in it) afterwards."""
    url = require_server(url)
    schema = f"test_{uuid.uuid4().hex[:16]}"
    admin = make_engine(url)
    try:
        with admin.begin() as connection:
            connection.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
        yield with_query(url, options=f"-csearch_path={schema}")
    finally:
        with admin.begin() as connection:
            connection.exec_driver_sql(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
        admin.dispose()


@pytest.fixture
def postgres_url() -> Iterator[str]:
    with isolated_schema() as url:
        yield url
