"""Serving an aiohttp app on loopback for a test: the fakes of the outside world and crisisbot's own server."""

from __future__ import annotations

from aiohttp import web


async def serve_on_loopback(app: web.Application) -> tuple[web.AppRunner, str]:
    """The app served on 127.0.0.1 at a free port: its runner (to `cleanup`) and its base URL."""
    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    host, port = runner.addresses[0][:2]
    return runner, f"http://{host}:{port}"
