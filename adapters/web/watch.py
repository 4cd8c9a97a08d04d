"""Notices any change to the incidents, from this process or another (the console writing to the same database).

One task per server (started with the dashboard) asks the database for a fingerprint once a second: the count of
incidents and the sum of their versions (every save of an incident bumps its version), plus the count of signals
where that table exists. Every live page shares that one query. Each change moves a generation number; a page is
rendered with the generation it shows, so a change between rendering and listening is not missed.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from typing import Any

from sqlalchemy import Engine, func, inspect, select

from bot.ports import UnitOfWork
from storage import tables

log = logging.getLogger("crisisbot.dashboard")

Fingerprint = tuple[Any, ...]
POLL_SECONDS = 1.0


def fingerprint_reader(uow_factory: Callable[[], UnitOfWork]) -> Callable[[], Fingerprint]:
    """The cheapest question that changes whenever an incident does: one aggregate query on SQL storage."""
    engine: Engine | None = getattr(uow_factory, "engine", None)
    if engine is None:
        # Storage without SQL (the tests' fakes): the same question through the port.
        def through_port() -> Fingerprint:
            with uow_factory() as uow:
                return tuple(sorted((i.key, i.version, i.events_recorded) for i in uow.incidents.list(True)))

        return through_port
    sql_engine = engine
    query = select(func.count(), func.coalesce(func.sum(tables.incidents.c.version), 0)).select_from(tables.incidents)

    def through_sql() -> Fingerprint:
        with sql_engine.connect() as connection:
            found = tuple(connection.execute(query).one())
            if "signals" in inspect(connection).get_table_names():  # added by the signal watch, when installed
                found += (connection.exec_driver_sql("SELECT count(*) FROM signals").scalar(),)
            return found

    return through_sql


class Watcher:
    def __init__(self, read: Callable[[], Fingerprint], interval: float = POLL_SECONDS) -> None:
        self.read = read
        self.interval = interval
        self.generation = 0
        self._changed = asyncio.Condition()
        self._task: asyncio.Task[None] | None = None
        self.closed = False

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._poll())

    async def next_change(self, seen: int, timeout: float) -> int:
        """Waits until the generation moves past `seen` (or `timeout` passes); returns the current generation."""
        async with self._changed:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._changed.wait_for(lambda: self.generation != seen or self.closed), timeout)
            return self.generation

    async def _poll(self) -> None:
        last: Fingerprint | None = None
        failing = False
        while not self.closed:
            current: Fingerprint | None
            try:
                current = await asyncio.to_thread(self.read)
                failing = False
            except Exception:  # a busy, restarting or still empty database: pages stay as they are until it answers
                if not failing:  # said once per outage, not every second
                    log.warning("the dashboard could not read the database", exc_info=True)
                failing = True
                current = last
            # The first answer counts as a change too: a page rendered before it may already be behind.
            if current is not None and current != last:
                async with self._changed:
                    self.generation += 1
                    self._changed.notify_all()
            last = current
            await asyncio.sleep(self.interval)

    async def close(self) -> None:
        self.closed = True
        async with self._changed:
            self._changed.notify_all()
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
