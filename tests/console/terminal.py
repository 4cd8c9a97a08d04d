"""A console session on in-memory storage and a fake clock, recording every printed line."""

from __future__ import annotations

import asyncio

from adapters.console.session import ConsoleSession
from adapters.runtime import Runtime
from bot.config import Settings
from bot.ports import ChatGateway
from bot.reminders import Courier, Reminders
from bot.service import CrisisService, Dispatcher
from tests.fakes import FakeClock, FakeUnitOfWork, Store


class Terminal:
    def __init__(self, language: str = "en", settings: Settings | None = None) -> None:
        self.settings = settings or Settings(language=language, roster={"comms": ("bob", "bea"), "legal": ("carol",)})
        self.store = Store()
        self.clock = FakeClock()
        dispatcher = Dispatcher(self.uow, self.settings, self.clock)
        gateways: dict[str, ChatGateway] = {}
        self.runtime = Runtime(
            {}, self.settings, dispatcher, CrisisService(dispatcher, gateways), gateways, uow_factory=self.uow
        )
        self.out: list[str] = []
        self.session = ConsoleSession(self.runtime, self.out.append, "alice", "salle-de-crise")
        self.session.language = language
        self.reminders = Reminders(self.uow, self.settings)
        self.courier = Courier(self.uow, gateways)

    def uow(self) -> FakeUnitOfWork:
        return FakeUnitOfWork(self.store)

    def type(self, line: str) -> list[str]:
        """What the session prints for one typed line."""
        self.out.clear()
        asyncio.run(self.session.handle(line))
        return list(self.out)

    def wake(self, **advance: float) -> list[str]:
        """What one scheduler wake-up prints after the clock moved on."""
        self.out.clear()
        self.clock.advance(**advance)
        self.reminders.wake(self.clock.now())
        asyncio.run(self.courier.deliver(self.clock.now))
        return list(self.out)
