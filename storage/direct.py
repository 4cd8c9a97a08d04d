"""The statements every command runs, on the driver's own cursor: compiled by SQLAlchemy once, run without its engine.

`Connection.execute` costs 40–80 µs per statement on the 2-core machine before the driver is called (cache key,
execution context, result set-up), several times what SQLite needs to run the statement; a command runs six or so.
These are the same Core statements, compiled once per dialect (and per set of columns written), with SQLAlchemy's own
bind and result processors, so `UTCDateTime` and JSON columns read and write exactly as through `execute`. The
transaction stays SQLAlchemy's (a batch begins it if needed), so `Connection.commit` and `rollback` cover what ran
here. Driver errors are raised as SQLAlchemy's `DBAPIError`, as `execute` raises them, and a
connection found dead is invalidated the same way.

On PostgreSQL a `Batch` sends its statements in one pipeline (psycopg 3): one round trip for all of them, the
transaction's BEGIN included when they are its first. On SQLite, in process, they simply run in order.
"""

from __future__ import annotations

import operator
from collections import namedtuple
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection
from sqlalchemy.engine import Dialect
from sqlalchemy.exc import DBAPIError
from sqlalchemy.sql import ClauseElement
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.dml import UpdateBase
from sqlalchemy.types import TypeEngine

from storage.statements import noted, watched
from storage.tables import UTCDateTime
from storage.turns import before_writing

Params = dict[str, Any]
Processor = Callable[[Any], Any]


@dataclass(frozen=True)
class Compiled:
    sql: str
    positional: tuple[str, ...] | None  # parameter names in order, for drivers that take a tuple (SQLite)
    escaped: dict[str, str]  # bind name -> name in the SQL text, where the dialect had to escape it
    defaults: Params  # values bound in the statement itself (a literal 0 or 1)
    binds: tuple[tuple[str, Processor], ...]
    row: Any  # a namedtuple class, so rows read like SQLAlchemy's (`row.number`, `row._fields`)
    results: tuple[tuple[int, Processor], ...]
    # For positional drivers: each parameter's name and processor, in order (what `parameters` does, precomputed).
    # For positional drivers again: the values in order in one C call, then the processors by position.
    in_order: Callable[[Params], Sequence[Any]] | None = None
    processed: tuple[tuple[int, Processor], ...] = ()
    # `parameters` for positional drivers, made for this statement: most statements have no literal and no processor,
    # and their parameters are then the one C call of `in_order`, without a Python frame.
    bind: Callable[[Params], Any] | None = None

    def parameters(self, params: Params) -> Any:
        if self.in_order is not None:
            if self.defaults:
                params = {**self.defaults, **params}
            if not self.processed:
                return self.in_order(params)
            in_order = list(self.in_order(params))
            for index, process in self.processed:
                in_order[index] = process(in_order[index])
            return in_order
        values = {**self.defaults, **params} if self.defaults else dict(params)
        for name, process in self.binds:
            if name in values:
                values[name] = process(values[name])
        if self.escaped:
            return {self.escaped.get(name, name): value for name, value in values.items()}
        return values

    def rows(self, raw: Sequence[Sequence[Any]]) -> list[Any]:
        make = self.row._make
        if not self.results:
            return [make(r) for r in raw]
        converted = []
        for r in raw:
            values = list(r)
            for index, process in self.results:
                values[index] = process(values[index])
            converted.append(make(values))
        return converted


_compiled: dict[tuple[int, str, tuple[str, ...]], tuple[ClauseElement, Compiled]] = {}


def compiled(statement: ClauseElement, dialect: Dialect, columns: Sequence[str] = ()) -> Compiled:
    """`statement` compiled for `dialect`; `columns` are the columns an insert or update writes (its parameters)."""
    key = (id(statement), dialect.name, tuple(columns))
    found = _compiled.get(key)
    if found is not None and found[0] is statement:
        return found[1]
    done = statement.compile(dialect=dialect, column_keys=list(columns) or None)
    assert isinstance(done, SQLCompiler), "only SQL statements run here"
    # An `IN` list (even of literals) is rendered at run time: such statements stay with SQLAlchemy's `execute`.
    assert "POSTCOMPILE" not in done.string, f"an IN list cannot run on the driver's cursor: {done.string}"
    binds = tuple(
        (name, process) for name, bind in done.binds.items() if (process := _bind(bind.type, dialect)) is not None
    )
    selected = getattr(statement, "selected_columns", None)
    if selected is None and isinstance(statement, UpdateBase):
        selected = statement.exported_columns  # what an insert, update or delete returns
    names: list[str] = list(selected.keys()) if selected is not None else []
    results = tuple(
        (index, process)
        for index, column in enumerate(selected or ())
        if (process := _result(column.type, dialect)) is not None
    )
    positional = tuple(done.positiontup) if done.positiontup is not None else None
    processors = dict(binds)
    entry = Compiled(
        sql=done.string,
        positional=positional,
        in_order=_in_order(positional) if positional is not None else None,
        processed=tuple(
            (index, processors[name]) for index, name in enumerate(positional or ()) if name in processors
        ),
        escaped=dict(done.escaped_bind_names),
        # Values bound in the statement itself, None included (`claimed_until=None`); a parameter given at run time has
        # no value here.
        defaults={name: bind.effective_value for name, bind in done.binds.items() if not bind.required},
        binds=binds,
        row=namedtuple("Row", names, rename=True),
        results=results,
    )
    if entry.in_order is not None:
        entry = replace(entry, bind=entry.in_order if not entry.defaults and not entry.processed else entry.parameters)
    _compiled[key] = (statement, entry)  # the statement is kept, so its id is never reused for another
    return entry


def _in_order(names: tuple[str, ...]) -> Callable[[Params], Sequence[Any]]:
    if not names:
        return lambda params: ()
    if len(names) == 1:
        [name] = names
        return lambda params: (params[name],)
    return operator.itemgetter(*names)


def _bind(kind: TypeEngine[Any], dialect: Dialect) -> Processor | None:
    if isinstance(kind, UTCDateTime) and dialect.name == "sqlite":
        return _sqlite_utc_text
    return kind.dialect_impl(dialect).bind_processor(dialect)


def _result(kind: TypeEngine[Any], dialect: Dialect) -> Processor | None:
    if isinstance(kind, UTCDateTime) and dialect.name == "sqlite":
        return _sqlite_utc_datetime
    return kind.dialect_impl(dialect).result_processor(dialect, None)


# SQLAlchemy's own processors for `UTCDateTime` on SQLite, without their layers: the same text ("2026-11-23
# 08:00:05.000123", always with microseconds, so text order is time order) and the same aware datetimes back.
def _sqlite_utc_text(value: datetime | None) -> str | None:
    if value is None:
        return None
    # A command writes the same instant in several rows (the change, its timeline entry, who acted): formatted once.
    # Equal aware datetimes are the same instant whatever their offset, so they share a text; a naive one never
    # equals an aware one, so it is never found here and fails below.
    text = _texts.get(value)
    if text is not None:
        return text
    if value.tzinfo is UTC:  # the usual case: the text is its ISO form without the "+00:00"
        text = value.isoformat(" ", "microseconds")[:-6]
    elif value.tzinfo is None:
        raise ValueError(f"naive datetime {value!r} would be ambiguous in storage; use UTC")
    else:
        text = value.astimezone(UTC).replace(tzinfo=None).isoformat(" ", "microseconds")
    if len(_texts) >= TEXTS_KEPT:
        _texts.clear()
    _texts[value] = text
    return text


TEXTS_KEPT = 1024
_texts: dict[datetime, str] = {}


def _sqlite_utc_datetime(value: str | None) -> datetime | None:
    if value is None:
        return None
    if len(value) == 26:  # as written above: parsed with its offset, several times cheaper than `replace` after
        return datetime.fromisoformat(value + "+00:00")
    return datetime.fromisoformat(value).replace(tzinfo=UTC)


class Step:
    """One statement of a batch; its rows and row count are there once the batch has run."""

    def __init__(self, statement: ClauseElement, compiled: Compiled, params: Params | Sequence[Params]) -> None:
        self.statement = statement
        self.compiled = compiled
        self.params = params
        self.cursor: Any = None

    def run(self, driver: Any, in_process: bool = False) -> None:
        """On the driver's cursor; `in_process` (SQLite), the connection makes the cursor and runs in one call."""
        compiled, params = self.compiled, self.params
        bind = compiled.bind or compiled.parameters
        runner = driver if in_process else driver.cursor()
        if isinstance(params, dict):
            cursor = runner.execute(compiled.sql, bind(params))
        elif len(params) == 1:  # the usual case, and cheaper than a one-row executemany
            cursor = runner.execute(compiled.sql, bind(params[0]))
        else:
            cursor = runner.executemany(compiled.sql, [bind(p) for p in params])
        # sqlite3's connection answers with the cursor it made; psycopg's cursor.executemany answers None.
        self.cursor = cursor if in_process else runner

    def all(self) -> list[Any]:
        return self.compiled.rows(self.cursor.fetchall())

    def first(self) -> Any:
        # Read to the end: an SQLite statement left with rows pending would stay active in the transaction.
        rows = self.all()
        return rows[0] if rows else None

    @property
    def rowcount(self) -> int:
        count: int = self.cursor.rowcount
        return count


class Batch:
    """Statements that do not depend on each other's results: one round trip on PostgreSQL."""

    def __init__(self, connection: Connection) -> None:
        self.connection = connection
        self.dialect = connection.dialect
        self.steps: list[Step] = []
        self.writes = False  # whether a step inserts, updates or deletes

    def add(self, statement: ClauseElement, params: Params | Sequence[Params], columns: Sequence[str] = ()) -> Step:
        """Adds a statement; a list of parameter sets runs it once per set. Nothing runs before `run`."""
        step = Step(statement, compiled(statement, self.dialect, columns), params)
        self.steps.append(step)
        if isinstance(statement, UpdateBase):
            self.writes = True
        return step

    def run(self) -> None:
        steps, self.steps = self.steps, []
        if not steps:
            return
        writes, self.writes = self.writes, False
        connection = self.connection
        if not connection.in_transaction():
            # Begun in SQLAlchemy (nothing is sent: the driver begins on the server with the first statement), so what
            # runs here belongs to the transaction that `Connection.commit` or `rollback` ends.
            connection.begin()
        if writes:
            before_writing(connection)
        driver: Any = connection.connection.driver_connection
        postgres = connection.dialect.name == "postgresql"
        if watched(connection.engine):
            noted(connection.engine, [s.compiled.sql for s in steps], pipelined=postgres)
        step = steps[0]
        try:
            if postgres:
                with driver.pipeline():
                    for step in steps:
                        step.run(driver)
            else:
                for step in steps:
                    step.run(driver, in_process=True)
        except connection.dialect.loaded_dbapi.Error as error:
            dead = connection.dialect.is_disconnect(error, driver, step.cursor)
            if dead:
                connection.invalidate(error)
            raise DBAPIError.instance(
                step.compiled.sql, None, error, connection.dialect.loaded_dbapi.Error, connection_invalidated=dead
            ) from error


def run_one(
    connection: Connection, statement: ClauseElement, params: Params | Sequence[Params], columns: Sequence[str] = ()
) -> Step:
    batch = Batch(connection)
    step = batch.add(statement, params, columns)
    batch.run()
    return step
