"""Slow work that runs after Slack got its acknowledgement: a bounded queue drained by a few workers."""

from __future__ import annotations

import asyncio
import logging
import math
import time
from collections.abc import Awaitable, Callable, Coroutine, Iterator
from contextlib import contextmanager
from typing import Any, Generic, TypeVar

log = logging.getLogger(__name__)

T = TypeVar("T")

# Workers running side by side: one runs a batch through the core (a thread) while another answers the last one
# (the Web API); more would only take turns from the acknowledgements, which share the event loop and the cores.
WORKERS = 2
# Requests waiting at most, those about to be queued included. Each is a few small objects, so memory stays flat
# under any burst; past this requests wait in the inbox, and `bot.backlog` runs them from there.
CAPACITY = 1000
# An acknowledgement this recent (seconds) means more are coming: the work keeps to its share (`Answers`).
RECENT = 0.05
# Requests a worker takes at once: one trip to the core's thread and one transaction for all of them (`bot.batch`),
# their answers sent side by side.
BATCH = 100


class BackgroundWork(Generic[T]):
    """Work started after an ack, in arrival order, by at most `workers` tasks; urgent work runs at once.

    Requests get a place (`reserve`, then `put`; `offer` does both) and run in batches by `run_batch`, in arrival
    order.
    Acknowledgements come first, since Slack gives up on a request after 3 seconds, but nothing waits on them: a
    worker yields to the event loop between batches, and the core runs in a thread. When `capacity` items wait,
    the queue refuses more: a caller `reserve`s a place before it acknowledges a request, and writes it down for
    the backlog (`bot.backlog`) when there is none. Urgent work (opening a modal, whose trigger expires after 3
    seconds) never queues. Workers exist only while there is work, so nothing is left running once the queue is
    empty.
    """

    def __init__(self, run_batch: Callable[[list[T]], Awaitable[None]], workers: int = WORKERS,
                 capacity: int = CAPACITY, batch: int = BATCH) -> None:
        self.run_batch = run_batch
        self.workers = workers
        self.capacity = capacity
        self.batch = batch
        self.queue: asyncio.Queue[T] = asyncio.Queue()  # bounded by `reserve`
        self.reserved = 0  # places promised to requests being acknowledged
        self.tasks: set[asyncio.Task[Any]] = set()  # urgent work and workers, kept referenced until done
        self.running = 0  # workers alive
        self.refused = 0  # items refused since start: left to the backlog
        # Requests being acknowledged right now, and when the last one was (the HTTP and Socket Mode routes).
        self.acknowledging = 0
        self.acknowledged_at = -math.inf

    @contextmanager
    def acknowledgement(self) -> Iterator[None]:
        """Around the acknowledgement of a request, so the work behind them knows they keep coming."""
        self.acknowledging += 1
        try:
            yield
        finally:
            self.acknowledging -= 1
            self.acknowledged_at = time.monotonic()

    def acknowledgements_coming(self) -> bool:
        """One is in progress, or one ended a moment ago: between two requests of a burst, none may be in flight."""
        return self.acknowledging > 0 or time.monotonic() - self.acknowledged_at < RECENT

    @property
    def waiting(self) -> int:
        return self.queue.qsize()

    def reserve(self) -> bool:
        """A place for a request about to be acknowledged, then `put`; False when the queue is full."""
        if self.queue.qsize() + self.reserved >= self.capacity:
            self.refused += 1
            return False
        self.reserved += 1
        return True

    def offer(self, item: T) -> bool:
        """Queues a request for `run_batch`; False when the queue is full and it was not taken."""
        if not self.reserve():
            return False
        self.put(item)
        return True

    def put(self, item: T) -> None:
        """Queues a request in the place `reserve` kept for it."""
        self.reserved -= 1
        self.queue.put_nowait(item)
        if self.running < self.workers:
            self.running += 1
            self._keep(asyncio.ensure_future(self._worker()))

    def spawn(self, work: Coroutine[Any, Any, Any], urgent: bool = True) -> None:
        """Starts urgent work at once (a modal to open, a start-up check); requests are queued with `reserve` and `put`."""
        assert urgent, "only urgent work is spawned: requests are offered to the bounded queue"
        self._keep(asyncio.ensure_future(work))

    async def _worker(self) -> None:
        try:
            while not self.queue.empty():
                items = [self.queue.get_nowait()]
                while len(items) < self.batch and not self.queue.empty():
                    items.append(self.queue.get_nowait())
                try:
                    await self.run_batch(items)
                except Exception:
                    log.exception("work after the acknowledgement failed")
                finally:
                    for _ in items:
                        self.queue.task_done()
                # One turn for whatever else is ready (acknowledgements above all) before the next batch.
                await asyncio.sleep(0)
        finally:
            self.running -= 1

    def _keep(self, task: asyncio.Task[Any]) -> None:
        # asyncio only holds weak references to tasks.
        self.tasks.add(task)
        task.add_done_callback(self._done)

    def _done(self, task: asyncio.Task[Any]) -> None:
        self.tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("work after the acknowledgement failed", exc_info=task.exception())

    async def emptied(self) -> None:
        """Waits until every request queued or promised a place has run."""
        while True:
            await self.queue.join()
            if not self.reserved:
                return
            await asyncio.sleep(0.01)

    async def drain(self, timeout: float = 10.0) -> None:
        """Waits until every queued and started job, and those they started, are done (or `timeout` passed)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while (self.tasks or not self.queue.empty()) and loop.time() < deadline:
            if self.tasks:
                await asyncio.wait(set(self.tasks), timeout=deadline - loop.time())
            else:
                await asyncio.sleep(0)
