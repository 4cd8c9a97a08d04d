"""Slack door: `/crisis`, @mentions, cards and buttons, over HTTP (POST /slack/events) or Socket Mode."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING

import aiohttp
from aiohttp import web

from adapters.runtime import Runtime
from adapters.server import DoorStatus, StartupError

if TYPE_CHECKING:
    from adapters.slack.app import SlackDoor

log = logging.getLogger("crisisbot.slack")

# Typed without importing the door at start-up: Bolt is loaded only when Slack is configured.
SLACK_DOOR: web.AppKey[SlackDoor] = web.AppKey("slack_door")
# The event loop releases the GIL at every socket call; while the core runs a batch in its thread (pure Python, CPU
# bound), each time the loop wants the GIL back it waits up to the switch interval, 5 ms by default, so a burst
# of acknowledgements crawled at one socket call per 5 ms. A shorter interval gives the loop its turn sooner.
GIL_SWITCH_INTERVAL = 0.001


def install(app: web.Application, runtime: Runtime) -> DoorStatus:
    from adapters.slack.config import SlackConfig, SlackConfigError

    config = SlackConfig.from_env(runtime.env)
    try:
        off = config.off_reason()
    except SlackConfigError as error:
        raise StartupError(f"Slack: {error}") from None
    if off:
        return DoorStatus(False, off)

    import sys

    from adapters.slack.app import SlackDoor
    from adapters.slack.http import SignatureCheck, events_handler, oauth_handler
    from adapters.slack.socket_mode import socket_mode_context

    stores = None
    if config.oauth:
        try:
            from adapters.slack.oauth import oauth_stores
        except ImportError as error:
            # slack_sdk's SQLAlchemy installation store imports sqlalchemy.ext.asyncio, which needs greenlet.
            raise StartupError(f"Slack OAuth (SLACK_CLIENT_ID) needs a package that is not installed: {error}") from None
        stores = oauth_stores(config)
    sys.setswitchinterval(min(sys.getswitchinterval(), GIL_SWITCH_INTERVAL))
    door = SlackDoor(runtime, config, stores.settings if stores else None, stores.conversations if stores else None)
    runtime.add_gateway(door.gateway)
    app[SLACK_DOOR] = door
    if config.socket_mode:
        app.cleanup_ctx.append(socket_mode_context(door))
    else:
        app.router.add_post("/slack/events", events_handler(door, SignatureCheck(config.signing_secret)))
        if door.bolt.oauth_flow is not None:
            app.router.add_get(door.bolt.oauth_flow.install_path, oauth_handler(door))
            app.router.add_get(door.bolt.oauth_flow.redirect_uri_path, oauth_handler(door))

    async def web_api_session(_: web.Application) -> AsyncIterator[None]:
        # One pooled HTTP session for every Web API call: a new connection per call costs more than the call.
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30)) as session:
            door.client.session = session
            # At once what a dead process left, then now and then what a lapsed lease frees (see bot.recovery).
            door.recovery.start()
            if config.bot_token:  # one workspace, one token: its announce channel can be checked now
                door.work.spawn(door.gateway.check_announce_channel(), urgent=True)
            yield
            await door.backlog.stop()
            await door.recovery.stop()
            await door.work.drain()
            door.client.session = None

    app.cleanup_ctx.insert(0, web_api_session)
    return DoorStatus(True, config.describe())
