"""The clock that wakes the core: APScheduler runs one trampoline job that asks the core what is due.

Nothing about the schedule lives here. The database holds when each update and approval is due, so a
restart loses nothing, and an overdue reminder fires once when the process comes back. Every replica may
run this: recording a reminder is guarded by the incident's version, delivery by claims on the outbox.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime, timedelta

from aiohttp import web
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.interval import IntervalTrigger

from adapters.retention import Pruner
from adapters.runtime import Runtime
from bot.config import parse_duration
from bot.ports import Clock
from bot.reminders import Courier, Reminders, WakeResult

log = logging.getLogger("crisisbot.scheduler")

DEFAULT_TICK = timedelta(seconds=1)


class Scheduler:
    def __init__(self, runtime: Runtime, tick: timedelta | None = None, clock: Clock | None = None) -> None:
        factory = runtime.uow_factory
        self.clock = clock or runtime.dispatcher.clock
        self.reminders = Reminders(factory, runtime.settings)
        # The runtime's own dict: a door registered after start is served too.
        self.courier = Courier(factory, runtime.gateways)
        self.tick = tick or parse_duration(runtime.env.get("CRISISBOT_SCHEDULER_TICK", "1s")) or DEFAULT_TICK
        self._apscheduler: AsyncIOScheduler | None = None
        self.pruner = Pruner.for_runtime(runtime, self.clock)  # None when CRISISBOT_RETENTION=off
        self._inflight: asyncio.Task[None] | None = None
        self._lock = asyncio.Lock()

    async def wake(self) -> tuple[WakeResult, int]:
        """One wake-up: record what came due, then deliver the outbox. Overlapping wake-ups are serialized."""
        async with self._lock:
            # What is to be sent is claimed in the transaction that records the reminders.
            result = await asyncio.to_thread(self.reminders.wake, self.clock.now(), self.courier.terms())
            delivered = await self.courier.deliver(self.clock.now, result.claimed)
            return result, delivered

    async def _trampoline(self) -> None:
        """Starts a wake-up as our own task, unless one still runs, and returns at once.

        APScheduler cancels unfinished jobs when it shuts down; owning the task lets `stop` wait for a
        delivery in flight instead of cutting it off between the send and the outbox's record of it.
        """
        if self._inflight is None or self._inflight.done():
            self._inflight = asyncio.create_task(self._logged_wake())

    async def _logged_wake(self) -> None:
        try:
            await self.wake()
        except Exception:  # a failed wake-up is logged; the next tick tries again from the database
            log.exception("scheduler wake-up failed")

    @property
    def running(self) -> bool:
        return self._apscheduler is not None

    async def start(self) -> None:
        if self._apscheduler is not None:
            return
        self._apscheduler = AsyncIOScheduler()
        self._apscheduler.add_job(
            self._trampoline, IntervalTrigger(seconds=self.tick.total_seconds()), id="crisisbot-wake",
            coalesce=True, max_instances=1, misfire_grace_time=None,
            # Catch up at once on what came due while the process was down, rather than one tick later.
            next_run_time=datetime.now(UTC),
        )
        if self.pruner is not None:
            self.pruner.schedule(self._apscheduler)
        self._apscheduler.start()
        log.info("scheduler started, waking every %ss", self.tick.total_seconds())

    async def stop(self) -> None:
        if self._apscheduler is None:
            return
        self._apscheduler.shutdown(wait=False)
        self._apscheduler = None
        if self._inflight is not None:
            await self._inflight


SCHEDULER = web.AppKey("scheduler", Scheduler)


def install(app: web.Application, runtime: Runtime) -> None:
    if runtime.env.get("CRISISBOT_SCHEDULER", "on").lower() in ("off", "0", "false", "no"):
        log.warning("scheduler is off (CRISISBOT_SCHEDULER=off): no reminders from this process")
        return
    scheduler = Scheduler(runtime)
    app[SCHEDULER] = scheduler

    async def start(_: web.Application) -> None:
        await scheduler.start()

    async def stop(_: web.Application) -> None:
        await scheduler.stop()

    app.on_startup.append(start)
    app.on_cleanup.append(stop)
