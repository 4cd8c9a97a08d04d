"""Recovery: accepted requests that no live process holds run at once, in batches, straight through the core.

A door holds the requests it accepted (a lease in the inbox) and this renews those leases while they wait or
run. At start-up it takes every request nobody holds (on SQLite: every unfinished one) and runs them batch after
batch; afterwards a sweep now and then takes those whose lease lapsed (a process died, or a run failed), runs
them once more and gives them up.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence

from bot import commands as c
from bot import telemetry
from bot.batch import dispatch_together
from bot.ports import AcceptedRequest
from bot.replies import Reply
from bot.service import CrisisService

log = logging.getLogger(__name__)

RunBatch = Callable[[Sequence[AcceptedRequest]], Awaitable[None]]

BATCH = 100
# Several incidents' cards are refreshed side by side; one incident's in order, so they end on its latest state.
BROADCASTS_AT_ONCE = 8


class Recovery:
    def __init__(self, service: CrisisService, platform: str, run_batch: RunBatch, batch: int = BATCH,
                 sweep_every: float = 5.0) -> None:
        self.service = service
        self.platform = platform
        self.run_batch = run_batch
        self.batch = batch
        self.sweep_every = sweep_every
        self.renew_every = service.dispatcher.lease.total_seconds() / 3
        # Requests this process accepted or claimed and has not finished running: their leases are renewed.
        self.running: set[str] = set()
        self.task: asyncio.Future[tuple[None, None]] | None = None
        self.sweeps = 0  # sweeps done in the background, the start-up recovery included

    def hold(self, request_id: str) -> None:
        self.running.add(request_id)

    def release(self, request_id: str) -> None:
        self.running.discard(request_id)

    async def renew(self) -> None:
        if self.running:
            await asyncio.to_thread(self.service.dispatcher.renew, sorted(self.running))

    async def recover(self, starting: bool = False, backlog: bool = False) -> int:
        """Claims and runs batch after batch until nothing claimable is left; how many requests it ran.

        `backlog`: claiming for `bot.backlog`, whose requests were left unheld on purpose, not lost."""
        dispatcher = self.service.dispatcher
        ran = 0
        while True:
            claimed = await asyncio.to_thread(dispatcher.claim, self.platform, self.batch, starting)
            # Already running here (its renewal was late): not twice in one process.
            fresh = [r for r in claimed if r.request_id not in self.running]
            if fresh:
                if backlog:
                    log.debug("running %d requests from the backlog", len(fresh))
                else:
                    log.warning("running %d requests again: acknowledged but never answered", len(fresh))
                ids = [r.request_id for r in fresh]
                self.running.update(ids)
                try:
                    await self.run_batch(fresh)
                except Exception:
                    log.exception("a batch of recovered requests failed")
                # Once is enough: a request that fails again is not retried every sweep (the failure is logged).
                await asyncio.to_thread(dispatcher.finish, ids)
                self.running.difference_update(ids)
                ran += len(fresh)
            if len(claimed) < self.batch:
                return ran

    def start(self) -> None:
        """In the background: the start-up recovery, then sweeps, with the leases renewed all along."""
        self.task = asyncio.ensure_future(asyncio.gather(self._renewing(), self._sweeping()))

    async def stop(self) -> None:
        if self.task is not None:
            self.task.cancel()
            await asyncio.gather(self.task, return_exceptions=True)
            self.task = None

    async def _renewing(self) -> None:
        while True:
            await asyncio.sleep(self.renew_every)
            try:
                await self.renew()
            except Exception:
                log.exception("could not renew the leases on accepted requests; will try again")

    async def _sweeping(self) -> None:
        starting = True
        while True:
            try:
                await self.recover(starting)
                starting = False
                self.sweeps += 1
            except Exception:
                log.exception("the recovery sweep failed; it will try again")
            await asyncio.sleep(self.sweep_every)


async def run_many(
    service: CrisisService, work: Sequence[tuple[c.Command, c.Origin]], with_cards: bool = True
) -> list[Reply]:
    """Runs commands in one trip off the event loop and one transaction (`bot.batch`), then broadcasts what they
    changed. The replies carry the refreshed cards unless not `with_cards` (`CrisisService.answer`).

    One trip and one commit for the batch, not one of each per command: requests run as fast as the core does,
    without waiting for turns behind new acknowledgements.
    """
    outcomes = await asyncio.to_thread(dispatch_together, service.dispatcher, work)
    replies = [outcome.reply for outcome in outcomes]
    by_incident: dict[str, list[int]] = {}
    for n, outcome in enumerate(outcomes):
        if outcome.incident is not None and outcome.events:
            by_incident.setdefault(outcome.incident.key, []).append(n)
        elif outcome.alerts:  # a weak-signal alert card to update, on no incident
            by_incident.setdefault(f"alerts:{n}", []).append(n)
        elif outcome.deliveries:  # a template's card, outside any incident (`bot.handlers_frontline`)
            by_incident.setdefault("", []).append(n)
        elif outcome.refused and work[n][1].card is not None:  # a refused click: its card put back (`bot.redraw`)
            by_incident.setdefault(f"clicked:{n}", []).append(n)
    turns = asyncio.Semaphore(BROADCASTS_AT_ONCE)

    async def answer_in_order(positions: list[int]) -> None:
        async with turns:
            for n in positions:
                telemetry.about(*work[n])
                replies[n] = await service.answer(outcomes[n], work[n][1], with_cards)  # logs its own failures
                await asyncio.sleep(0)  # a turn for the acknowledgements waiting, between two broadcasts

    await asyncio.gather(*(answer_in_order(positions) for positions in by_incident.values()))
    return replies

