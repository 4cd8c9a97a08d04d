"""`GET /metrics` in Prometheus' text format (`CRISISBOT_METRICS=on`), and the counters the rest of crisisbot feeds.

Cheap on the hot path: a door's request, a command or a delivered reminder costs a counter increment and, for
latencies, a histogram observation; nothing is written anywhere. What the database knows (backlogs, open crises)
is asked at scrape time, one grouped query per gauge.

Who may scrape: loopback only, unless `crisisbot serve --public`, as the Teams endpoint without an app id is kept
to loopback. A request that came through a proxy (it carries Forwarded or X-Forwarded-For) counts as remote even
from 127.0.0.1, since the proxy is then what talks to us.

The counters themselves are in `adapters.prometheus`, imported by `install` only when metrics are on: a server
without metrics never loads prometheus_client, and what the doors count costs them one test.
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import fields
from typing import Protocol

from aiohttp import web

from adapters.runtime import Runtime

log = logging.getLogger("crisisbot.metrics")

ROUTE = "/metrics"

# The doors' HTTP routes; a door added later names its route here.
DOOR_ROUTES = {"/slack/events": "slack", "/api/messages": "teams", "/signals": "signals"}


class Counting(Protocol):
    """What the doors count, as `adapters.prometheus` does it."""

    def request_seen(self, door: str, outcome: str, seconds: float) -> None: ...

    def signal_received(self, source: str) -> None: ...


# `adapters.prometheus` once a server of this process turned metrics on; until then nothing is counted.
_counting: Counting | None = None

# The source is named by whoever sends the signal: past this many distinct names, the rest count as "other", so a
# sender inventing a name per request cannot grow the metrics without bound.
MAX_SIGNAL_SOURCES = 50
_sources: set[str] = set()


def signal_received(source: str) -> None:
    """One signal (an alert, a mention, a ticket...) arrived from `source`: call it once per signal."""
    if _counting is None:
        return
    if source not in _sources:
        if len(_sources) >= MAX_SIGNAL_SOURCES:
            source = "other"
        else:
            _sources.add(source)
    _counting.signal_received(source)


def request_seen(door: str, outcome: str, seconds: float) -> None:
    """One request a door answered: for doors that are not HTTP routes of this server (Socket Mode)."""
    if _counting is not None:
        _counting.request_seen(door, outcome, seconds)


def outcome_of(status: int) -> str:
    if status < 400:
        return "ok"
    if status in (401, 403):
        return "refused"
    return "malformed" if status < 500 else "error"


def enabled(env: Mapping[str, str]) -> bool:
    return str(env.get("CRISISBOT_METRICS", "off")).strip().lower() in ("on", "1", "true", "yes")


def from_loopback(request: web.Request) -> bool:
    if "Forwarded" in request.headers or "X-Forwarded-For" in request.headers:
        return False
    try:
        return ipaddress.ip_address(request.remote or "").is_loopback
    except ValueError:
        return False


Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@web.middleware
async def count_door_requests(request: web.Request, handler: Handler) -> web.StreamResponse:
    door = DOOR_ROUTES.get(request.path)
    if door is None or request.method != "POST":
        return await handler(request)
    started = time.perf_counter()
    status = 500
    try:
        response = await handler(request)
        status = response.status
        return response
    except web.HTTPException as error:
        status = error.status
        raise
    finally:
        request_seen(door, outcome_of(status), time.perf_counter() - started)


def install(app: web.Application, runtime: Runtime, public: bool) -> bool:
    """Serves /metrics and starts counting, when CRISISBOT_METRICS=on; True if it did."""
    if not enabled(runtime.env):
        return False
    global _counting
    from adapters import prometheus
    from adapters.scheduler import SCHEDULER

    _counting = prometheus
    registry = prometheus.registry_for(runtime)
    runtime.dispatcher.meter = prometheus.CommandCounter()
    app.middlewares.append(count_door_requests)
    scheduler = app.get(SCHEDULER)
    if scheduler is not None:
        courier = scheduler.courier
        scheduler.courier = prometheus.MeteredCourier(**{f.name: getattr(courier, f.name) for f in fields(courier)})

    async def metrics(request: web.Request) -> web.Response:
        if not public and not from_loopback(request):
            log.warning("refused /metrics to %s: served on loopback only (crisisbot serve --public serves it to all)",
                        request.remote)
            return web.Response(status=403, text="/metrics is served on loopback only; "
                                                 "start crisisbot serve --public to let other hosts scrape it.\n")
        body, content_type = await asyncio.to_thread(prometheus.exposition, registry, request.headers.get("Accept", ""))
        return web.Response(body=body, headers={"Content-Type": content_type})

    app.router.add_get(ROUTE, metrics)
    log.info("metrics on %s (%s)", ROUTE, "every host" if public else "loopback only")
    return True
