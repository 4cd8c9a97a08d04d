"""Socket Mode: the same Bolt app, fed by a WebSocket Slack opens to us instead of HTTP requests (no public URL)."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable

from aiohttp import web
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler

from adapters.slack.app import SlackDoor

log = logging.getLogger("crisisbot.slack")


def socket_mode_context(door: SlackDoor) -> Callable[[web.Application], AsyncIterator[None]]:
    """An aiohttp cleanup context: connect when the server starts, disconnect when it stops."""

    async def connect(app: web.Application) -> AsyncIterator[None]:
        handler = AsyncSocketModeHandler(door.bolt, app_token=door.config.app_token, web_client=door.client)
        await handler.connect_async()
        log.info("slack: connected in Socket Mode")
        yield
        await handler.close_async()
        await door.work.drain()

    return connect
