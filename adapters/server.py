"""`crisisbot serve`: one asyncio aiohttp server hosting every door and the scheduler.

Each door exposes `install(app, runtime) -> DoorStatus`; a door without credentials says why it is off.
"""

from __future__ import annotations

import asyncio
import gc
import logging
from dataclasses import dataclass

from aiohttp import web

from adapters.runtime import Runtime

log = logging.getLogger("crisisbot.server")

RUNTIME = web.AppKey("runtime", Runtime)
DOORS = web.AppKey("doors", dict)
# The weak-signal watch's ways in (`POST /signals`, feeds) and how they fare, shown on /healthz.
WATCH = web.AppKey("watch", dict)


class StartupError(Exception):
    """A configuration that must stop the server before it answers anything (the message says how to fix it)."""


@dataclass(frozen=True)
class DoorStatus:
    enabled: bool
    detail: str


async def healthz(request: web.Request) -> web.Response:
    runtime = request.app[RUNTIME]
    doors: dict[str, DoorStatus] = request.app[DOORS]
    database = "ok"

    def ask_database() -> None:
        with runtime.dispatcher.uow_factory() as uow:
            uow.incidents.next_number()

    try:
        await asyncio.to_thread(ask_database)
    except Exception as error:  # the health check reports, it does not crash
        database = f"error: {type(error).__name__}"
    body = {
        "status": "ok" if database == "ok" else "degraded",
        "platforms": sorted(name for name, door in doors.items() if door.enabled),
        "doors": {name: {"enabled": d.enabled, "detail": d.detail} for name, d in doors.items()},
        "database": database,
    }
    if WATCH in request.app:
        body["signals"] = request.app[WATCH]
    return web.json_response(body, status=200 if database == "ok" else 503)


def install_signals(app: web.Application, runtime: Runtime) -> dict[str, object]:
    """`POST /signals` and the feed poller (`adapters.feeds`); what /healthz says of them."""
    from adapters import feeds, signals_http
    from bot.signals.intake import SignalIntake

    intake = SignalIntake(runtime.dispatcher, runtime.gateways, service=runtime.service)
    status: dict[str, object] = {"endpoint": signals_http.install(app, intake, runtime.env, runtime.dispatcher.clock)}
    poller = feeds.feed_poller(runtime.env, intake, runtime.dispatcher.clock)
    if poller is not None:
        status["feeds"] = poller.health
        feeds.install(app, poller)
    return status


def create_app(runtime: Runtime, public: bool = False) -> web.Application:
    from adapters import log_format, metrics, scheduler, slack, teams

    app = web.Application(middlewares=[log_format.bind_request_id])
    app[RUNTIME] = runtime
    doors: dict[str, DoorStatus] = {}
    app[DOORS] = doors
    app.router.add_get("/healthz", healthz)
    for name, door in (("slack", slack), ("teams", teams)):
        status = door.install(app, runtime)
        doors[name] = status
        log.info("%s: %s", name, status.detail) if status.enabled else log.warning("%s is off: %s", name, status.detail)
    scheduler.install(app, runtime)
    from adapters import web as dashboard

    dashboard.install(app, runtime)
    metrics.install(app, runtime, public)  # after the scheduler: it counts the reminders delivered
    app[WATCH] = install_signals(app, runtime)
    app.on_shutdown.append(send_waiting_cards)
    return app


async def send_waiting_cards(app: web.Application) -> None:
    # Before the doors close their clients (on cleanup): the last state of every card reaches its conversation.
    await app[RUNTIME].service.drain()


def run(runtime: Runtime, port: int, host: str, public: bool = False) -> None:
    app = create_app(runtime, public)
    app.on_startup.append(_settle_memory)
    web.run_app(app, host=host, port=port, print=lambda _: None)


async def _settle_memory(_: web.Application) -> None:
    """What start-up built lives as long as the server: the collector stops looking at it.

    Python's cycle collector otherwise walks every object there is at each full collection, some 450,000 after
    start-up, and stopped the event loop for 50–90 ms about once a second under a burst: every acknowledgement in
    flight waited for it. Frozen, a full collection walks only what was made since.
    """
    gc.collect()
    gc.freeze()
