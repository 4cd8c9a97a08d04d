"""Engines for the two supported databases: SQLite by default, PostgreSQL through psycopg 3."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.pool import StaticPool

from storage import turns

DEFAULT_URL = "sqlite:///crisisbot.db"
BUSY_TIMEOUT_MS = 10_000


def make_engine(url: str = DEFAULT_URL) -> Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() == "postgresql":
        # psycopg 3 is the driver we ship; accept the plain `postgresql://` (and Heroku's `postgres://`) spellings.
        # No `pool_pre_ping`: it costs every unit of work one more round trip to ask whether the connection lives.
        # A connection that died in the pool (server restart, idle timeout) fails its first statement instead; that
        # invalidates it (and the pool's older connections), and the unit of work turns the failure into a retry of
        # the whole command on a fresh connection (`SqlUnitOfWork.__exit__`), which nothing was committed by.
        return create_engine(parsed.set(drivername="postgresql+psycopg"))
    if parsed.get_backend_name() != "sqlite":
        raise ValueError(f"unsupported DATABASE_URL {parsed.render_as_string()!r}: use sqlite:/// or postgresql+psycopg://")
    memory = parsed.database in (None, "", ":memory:")
    # The service runs units of work in worker threads; each connection is used by one thread at a time.
    engine = create_engine(
        parsed,
        connect_args={"check_same_thread": False, "timeout": BUSY_TIMEOUT_MS / 1000},
        # An in-memory database exists only inside its one connection.
        **({"poolclass": StaticPool} if memory else {}),
    )
    event.listen(engine, "connect", _sqlite_pragmas(memory))
    turns.install(engine)  # this process's writers take turns in Python, not in SQLite's busy handler
    return engine


def _sqlite_pragmas(memory: bool) -> Any:
    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        if not memory:
            # WAL lets readers work while one writer commits; NORMAL sync is durable across crashes of the
            # process and only risks the last commits on power loss, the usual trade for WAL.
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    return on_connect
