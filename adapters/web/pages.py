"""The dashboard's routes: the board, an incident's page, its HTML report, and the stream of change events.

Every page is rendered on the server and complete without JavaScript; a small script listens to `/dashboard/events`
and fetches the page's live part again (`?fragment=1`) when the database says something changed.
"""

from __future__ import annotations

import asyncio
import contextlib
import secrets
from collections.abc import Callable
from datetime import datetime
from typing import Any

from aiohttp import web

from adapters.runtime import Runtime
from adapters.web import access, board, report, templating, timeline
from adapters.web.watch import Watcher
from adapters.web.words import words
from bot.describe import when
from bot.i18n import Translator, translator

RUNTIME = web.AppKey("dashboard_runtime", Runtime)
WATCHER = web.AppKey("dashboard_watcher", Watcher)
SIGNALS: web.AppKey[Callable[[datetime, Translator], dict[int, str]]] = web.AppKey("dashboard_signals")
# A comment line this often keeps proxies from closing a quiet stream.
HEARTBEAT_SECONDS = 15.0


def _now(runtime: Runtime) -> datetime:
    return runtime.dispatcher.clock.now()


async def _read(runtime: Runtime, work: Callable[[Any], Any]) -> Any:
    def run() -> Any:
        with runtime.uow_factory() as uow:
            return work(uow)

    return await asyncio.to_thread(run)


def _html(body: str, nonce: str, status: int = 200) -> web.Response:
    response = web.Response(text=body, content_type="text/html", status=status)
    access.harden(response, scripts=True, nonce=nonce)
    return response


def _visit(request: web.Request) -> tuple[Runtime, datetime, access.Visitor] | web.StreamResponse:
    """Who is looking and when, or the page that turns them away (401, 503)."""
    runtime = request.app[RUNTIME]
    now = _now(runtime)
    visitor = access.check(request, runtime.settings, now)
    if isinstance(visitor, web.StreamResponse):
        return visitor
    return runtime, now, visitor


def _common(request: web.Request, visitor: access.Visitor, now: datetime) -> dict[str, Any]:
    runtime = request.app[RUNTIME]
    t = translator(visitor.language)
    return {
        "w": words(t),
        "now": when(now, runtime.settings.timezone),
        "base": "",
        "events_url": "/dashboard/events",
        "generation": request.app[WATCHER].generation,
        "nonce": secrets.token_urlsafe(16),
    }


async def show_board(request: web.Request) -> web.StreamResponse:
    visit = _visit(request)
    if isinstance(visit, web.StreamResponse):
        return visit
    runtime, now, visitor = visit
    values = _common(request, visitor, now)
    t = translator(visitor.language)
    signals = await asyncio.to_thread(request.app[SIGNALS], now, t)
    rows = await _read(runtime, lambda uow: board.board(uow, runtime.settings, t, now, signals))
    values |= {"rows": rows, "any_signals": any(r.signals for r in rows)}
    template = "board_live.html" if request.query.get("fragment") else "board.html"
    return _html(templating.render(template, **values), values["nonce"])


async def show_incident(request: web.Request) -> web.StreamResponse:
    visit = _visit(request)
    if isinstance(visit, web.StreamResponse):
        return visit
    runtime, now, visitor = visit
    values = _common(request, visitor, now)
    t = translator(visitor.language)
    key = request.match_info["key"].upper()
    page = await _read(runtime, lambda uow: board.page(uow, key, runtime.settings, t, now))
    if page is None:
        w = values["w"]
        body = templating.render("message.html", w={"lang": w["lang"], "title": key, "why": w["not_found"]})
        return _html(body, values["nonce"], status=404)
    drawing = timeline.draw(page.incident, runtime.settings, t, now, page.names)
    values |= {"p": page, "svg": templating.svg(drawing)}
    template = "incident_live.html" if request.query.get("fragment") else "incident.html"
    return _html(templating.render(template, **values), values["nonce"])


async def show_report(request: web.Request) -> web.StreamResponse:
    visit = _visit(request)
    if isinstance(visit, web.StreamResponse):
        return visit
    runtime, now, visitor = visit
    t = translator(visitor.language)
    found = await _read(runtime, lambda uow: report.load(uow, request.match_info["key"]))
    if found is None:
        # The same refusal as an unknown incident's page: a sentence in the visitor's language, with the headers.
        key = request.match_info["key"].upper()
        why = t("There is no such incident.")
        body = templating.render("message.html", w={"lang": t.language, "title": key, "why": why})
        response = web.Response(text=body, content_type="text/html", status=404)
        access.harden(response, scripts=False)
        return response
    incident, names = found
    body = report.render(incident, names, runtime.settings, t, now)
    response = web.Response(text=body, content_type="text/html")
    access.harden(response, scripts=False)
    response.headers["Content-Disposition"] = f'inline; filename="{report.file_name(incident)}"'
    return response


async def stream_changes(request: web.Request) -> web.StreamResponse:
    """Server-sent events: `change` each time the incidents change; the page then fetches its live part again."""
    runtime = request.app[RUNTIME]
    visitor = access.check(request, runtime.settings, _now(runtime))
    if isinstance(visitor, web.StreamResponse):
        return visitor
    watcher = request.app[WATCHER]
    since = request.query.get("since") or request.headers.get("Last-Event-ID") or ""
    # ASCII digits only, and few of them: str.isdigit() also takes "²", which int() refuses.
    seen = int(since) if since.isascii() and since.isdigit() and len(since) <= 18 else watcher.generation
    response = web.StreamResponse(headers={"Content-Type": "text/event-stream", "X-Accel-Buffering": "no"})
    access.harden(response, scripts=False)
    await response.prepare(request)
    with contextlib.suppress(ConnectionResetError):
        await response.write(b"retry: 2000\n\n")
        while not watcher.closed:
            if visitor.granted.expires_at <= _now(runtime):
                # The page asks again, gets 401 and shows how to get a new link.
                await response.write(b"event: change\ndata: expired\n\n")
                break
            current = await watcher.next_change(seen, HEARTBEAT_SECONDS)
            if current != seen:
                seen = current
                await response.write(f"id: {current}\nevent: change\ndata: {current}\n\n".encode())
            elif not watcher.closed:
                await response.write(b": still here\n\n")
    return response
