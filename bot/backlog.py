"""The backlog: requests acknowledged while the work queue was full, run from the inbox in arrival order.

Once the queue is full, every new request is written down unheld (free for the first claim) and acknowledged,
and nothing of it stays in memory; the backlog then claims and runs them, batch after batch through `Recovery`,
as soon as what was queued before them has run. New requests join the back of the backlog until it is empty, so
they still run in the order they came. Without this they would wait for the recovery sweep, after a lease that
only a dead process should need to let lapse.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from bot.recovery import Recovery

log = logging.getLogger(__name__)

# Between two claims that found nothing while a request is still being written down.
PAUSE = 0.01
# After a failed claim (the database is away): the sweep would find the requests anyway, this is sooner.
RETRY = 1.0


class Backlog:
    def __init__(self, recovery: Recovery, queued_done: Callable[[], Awaitable[Any]]) -> None:
        self.recovery = recovery
        self.queued_done = queued_done  # waits until the requests queued before the backlog began have run
        self.active = False
        self.writing = 0  # backlog requests being written down
        self.written = 0  # backlog requests written down (or failed to be) since start
        self.task: asyncio.Task[None] | None = None

    def add(self, accepting: asyncio.Future[bool]) -> None:
        """A request `accepting` writes down unheld joins the backlog, which starts running if it was not."""
        self.active = True
        self.writing += 1
        accepting.add_done_callback(self._written)
        if self.task is None or self.task.done():
            self.task = asyncio.ensure_future(self._run())

    def _written(self, _: asyncio.Future[bool]) -> None:
        self.writing -= 1
        self.written += 1

    async def _run(self) -> None:
        try:
            await self.queued_done()
            while True:
                seen = self.written
                try:
                    ran = await self.recovery.recover(backlog=True)
                except Exception:
                    log.exception("could not run the backlog of requests; will try again")
                    await asyncio.sleep(RETRY)
                    continue
                if ran == 0:
                    # Done only if no request joined since that claim began: one written meanwhile may not have
                    # been visible to it.
                    if self.writing == 0 and self.written == seen:
                        return
                    await asyncio.sleep(PAUSE)
        finally:
            self.active = False

    async def stop(self) -> None:
        if self.task is not None:
            self.task.cancel()
            await asyncio.gather(self.task, return_exceptions=True)
            self.task = None
