"""`POST /api/messages`: the Bot Framework endpoint, with its settings and authentication.

The request is handed to `CloudAdapter.process_activity` rather than `CloudAdapter.process`: in botbuilder
4.17.1 `process` serializes an invoke response body that the SDK already serialized, and answers 500 to every
`adaptiveCard/action`. Here the body goes out as it is, once.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from types import SimpleNamespace

from aiohttp import web
from botbuilder.core import Bot
from botbuilder.integration.aiohttp import CloudAdapter, ConfigurationBotFrameworkAuthentication

from adapters.inbound import Malformed, shown
from adapters.teams import inbound

log = logging.getLogger(__name__)

APP_TYPES = {"multitenant": "MultiTenant", "singletenant": "SingleTenant", "userassignedmsi": "UserAssignedMSI"}


class TeamsConfigError(ValueError):
    """A Teams setting that cannot work; the message says which variable to fix."""


@dataclass(frozen=True)
class TeamsSettings:
    app_id: str = ""
    app_password: str = ""
    app_type: str = "MultiTenant"
    tenant_id: str = ""
    messages_per_second: float = 7.0

    @property
    def authenticated(self) -> bool:
        return bool(self.app_id)

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> TeamsSettings:
        raw_type = env.get("MICROSOFT_APP_TYPE", "").strip() or "MultiTenant"
        app_type = APP_TYPES.get(raw_type.lower())
        if app_type is None:
            raise TeamsConfigError(f"MICROSOFT_APP_TYPE={raw_type!r}: use MultiTenant, SingleTenant or UserAssignedMSI.")
        try:
            rate = float(env.get("TEAMS_MESSAGES_PER_SECOND", "") or 7)
        except ValueError:
            raise TeamsConfigError("TEAMS_MESSAGES_PER_SECOND must be a number, e.g. 7.") from None
        settings = cls(
            app_id=env.get("MICROSOFT_APP_ID", "").strip(), app_password=env.get("MICROSOFT_APP_PASSWORD", "").strip(),
            app_type=app_type, tenant_id=env.get("MICROSOFT_APP_TENANT_ID", "").strip(), messages_per_second=rate,
        )
        settings.check()
        return settings

    def check(self) -> None:
        if not self.app_id:
            if self.app_password:
                raise TeamsConfigError("MICROSOFT_APP_PASSWORD is set but MICROSOFT_APP_ID is not.")
            return
        if self.app_type in ("MultiTenant", "SingleTenant") and not self.app_password:
            raise TeamsConfigError(f"MICROSOFT_APP_TYPE={self.app_type} needs MICROSOFT_APP_PASSWORD (the client secret).")
        if self.app_type in ("SingleTenant", "UserAssignedMSI") and not self.tenant_id:
            raise TeamsConfigError(f"MICROSOFT_APP_TYPE={self.app_type} needs MICROSOFT_APP_TENANT_ID.")

    def authentication(self) -> ConfigurationBotFrameworkAuthentication:
        # The SDK reads these attribute names from its "configuration" object.
        configuration = SimpleNamespace(
            APP_ID=self.app_id or None, APP_PASSWORD=self.app_password or None, APP_TYPE=self.app_type,
            APP_TENANTID=self.tenant_id or None,
        )
        return ConfigurationBotFrameworkAuthentication(configuration)


def messages_handler(adapter: CloudAdapter, bot: Bot) -> Callable[[web.Request], Awaitable[web.Response]]:
    auth = adapter.bot_framework_authentication

    async def messages(request: web.Request) -> web.Response:
        if "application/json" not in request.headers.get("Content-Type", ""):
            return web.json_response({"error": "expected application/json"}, status=415)
        try:
            raw, activity = inbound.read(await request.read())
        except Malformed as error:
            return refused(request, error)
        # A missing header reaches the SDK as None: with an app id that means "refuse", without one "anonymous".
        # (process_activity would take None for an already authenticated request, hence this separate step.)
        try:
            authenticated = await auth.authenticate_request(activity, request.headers.get("Authorization") or None)
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
