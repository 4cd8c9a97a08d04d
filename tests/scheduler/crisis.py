"""A crisis driven one message at a time, plus the scheduler's wake-ups on a fake clock."""

from __future__ import annotations

import asyncio
from datetime import datetime

from bot.config import Settings
from bot.model import Incident
from bot.reminders import Courier, Reminders, WakeResult
from bot.replies import Reply
from tests.fakes import FakeClock, FakeGateway, FakeUnitOfWork, Store
from tests.harness import Harness


class Crisis:
    def __init__(self, settings: Settings | None = None, at: datetime | None = None) -> None:
        self.store = Store()
        self.settings = settings or Settings()
        self.clock = FakeClock(at) if at else FakeClock()
        self.harness = Harness(self.settings, self.uow, self.clock)
        self.gateway: FakeGateway = self.harness.gateway
        self.reminders = Reminders(self.uow, self.settings)
        self.courier = Courier(self.uow, {"console": self.gateway})

    def uow(self) -> FakeUnitOfWork:
        return FakeUnitOfWork(self.store)

    def say(self, text: str, person: str = "alice", conversation: str = "war-room") -> Reply:
        return self.harness.say(text, person=person, conversation=conversation)

    def incident(self, key: str = "CRI-1") -> Incident:
        return self.harness.incident(key)

    def wake(self, **advance: float) -> WakeResult:
        """Moves the clock on, then does what one scheduler wake-up does; returns what was recorded."""
        if advance:
            self.clock.advance(**advance)
        result = self.reminders.wake(self.clock.now())
        asyncio.run(self.courier.deliver(self.clock.now))
        return result

    def reminders_posted(self) -> list[Reply]:
        return [s.reply for s in self.gateway.posts if s.reply is not None and _is_reminder(s.reply)]

    def direct(self) -> list[tuple[str, str]]:
        return [(person, reply.text) for person, reply in self.gateway.direct]


def _is_reminder(reply: Reply) -> bool:
    return any(card.id.startswith("checkin:") for card in reply.cards) or " for approval; it is held by " in reply.text
