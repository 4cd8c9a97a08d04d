"""Check-in and approval-deadline scheduler (issue 5)."""

from __future__ import annotations

from aiohttp import web

from adapters.runtime import Runtime


def install(app: web.Application, runtime: Runtime) -> None:
    """Not built yet: the server runs without reminders."""
