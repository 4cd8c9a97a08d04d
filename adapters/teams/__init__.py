"""Teams door (issue 4)."""

from __future__ import annotations

from aiohttp import web

from adapters.runtime import Runtime


def install(app: web.Application, runtime: Runtime):  # type: ignore[no-untyped-def]
    from adapters.server import DoorStatus

    return DoorStatus(False, "the Teams door is not built yet")
