"""One SQLite connection kept per thread between units of work, instead of a pool checkout and return per command.

Checking a connection out of SQLAlchemy's pool and returning it (a `Connection` built, events, the reset's rollback)
costs about as much as two of the statements a command runs. A SQLite file is local and its connections cheap to
keep, so each thread that runs units of work keeps the one it last used, idle and outside any transaction (the unit
of work has committed or rolled back before giving it back). A unit of work opened inside another on the same thread
gets a connection of its own from the pool, as before, so their transactions stay apart.

At most `KEPT` connections are kept, fewer than the pool hands out, so threads that keep one never leave the others
waiting for the pool; those of threads that have ended are closed first. PostgreSQL connections are not kept: the
pool's checkout is where a dead server connection is noticed and replaced, and other processes share the server's
connection limit. `dispose` closes every kept connection with the engine's pool.
"""

from __future__ import annotations

import threading

from sqlalchemy import Connection, Engine
from sqlalchemy.pool import QueuePool

KEPT = 4  # the pool's own size is 5, with 10 more on demand


class ThreadConnections:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        # Only a file database's pool: an in-memory one is a single shared connection already (StaticPool).
        self.keeping = engine.dialect.name == "sqlite" and isinstance(engine.pool, QueuePool)
        self.local = threading.local()
        self.lock = threading.Lock()
        self.kept: dict[threading.Thread, Connection] = {}
        self.idle: set[Connection] = set()  # kept and not in a unit of work now: only these are closed by another thread
        self.schema_ready = False  # set by the unit of work once `ensure_schema` ran for this engine
        self.database = str(engine.url)  # what the process's caches of people are keyed by (`storage.people`)

    def take(self) -> Connection:
        """The thread's idle connection, or one from the pool (the first time, or inside another unit of work)."""
        connection: Connection | None = getattr(self.local, "idle", None)
        if connection is None:
            return self.engine.connect()
        self.local.idle = None
        with self.lock:
            if connection not in self.idle:  # closed meanwhile by `close_all`
                return self.engine.connect()
            self.idle.discard(connection)
        return connection

    def give_back(self, connection: Connection) -> None:
        """After the unit of work ended its transaction: kept for the thread's next one, or returned to the pool."""
        if not self.keeping or connection.invalidated or connection.closed or connection.in_transaction():
            self._close(connection)
            return
        if getattr(self.local, "idle", None) is not None:
            connection.close()  # the thread keeps one already: an inner unit of work's, which ended first
            return
        thread = threading.current_thread()
        with self.lock:
            if self.kept.get(thread) is not connection:
                self._forget_ended_threads()
                if len(self.kept) >= KEPT:
                    connection.close()
                    return
                self.kept[thread] = connection
            self.idle.add(connection)
        self.local.idle = connection

    def close_all(self) -> None:
        """Closes the idle connections; one in a unit of work now is kept again when it ends (the engine lives on)."""
        with self.lock:
            idle, self.kept, self.idle = list(self.idle), {}, set()
        self.local = threading.local()
        for connection in idle:
            connection.close()

    def _close(self, connection: Connection) -> None:
        with self.lock:
            if self.kept.get(threading.current_thread()) is connection:
                del self.kept[threading.current_thread()]
        connection.close()

    def _forget_ended_threads(self) -> None:
        for thread in [t for t in self.kept if not t.is_alive()]:
            connection = self.kept.pop(thread)
            if connection in self.idle:
                self.idle.discard(connection)
                connection.close()
