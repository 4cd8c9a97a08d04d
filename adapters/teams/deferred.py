"""The Teams door standing in for itself until something needs it.

The Bot Framework SDK costs some 25 MB of memory. Without MICROSOFT_APP_ID the door is the unauthenticated one kept
for local testing, and a server that only speaks to Slack would carry the SDK for nothing; so the door is built at
its first use: a request on its route, or a message the core sends to Teams (a conversation linked in an earlier run).
Building happens on the event loop, once, and takes a few tenths of a second.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from aiohttp import web

from adapters.runtime import Runtime
from adapters.teams.settings import TeamsSettings
from bot.model import Incident
from bot.replies import Card, Reply, Room

if TYPE_CHECKING:
    from adapters.teams.door import TeamsDoor


class DeferredDoor:
    def __init__(self, runtime: Runtime, settings: TeamsSettings) -> None:
        self.runtime = runtime
        self.settings = settings
        self._door: TeamsDoor | None = None

    def door(self) -> TeamsDoor:
        if self._door is None:
            from adapters.teams.door import build  # the SDK is loaded here, with the modules of the door

            self._door = build(self.runtime, self.settings)
        return self._door

    async def handle(self, request: web.Request) -> web.Response:
        return await self.door().handle(request)

    async def close(self, _: web.Application) -> None:
        if self._door is not None:
            await self._door.close()


class DeferredGateway:
    """The core's Teams gateway from the start (so Teams places are served and its outbox is claimed)."""

    platform = "teams"

    def __init__(self, door: DeferredDoor) -> None:
        self._door = door

    async def post(self, conversation: str, reply: Reply) -> str | None:
        return await self._door.door().gateway.post(conversation, reply)

    async def update(self, conversation: str, message_ref: str, card: Card) -> None:
        await self._door.door().gateway.update(conversation, message_ref, card)

    async def notify(self, person: str, reply: Reply) -> None:
        await self._door.door().gateway.notify(person, reply)

    async def open_room(self, incident: Incident, members: Sequence[str]) -> Room | None:
        return await self._door.door().gateway.open_room(incident, members)
