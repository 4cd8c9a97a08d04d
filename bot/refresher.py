"""Coalesced card refreshes: a burst of changes on one incident costs a few card updates, not one per change.

One slot per (conversation, card) and one per (conversation, incident) for news lines. The first change of a
window goes out at once; later ones wait for the window to end and only the latest state of a card is sent (news
lines are gathered into one message). At most one send per slot is in flight. A failed send keeps its state and
is tried again later, more slowly each time, unless a newer state replaced it meanwhile.
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from bot.ports import ChatGateway
from bot.reactions import CardDelivery, NewsDelivery
from bot.replies import Reply

log = logging.getLogger(__name__)

Where = tuple[str, str, str]  # platform, conversation, card id: as `CardRefs` knows them
Lookup = Callable[[Sequence[Where]], Awaitable[Mapping[Where, str]]]
Remember = Callable[[Mapping[Where, str]], Awaitable[None]]

# Slow down after failures up to this, in seconds: the platform is throttling or unwell, not gone.
MAX_BACKOFF = 60.0
# Forget the timing of idle slots past this many, so memory follows the live conversations only.
IDLE_SLOTS_KEPT = 1000


class Timer(Protocol):
    def now(self) -> float: ...

    async def sleep(self, seconds: float) -> None: ...


class MonotonicTimer:
    def now(self) -> float:
        return time.monotonic()

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)


@dataclass
class _Slot:
    card: CardDelivery | None = None
    news: NewsDelivery | None = None
    ref: str | None = None  # where the card was posted, once known
    ready_at: float = -math.inf  # no send before this
    failures: int = 0
    task: asyncio.Task[None] | None = None
    sleeping: bool = False

    @property
    def pending(self) -> bool:
        return self.card is not None or self.news is not None

    @property
    def busy(self) -> bool:
        # A task of an event loop that has ended is done: its state is still pending and goes with the next change.
        return self.task is not None and not self.task.done()


@dataclass
class Refresher:
    gateways: Mapping[str, ChatGateway]
    lookup: Lookup
    remember: Remember
    window: float = 1.0
    timer: Timer = field(default_factory=MonotonicTimer)
    slots: dict[tuple[str, str, str], _Slot] = field(default_factory=dict)

    async def submit(self, news: Sequence[NewsDelivery], cards: Sequence[CardDelivery]) -> None:
        """Sends now what may go now (and waits for it); the rest goes when its window ends."""
        now = self.timer.now()
        due: list[tuple[str, str, str]] = []
        items: list[NewsDelivery | CardDelivery] = [*news, *cards]
        for item in items:
            key, slot = self._slot(item)
            if isinstance(item, CardDelivery):
                if slot.card is None or slot.card.version <= item.version:
                    slot.card = item
            else:
                slot.news = (
                    item
                    if slot.news is None
                    else NewsDelivery(item.conversation, item.incident, slot.news.lines + item.lines)
                )
            if slot.busy:
                continue
            if slot.ready_at <= now:
                due.append(key)
            else:
                self._later(key, slot.ready_at - now)
        if due:
            task = asyncio.ensure_future(self._send(due))
            for key in due:
                self.slots[key].task = task
            await task
        self._forget_idle()

    async def drain(self, rounds: int = 3) -> None:
        """Sends every waiting state now, window or not: for shutdown, and for tests that read the final state."""
        for _ in range(rounds):
            hurry, running = [], []
            for key, slot in self.slots.items():
                if slot.busy and slot.task is not None:
                    if slot.sleeping:
                        slot.task.cancel()
                        hurry.append(key)
                    running.append(slot.task)
                elif slot.pending:
                    hurry.append(key)
            if not hurry and not running:
                return
            await asyncio.gather(*running, return_exceptions=True)
            hurry = [key for key in hurry if self.slots[key].pending and not self.slots[key].busy]
            if hurry:
                task = asyncio.ensure_future(self._send(hurry))
                for key in hurry:
                    self.slots[key].task = task
                await task
        left = sum(slot.pending for slot in self.slots.values())
        if left:
            log.warning("%d card or news deliveries still waiting after the drain", left)

    def _slot(self, item: CardDelivery | NewsDelivery) -> tuple[tuple[str, str, str], _Slot]:
        where = item.conversation
        what = item.card_id if isinstance(item, CardDelivery) else f"news:{item.incident}"
        key = (where.platform, where.id, what)
        return key, self.slots.setdefault(key, _Slot())

    def _later(self, key: tuple[str, str, str], delay: float) -> None:
        slot = self.slots[key]
        slot.sleeping = True
        slot.task = asyncio.ensure_future(self._after(key, delay))

    async def _after(self, key: tuple[str, str, str], delay: float) -> None:
        await self.timer.sleep(delay)
        self.slots[key].sleeping = False
        await self._send([key])

    async def _send(self, keys: list[tuple[str, str, str]]) -> None:
        """One batch: the unknown card references looked up at once, then news before cards, conversation by conversation."""
        taken = {key: (self.slots[key].news, self.slots[key].card) for key in keys}
        for key in keys:
            self.slots[key].news = self.slots[key].card = None
        outcome: dict[tuple[str, str, str], bool] = {}
        posted: dict[Where, str] = {}
        cancelled = False
        try:
            unknown = [key for key in keys if taken[key][1] is not None and self.slots[key].ref is None]
            if unknown:
                for key, ref in (await self.lookup(unknown)).items():
                    self.slots[key].ref = ref
            for key in sorted(keys, key=lambda k: (k[0], k[1], taken[k][0] is None)):
                outcome[key] = await self._deliver(key, *taken[key], posted)
            if posted:
                await self.remember(posted)
        except asyncio.CancelledError:
            cancelled = True
            raise
        except Exception:
            log.exception("could not refresh cards")
        finally:
            # Reached on cancellation too (an event loop ending): nothing taken is lost.
            now = self.timer.now()
            for key in keys:
                self._settle(key, taken[key], outcome.get(key, False), now, cancelled)

    async def _deliver(
        self, key: tuple[str, str, str], news: NewsDelivery | None, card: CardDelivery | None, posted: dict[Where, str]
    ) -> bool:
        platform, conversation, _ = key
        gateway = self.gateways.get(platform)
        if gateway is None:
            return True  # a door gone since: nobody to tell
        slot = self.slots[key]
        try:
            if news is not None:
                await gateway.post(conversation, Reply(text="\n".join(news.lines), incident=news.incident))
            if card is not None:
                if slot.ref is not None:
                    await gateway.update(conversation, slot.ref, card.card)
                elif (ref := await gateway.post(conversation, Reply(cards=(card.card,)))) is not None:
                    # Remembered before the slot is free again, so the next state updates this very message.
                    slot.ref = posted[key] = ref
            return True
        except Exception:
            log.exception("could not refresh %s in %s %s", card.card_id if card else "news", platform, conversation)
            return False

    def _settle(
        self,
        key: tuple[str, str, str],
        taken: tuple[NewsDelivery | None, CardDelivery | None],
        sent: bool,
        now: float,
        cancelled: bool = False,
    ) -> None:
        slot = self.slots[key]
        slot.task, slot.sleeping = None, False
        if sent:
            slot.failures = 0
            slot.ready_at = now + self.window
        else:
            slot.failures += 1
            slot.ready_at = now + min(MAX_BACKOFF, max(self.window, 0.5) * 2 ** (slot.failures - 1))
            news, card = taken
            if card is not None and (slot.card is None or slot.card.version < card.version):
                slot.card = card  # the latest state is never lost
            if news is not None:
                lines = news.lines + (slot.news.lines if slot.news else ())
                slot.news = NewsDelivery(news.conversation, news.incident, lines)
        if slot.pending and not cancelled:
            self._later(key, max(0.0, slot.ready_at - now))
        # Cancelled (an event loop ending): the state waits for the next change or a drain.

    def _forget_idle(self) -> None:
        if len(self.slots) <= IDLE_SLOTS_KEPT:
            return
        now = self.timer.now()
        for key in [k for k, s in self.slots.items() if not s.pending and not s.busy and s.ready_at <= now]:
            del self.slots[key]
