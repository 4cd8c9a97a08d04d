"""The Microsoft Teams door: `POST /api/messages` on the `crisisbot serve` server (issue 4).

Settings: MICROSOFT_APP_ID, MICROSOFT_APP_PASSWORD, MICROSOFT_APP_TYPE (MultiTenant, SingleTenant,
UserAssignedMSI), MICROSOFT_APP_TENANT_ID, and TEAMS_MESSAGES_PER_SECOND (outbound pace per conversation, 7).
Without MICROSOFT_APP_ID the endpoint accepts unauthenticated requests (local testing only), so the server
must then listen on loopback: `requires_loopback` tells the CLI.

Every Bot Framework type stays inside this package, so the archived SDK can be swapped for its successor
(the Microsoft 365 Agents SDK) without touching the core. The SDK is loaded with the door (`adapters.teams.door`):
at start with MICROSOFT_APP_ID, else at the door's first use (`adapters.teams.deferred`).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import TYPE_CHECKING

from aiohttp import web

from adapters.runtime import Runtime

if TYPE_CHECKING:
    from adapters.server import DoorStatus

log = logging.getLogger("crisisbot.teams")

ROUTE = "/api/messages"


async def _endpoint_is_here(request: web.Request) -> web.Response:
    return web.Response(status=200)


def requires_loopback(env: Mapping[str, str]) -> bool:
    """True when the Teams endpoint would accept anyone: no app id, hence no token to check."""
    return not env.get("MICROSOFT_APP_ID", "").strip()


def install(app: web.Application, runtime: Runtime) -> DoorStatus:
    from adapters.server import DoorStatus, StartupError
    from adapters.teams.deferred import DeferredDoor, DeferredGateway
    from adapters.teams.settings import TeamsConfigError, TeamsSettings

    try:
        settings = TeamsSettings.from_env(runtime.env)
    except TeamsConfigError as error:
        raise StartupError(f"Teams: {error}") from None
    door = DeferredDoor(runtime, settings)
    runtime.add_gateway(DeferredGateway(door))
    app.router.add_post(ROUTE, door.handle)
    # Clients such as the Microsoft 365 Agents Playground probe the endpoint with HEAD before sending.
    app.router.add_route("HEAD", ROUTE, _endpoint_is_here)
    app.on_cleanup.append(door.close)
    if settings.authenticated:
        door.door()  # configured for Teams: the SDK is needed, and a broken install should stop the start
        return DoorStatus(True, f"Teams on {ROUTE}, app {settings.app_id} ({settings.app_type})")
    log.warning("Teams: MICROSOFT_APP_ID is not set, so %s accepts unauthenticated requests; "
                "serve it on loopback only (local testing)", ROUTE)
    return DoorStatus(True, f"Teams on {ROUTE} WITHOUT authentication (no MICROSOFT_APP_ID): loopback only")
