"""`POST /api/messages`: the Bot Framework endpoint and its authentication (the settings are in `settings`).

The request is handed to `CloudAdapter.process_activity` rather than `CloudAdapter.process`: in botbuilder
4.17.1 `process` serializes an invoke response body that the SDK already serialized, and answers 500 to every
`adaptiveCard/action`. Here the body goes out as it is, once.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from types import SimpleNamespace

from aiohttp import web
from botbuilder.core import Bot
from botbuilder.integration.aiohttp import CloudAdapter, ConfigurationBotFrameworkAuthentication

from adapters.inbound import Malformed, shown
from adapters.teams import inbound
from adapters.teams.settings import TeamsSettings
from adapters.teams.tokens import CheckTimedOut, TokenChecks

log = logging.getLogger(__name__)


def authentication(settings: TeamsSettings) -> ConfigurationBotFrameworkAuthentication:
    # The SDK reads these attribute names from its "configuration" object.
    configuration = SimpleNamespace(
        APP_ID=settings.app_id or None, APP_PASSWORD=settings.app_password or None, APP_TYPE=settings.app_type,
        APP_TENANTID=settings.tenant_id or None,
    )
    return ConfigurationBotFrameworkAuthentication(configuration)


def messages_handler(adapter: CloudAdapter, bot: Bot) -> Callable[[web.Request], Awaitable[web.Response]]:
    auth = adapter.bot_framework_authentication
    checks = TokenChecks()

    async def messages(request: web.Request) -> web.Response:
        if "application/json" not in request.headers.get("Content-Type", ""):
            return web.json_response({"error": "expected application/json"}, status=415)
        try:
            raw, activity = inbound.read(await request.read())
        except Malformed as error:
            return refused(request, error)
        # A missing header reaches the SDK as None: with an app id that means "refuse", without one "anonymous".
        # (process_activity would take None for an already authenticated request, hence this separate step.)
        header = request.headers.get("Authorization") or None
        try:
            authenticated = await checks.run(lambda: auth.authenticate_request(activity, header))
        except CheckTimedOut as error:
            log.warning("could not check a Teams request's token: %s", error)
            return web.json_response({"error": "the token could not be checked now; try again"}, status=503)
        except Exception as error:  # PermissionError, or the token would not even decode: either way, not verified
            log.warning("refused a Teams request: %s: %s", type(error).__name__, shown(str(error), 120))
            return web.json_response({"error": "unauthorized"}, status=401)
        try:
            ignored = inbound.check(raw)
        except Malformed as error:
            return refused(request, error)
        if ignored is not None:
            log.info("ignored a Teams request: the bot does nothing with %s", ignored.reason)
            return web.Response(status=200)
        response = await adapter.process_activity(authenticated, activity, bot.on_turn)
        if response is None:
            return web.Response(status=200)
        return web.json_response(response.body, status=int(response.status))

    return messages


def refused(request: web.Request, error: Malformed) -> web.Response:
    log.warning("refused a malformed Teams request from %s: %s", request.remote, error)
    return web.json_response({"error": str(error)}, status=400)
