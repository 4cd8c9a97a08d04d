"""The live dashboard and the HTML report, served by `crisisbot serve` under `/dashboard`."""

from __future__ import annotations

from aiohttp import web

from adapters.runtime import Runtime
from adapters.web import pages
from adapters.web.signals import trend_reader
from adapters.web.watch import Watcher, fingerprint_reader

KEY = r"{key:[A-Za-z]{2,10}-[0-9]{1,9}}"


def install(app: web.Application, runtime: Runtime) -> None:
    """Adds the routes; without a usable CRISISBOT_SECRET_KEY they answer that the dashboard is off."""
    app[pages.RUNTIME] = runtime
    app[pages.WATCHER] = Watcher(fingerprint_reader(runtime.uow_factory))
    app[pages.SIGNALS] = trend_reader(runtime.uow_factory)
    app.router.add_get("/dashboard", pages.show_board)
    app.router.add_get("/dashboard/events", pages.stream_changes)
    app.router.add_get(f"/dashboard/{KEY}", pages.show_incident)
    app.router.add_get(f"/dashboard/{KEY}/report.html", pages.show_report)

    async def start(app: web.Application) -> None:
        from bot.access import usable_key

        if usable_key(runtime.settings.secret_key):
            app[pages.WATCHER].start()

    async def stop(app: web.Application) -> None:
        await app[pages.WATCHER].close()

    app.on_startup.append(start)
    # Before the server waits for open requests: the event streams end here.
    app.on_shutdown.append(stop)
