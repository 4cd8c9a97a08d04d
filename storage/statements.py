"""Counts what a unit of work costs the database: statements sent, and round trips to a server.

Statements run by SQLAlchemy are seen through its events; those run on the driver's cursor (`storage.direct`) report
themselves here. Round trips follow what psycopg 3 sends to PostgreSQL: a statement is one, and so is the BEGIN
psycopg sends before the first statement of a transaction, unless that statement goes in a pipeline (the BEGIN then
goes with it, and a whole pipeline is one round trip); a COMMIT or ROLLBACK is one when a transaction was begun on the
server, none otherwise. `tests/storage/wire.py` counts the real request/response turns on the socket to check this model.

Used by the benchmarks and by tests that bound the statements a command may cost, so a regression shows.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine, event


@dataclass
class Counted:
    statements: int = 0
    begins: int = 0
    commits: int = 0
    rollbacks: int = 0
    pings: int = 0
    pipelines: int = 0
    round_trips: int = 0
    texts: list[str] = field(default_factory=list)
    begin_pending: bool = False  # begun in SQLAlchemy, not yet on the server

    def sent(self, texts: Sequence[str], pipelined: bool) -> None:
        self.statements += len(texts)
        self.texts.extend(texts)
        if pipelined:
            self.pipelines += 1
            self.round_trips += 1
        else:
            self.round_trips += len(texts) + self.begin_pending
        self.begin_pending = False

    def ended(self) -> None:
        self.round_trips += not self.begin_pending
        self.begin_pending = False


_counting: weakref.WeakKeyDictionary[Engine, list[Counted]] = weakref.WeakKeyDictionary()
_lock = threading.Lock()
_active = [0]  # counters in use, on any engine: checked before the weak dictionary, which costs more to ask


def watched(engine: Engine) -> bool:
    """Whether anyone counts this engine's statements now (so callers build the list for `noted` only then)."""
    return _active[0] > 0 and bool(_counting.get(engine))


def noted(engine: Engine, texts: Sequence[str], pipelined: bool = False) -> None:
    """Statements run on the driver's cursor, in one pipeline or one after the other."""
    for counted in _counting.get(engine, ()):
        counted.sent(texts, pipelined)


@contextmanager
def counting(engine: Engine) -> Iterator[Counted]:
    counted = Counted()
    pinging = bool(getattr(engine.pool, "_pre_ping", False))

    def on_statement(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        counted.sent([statement], pipelined=False)

    def on_begin(_conn: Any) -> None:
        counted.begins += 1
        counted.begin_pending = True

    def on_commit(_conn: Any) -> None:
        counted.commits += 1
        counted.ended()

    def on_rollback(_conn: Any) -> None:
        counted.rollbacks += 1
        counted.ended()

    def on_checkout(*_args: Any) -> None:
        counted.pings += pinging
        counted.round_trips += pinging

    listeners: list[tuple[Any, str, Callable[..., None]]] = [
        (engine, "before_cursor_execute", on_statement),
        (engine, "begin", on_begin),
        (engine, "commit", on_commit),
        (engine, "rollback", on_rollback),
        (engine.pool, "checkout", on_checkout),
    ]
    for target, name, fn in listeners:
        event.listen(target, name, fn)
    with _lock:
        _counting.setdefault(engine, []).append(counted)
        _active[0] += 1
    try:
        yield counted
    finally:
        with _lock:
            _counting[engine].remove(counted)
            _active[0] -= 1
        for target, name, fn in listeners:
            event.remove(target, name, fn)
