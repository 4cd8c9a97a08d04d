"""Signals from outside a conversation (POST /signals, feeds, imports): recorded in one transaction, alerts sent."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from bot import events as ev
from bot.commands import Origin
from bot.errors import ConcurrentChange
from bot.handlers import Outcome
from bot.ports import ChatGateway
from bot.replies import Reply
from bot.service import CrisisService, Dispatcher
from bot.signals import watch
from bot.signals.crisis import with_volume
from bot.signals.delivery import deliver
from bot.signals.model import Signal


@dataclass
class SignalIntake:
    # The Dispatcher: its units of work, settings and clock, and where cards were posted.
    dispatcher: Dispatcher
    gateways: Mapping[str, ChatGateway]
    attempts: int = 3
    # Where cards of the crises the signals joined are refreshed (their volume line); None: not refreshed.
    service: CrisisService | None = None
    # One batch judged at a time in this process: two batches committed side by side would each count only their
    # own signals in the window, and a spike they make together would go unseen until the next signal.
    lock: threading.Lock = field(default_factory=threading.Lock)
    # Batches delivered in the order they were judged: a batch updating an alert whose first post is still on its
    # way would find no message to update and post the alert a second time.
    delivering: asyncio.Lock = field(default_factory=asyncio.Lock)

    def record(self, signals: Sequence[Signal]) -> watch.Recorded:
        """Stores and judges a batch; a concurrent batch that won a race (same id, same new alert) means try again."""
        with self.lock:
            return self._record(signals)

    def _record(self, signals: Sequence[Signal]) -> watch.Recorded:
        for attempt in range(self.attempts):
            try:
                with self.dispatcher.uow_factory() as uow:
                    recorded = watch.record(uow, signals, self.dispatcher.settings, self.dispatcher.clock.now())
                    uow.commit()
                    return recorded
            except ConcurrentChange:
                if attempt == self.attempts - 1:
                    raise
        raise AssertionError("unreachable")

    async def ingest(self, signals: Sequence[Signal]) -> watch.Recorded:
        async with self.delivering:
            recorded = await asyncio.to_thread(self.record, signals)
            await deliver(self.dispatcher, self.gateways, recorded.notices)
        if self.service is not None and recorded.attached:
            for outcome in await asyncio.to_thread(self._crises, recorded.attached):
                # Coalesced by the refresher: a burst of signals costs one card update per window.
                await self.service.broadcast(outcome, Origin("watch", "watch", "watch"))
        return recorded

    def _crises(self, attached: Sequence[tuple[str, int]]) -> list[Outcome]:
        """The crises that got signals, with their volume, as a broadcast needs them."""
        outcomes = []
        with self.dispatcher.uow_factory() as uow:
            for key, count in attached:
                incident = uow.incidents.get(key)
                if incident is None:
                    continue
                with_volume(incident, uow.signals, self.dispatcher.clock.now())
                places = frozenset((c.platform, c.id) for c in incident.places)
                outcomes.append(Outcome(Reply(), incident, [ev.SignalsAttached(count)],
                                        uow.cards.in_conversations(places), places))
        return outcomes

