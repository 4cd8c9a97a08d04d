"""Slow work that runs after Slack got its acknowledgement."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine
from typing import Any

log = logging.getLogger(__name__)


class BackgroundWork:
    """Tasks started after an ack. Kept referenced (asyncio only holds weak references) and drained on shutdown.

    Acknowledgements come first, since Slack gives up on a request after 3 seconds: at most `slots` jobs run
    at once, and a job waits (up to `patience` seconds) while requests are being acknowledged. In a burst the
    work falls behind and catches up afterwards; at ordinary rates nothing waits. Urgent work (opening a modal,
    whose trigger expires after 3 seconds) never waits. Requests recovered after a crash do not come through
    here: `bot.recovery` runs them in batches, at the core's pace.
    """

    def __init__(self, slots: int = 4, patience: float = 0.5) -> None:
        self.tasks: set[asyncio.Task[Any]] = set()
        self.slots = asyncio.Semaphore(slots)
        self.patience = patience
        self.acknowledging = 0

    def spawn(self, work: Coroutine[Any, Any, Any], urgent: bool = False) -> None:
        task = asyncio.ensure_future(work if urgent else self._in_turn(work))
        self.tasks.add(task)
        task.add_done_callback(self._done)

    async def _in_turn(self, work: Coroutine[Any, Any, Any]) -> Any:
        async with self.slots:
            loop = asyncio.get_running_loop()
            until = loop.time() + self.patience
            while self.acknowledging and loop.time() < until:
                await asyncio.sleep(0.005)
            return await work

    def _done(self, task: asyncio.Task[Any]) -> None:
        self.tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("work after the acknowledgement failed", exc_info=task.exception())

    async def drain(self, timeout: float = 10.0) -> None:
        """Waits until every started task, and those they started, are done."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while self.tasks and loop.time() < deadline:
            await asyncio.wait(set(self.tasks), timeout=deadline - loop.time())
