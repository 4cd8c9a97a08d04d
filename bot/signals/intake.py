"""Signals from outside a conversation (POST /signals, feeds, imports): recorded in one transaction, alerts sent."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from bot.errors import ConcurrentChange
from bot.ports import ChatGateway
from bot.service import Dispatcher
from bot.signals import watch
from bot.signals.delivery import deliver
from bot.signals.model import Signal


@dataclass
class SignalIntake:
    # The Dispatcher: its units of work, settings and clock, and where cards were posted.
    dispatcher: Dispatcher
    gateways: Mapping[str, ChatGateway]
    attempts: int = 3
    # One batch judged at a time in this process: two batches committed side by side would each count only their
    # own signals in the window, and a spike they make together would go unseen until the next signal.
    lock: threading.Lock = field(default_factory=threading.Lock)

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
        recorded = await asyncio.to_thread(self.record, signals)
        await deliver(self.dispatcher, self.gateways, recorded.notices)
        return recorded

