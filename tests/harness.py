"""Drives the core the way a door does, so a behaviour test is one line per message."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from bot.commands import Origin
from bot.config import Settings
from bot.grammar import parse
from bot.model import Incident
from bot.ports import UnitOfWork
from bot.replies import Reply
from bot.service import CrisisService, Dispatcher
from tests.fakes import FakeClock, FakeGateway, FakeUnitOfWork, Store


class Harness:
    def __init__(
        self,
        settings: Settings | None = None,
        uow_factory: Callable[[], UnitOfWork] | None = None,
        clock: FakeClock | None = None,
    ) -> None:
        self.store = Store()
        self.clock = clock or FakeClock()
        self.settings = settings or Settings()
        self.gateway = FakeGateway("console")
        factory = uow_factory or (lambda: FakeUnitOfWork(self.store))
        self.dispatcher = Dispatcher(factory, self.settings, self.clock)
        self.service = CrisisService(self.dispatcher, {"console": self.gateway})
        self.person = "alice"
        self.conversation = "general"
        self.language: str | None = None

    def say(
        self, text: str, person: str | None = None, conversation: str | None = None, request_id: str | None = None
    ) -> Reply:
        origin = Origin(person or self.person, "console", conversation or self.conversation, self.language, request_id)
        return asyncio.run(self._say(text, origin))

    async def _say(self, text: str, origin: Origin) -> Reply:
        # What the refresher holds back for its window is sent before the test reads the gateway.
        reply = await self.service.handle(parse(text), origin)
        await self.service.drain()
        return reply

    def incident(self, key: str = "CRI-1") -> Incident:
        with self.dispatcher.uow_factory() as uow:
            found = uow.incidents.get_whole(key)
        assert found is not None, f"{key} not stored"
        return found
