"""Counts what a unit of work costs the database: statements sent, and round trips (statements plus the
transaction's begin and commit, and the liveness ping PostgreSQL connections get on checkout).

Used by the core benchmark and by tests that bound the statements a command may cost, so a regression shows.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
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
    texts: list[str] = field(default_factory=list)

    @property
    def round_trips(self) -> int:
        """On PostgreSQL each is one (psycopg sends BEGIN on its own; a rollback with nothing begun sends nothing)."""
        return self.statements + self.begins + self.commits + self.rollbacks + self.pings


@contextmanager
def counting(engine: Engine) -> Iterator[Counted]:
    counted = Counted()
    pinging = bool(getattr(engine.pool, "_pre_ping", False))

    def on_statement(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        counted.statements += 1
        counted.texts.append(statement)

    def on_begin(_conn: Any) -> None:
        counted.begins += 1

    def on_commit(_conn: Any) -> None:
        counted.commits += 1

    def on_rollback(_conn: Any) -> None:
        counted.rollbacks += 1

    def on_checkout(*_args: Any) -> None:
        counted.pings += pinging

    listeners: list[tuple[Any, str, Callable[..., None]]] = [
        (engine, "before_cursor_execute", on_statement),
        (engine, "begin", on_begin),
        (engine, "commit", on_commit),
        (engine, "rollback", on_rollback),
        (engine.pool, "checkout", on_checkout),
    ]
    for target, name, fn in listeners:
        event.listen(target, name, fn)
    try:
        yield counted
    finally:
        for target, name, fn in listeners:
            event.remove(target, name, fn)
