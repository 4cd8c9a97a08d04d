"""On SQLite, the writers of this process take turns in Python rather than in SQLite's busy handler.

SQLite lets one connection write at a time; another that finds the lock taken sleeps in its busy handler, longer
at each retry (up to 100 ms a turn), and only then looks again. Under a burst, the inbox writes that Slack's
acknowledgements wait for met the commits of the work behind them that way, and a few acknowledgements waited a
third of a second. Here a unit of work takes the process's turn before its first write and gives it back as its
transaction ends, so the next writer starts as soon as the last one committed. One process per SQLite file is
assumed (`storage.inbox`); PostgreSQL locks rows, not the database, and needs none of this.
"""

from __future__ import annotations

import threading
import weakref
from typing import Any

from sqlalchemy import Connection, Engine, event
from sqlalchemy.sql.dml import UpdateBase

# Where a unit of work leaves, on its connection, how to take its turn (`Turns.take`).
BEFORE_WRITING = "crisisbot.before_writing"

# By engine, weakly: a disposed engine's id may be reused by a new one, which must not inherit its lock.
_locks: weakref.WeakKeyDictionary[Engine, threading.Lock] = weakref.WeakKeyDictionary()
PATIENCE = 10.0  # seconds, as `storage.engine.BUSY_TIMEOUT_MS`


def install(engine: Engine) -> None:
    """Writes run through `Connection.execute` take the turn first (those of `storage.direct` call `before_writing`)."""
    _locks.setdefault(engine, threading.Lock())
    event.listen(engine, "before_execute", _before_execute)


def before_writing(connection: Connection) -> None:
    take = connection.info.get(BEFORE_WRITING)
    if take is not None:
        take()


def _before_execute(connection: Connection, statement: Any, *_: Any) -> None:
    if isinstance(statement, UpdateBase):
        before_writing(connection)


class Turns:
    """A unit of work's turn to write: taken before its first write, given back when its transaction ends."""

    def __init__(self, engine: Engine) -> None:
        self.lock = _locks.get(engine)  # None: not an SQLite engine made by `storage.engine`
        self.held = False

    def take(self) -> None:
        if self.lock is not None and not self.held:
            # Bounded like SQLite's own patience: past it the write goes ahead and meets SQLite's lock, as it did
            # before turns (a unit of work nested in one that wrote, on the same thread, would otherwise wait forever).
            self.held = self.lock.acquire(timeout=PATIENCE)

    def give_back(self) -> None:
        if self.held:
            assert self.lock is not None
            self.held = False
            self.lock.release()
