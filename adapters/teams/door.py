"""The Teams door proper, on the Bot Framework SDK: the endpoint's handler and the core's gateway, built together.

Only `adapters.teams` builds it (see there when); every module that imports the SDK is reached from here.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from aiohttp import web
from botbuilder.integration.aiohttp import CloudAdapter

from adapters.runtime import DEFAULT_DATABASE_URL, Runtime
from adapters.teams.bot import CrisisTeamsBot
from adapters.teams.endpoint import authentication, messages_handler
from adapters.teams.gateway import TeamsGateway
from adapters.teams.outbound import Connector, ConversationPacer
from adapters.teams.references import Directory
from adapters.teams.settings import TeamsSettings

log = logging.getLogger("crisisbot.teams")


@dataclass(frozen=True)
class TeamsDoor:
    handle: Callable[[web.Request], Awaitable[web.Response]]
    gateway: TeamsGateway
    connector: Connector
    directory: Directory

    async def close(self) -> None:
        await self.connector.close()
        self.directory.engine.dispose()


def build(runtime: Runtime, settings: TeamsSettings) -> TeamsDoor:
    auth = authentication(settings)
    adapter = CloudAdapter(auth)

    async def on_turn_error(turn_context: object, error: Exception) -> None:
        log.error("Teams turn failed: %s", error, exc_info=error)

    adapter.on_turn_error = on_turn_error
    directory = Directory.from_url(runtime.env.get("DATABASE_URL", DEFAULT_DATABASE_URL))
    connector = Connector(auth, settings.app_id, ConversationPacer(settings.messages_per_second))
    gateway = TeamsGateway(connector, directory, runtime.settings.language)
    bot = CrisisTeamsBot(runtime, gateway, directory)
    return TeamsDoor(messages_handler(adapter, bot), gateway, connector, directory)
