"""Slow work that runs after Slack got its acknowledgement: a bounded queue drained by a few workers."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine
from typing import Any

log = logging.getLogger(__name__)

# Workers running jobs side by side: enough to overlap the core's thread trips with the Web API calls, few enough
# that acknowledgements (which share the event loop and the 2 cores) keep their turn.
WORKERS = 4
# Jobs waiting at most. Each holds a request (a few KB), so memory stays flat under any burst; past this the
# request is left to the recovery sweep, which runs it from the inbox (see `SlackDoor.take`).
CAPACITY = 1000


class BackgroundWork:
    """Jobs started after an ack, run in arrival order by at most `workers` tasks; urgent ones run at once.

    Acknowledgements come first, since Slack gives up on a request after 3 seconds, but nothing waits on them:
    a worker yields to the event loop between jobs, so an acknowledgement ready to go is never behind more than
    one job step per worker. When `capacity` jobs wait, `spawn` refuses the job (it returns False, the coroutine
    is closed unrun): the caller has already acknowledged and written the request down, and leaves it to recovery.
    Urgent work (opening a modal, whose trigger expires after 3 seconds) never queues. Workers exist only while
    there is work, so nothing is left running once the queue is empty.
    """

    def __init__(self, workers: int = WORKERS, capacity: int = CAPACITY) -> None:
        self.workers = workers
        self.capacity = capacity
        self.queue: asyncio.Queue[Coroutine[Any, Any, Any]] = asyncio.Queue(capacity)
        self.tasks: set[asyncio.Task[Any]] = set()  # urgent jobs and workers, kept referenced until done
        self.running = 0  # workers alive
        self.refused = 0  # jobs refused since start: left to recovery
        # Requests being acknowledged right now (counted by the HTTP and Socket Mode routes): informative only.
        self.acknowledging = 0

    @property
    def waiting(self) -> int:
        return self.queue.qsize()

    def spawn(self, work: Coroutine[Any, Any, Any], urgent: bool = False) -> bool:
        """Queues the job (or starts it, if urgent); False when the queue is full and the job was dropped."""
        if urgent:
            self._keep(asyncio.ensure_future(work))
            return True
        try:
            self.queue.put_nowait(work)
        except asyncio.QueueFull:
            work.close()  # never awaited: closed, so no "never awaited" warning and its frame is freed now
            self.refused += 1
            return False
        if self.running < self.workers:
            self.running += 1
            self._keep(asyncio.ensure_future(self._worker()))
        return True

    async def _worker(self) -> None:
        try:
            while not self.queue.empty():
                work = self.queue.get_nowait()
                try:
                    await work
                except Exception:
                    log.exception("work after the acknowledgement failed")
                finally:
                    self.queue.task_done()
                # One turn for whatever else is ready (acknowledgements above all) before the next job.
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

    async def drain(self, timeout: float = 10.0) -> None:
        """Waits until every queued and started job, and those they started, are done (or `timeout` passed)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while (self.tasks or not self.queue.empty()) and loop.time() < deadline:
            if self.tasks:
                await asyncio.wait(set(self.tasks), timeout=deadline - loop.time())
            else:
                await asyncio.sleep(0)
