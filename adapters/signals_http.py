"""`POST /signals`: signals from social-listening tools and scripts, signed like GitHub webhooks.

`X-Crisisbot-Signature: sha256=<hex HMAC-SHA256 of the raw body with CRISISBOT_SIGNALS_SECRET>`. Without a secret
the endpoint answers only requests from loopback, not relayed by a proxy (as /metrics). A body is one JSON object or
an array of them; a single bad item refuses the whole request, so a sender fixes and resends it as a whole.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import re
from collections.abc import Awaitable, Callable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from aiohttp import web

from adapters import metrics
from bot.ports import Clock
from bot.signals.intake import SignalIntake
from bot.signals.model import Signal

log = logging.getLogger("crisisbot.signals")

ROUTE = "/signals"
MAX_BODY = 1024 * 1024
SIGNATURE = "X-Crisisbot-Signature"
TEXTS = ("id", "source", "url", "author", "language")
# Longest accepted values: a signal is a post or a review, not a document.
_SURROGATE = re.compile("[\ud800-\udfff]")
LIMITS = {"text": 20_000, "url": 2_000, "id": 500, "source": 100, "author": 500, "language": 20}
# The reach column is a 32-bit INTEGER in PostgreSQL; no post reaches more people than that.
MAX_REACH = 2**31 - 1
# How far ahead of ours a sender's clock may be: later than that, a publication time is a mistake (a local time sent
# without its offset, a placeholder date) that would show as the alert's "First signal".
CLOCK_SKEW = timedelta(minutes=5)


class Refused(Exception):
    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field

    def response(self) -> web.Response:
        body: dict[str, str] = {"error": str(self)}
        if self.field is not None:
            body["field"] = self.field
        return web.json_response(body, status=400)


def signature_of(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def _item(raw: object, where: str, now: datetime) -> Signal:
    if not isinstance(raw, dict):
        raise Refused(f"{where or 'body'} must be a JSON object", where or None)
    prefix = f"{where}." if where else ""
    values: dict[str, Any] = {}
    for name in ("text", *TEXTS):
        value = raw.get(name)
        if value is None:
            continue
        if not isinstance(value, str):
            raise Refused(f"{prefix}{name} must be a string", prefix + name)
        if len(value) > LIMITS[name]:
            raise Refused(f"{prefix}{name} is longer than {LIMITS[name]} characters", prefix + name)
        if "\x00" in value:  # PostgreSQL stores no NUL in text
            raise Refused(f"{prefix}{name} must not contain a NUL character", prefix + name)
        if _SURROGATE.search(value):  # "\ud800" is valid JSON, but no UTF-8 text
            raise Refused(f"{prefix}{name} must not contain a lone surrogate (\\ud800-\\udfff)", prefix + name)
        values[name] = value.strip()
    if not values.get("text"):
        raise Refused(f"{prefix}text is required", prefix + "text")
    reach = raw.get("reach", 0)
    if reach is None:
        reach = 0
    if isinstance(reach, bool) or not isinstance(reach, int) or not 0 <= reach <= MAX_REACH:
        raise Refused(f"{prefix}reach must be a whole number from 0 to {MAX_REACH}", prefix + "reach")
    published = raw.get("published_at")
    published_at = None
    if published is not None:
        try:
            published_at = datetime.fromisoformat(str(published)) if isinstance(published, str) else None
        except ValueError:
            published_at = None
        if published_at is None:
            raise Refused(f"{prefix}published_at must be an ISO 8601 time such as 2026-11-28T10:40:00Z",
                          prefix + "published_at")
        # A time without offset is taken as UTC, as most listening tools send.
        try:
            published_at = (published_at.replace(tzinfo=UTC) if published_at.tzinfo is None
                            else published_at.astimezone(UTC))
        except OverflowError:  # year 1 or 9999 moved out of range by its offset
            raise Refused(f"{prefix}published_at is out of range", prefix + "published_at") from None
        if published_at > now + CLOCK_SKEW:
            raise Refused(f"{prefix}published_at is in the future; send the time with its offset, such as "
                          "2026-11-28T10:40:00+01:00", prefix + "published_at")
        published_at = min(published_at, now)
    return Signal.of(
        values["text"], now, source=values.get("source") or "webhook", id=values.get("id", ""),
        url=values.get("url", ""), author=values.get("author", ""), reach=reach, language=values.get("language", ""),
        published_at=published_at,
    )


def parse_signals(body: bytes, now: datetime) -> list[Signal]:
    """Every signal of the body, or Refused naming the first field at fault."""
    try:
        data = json.loads(body)
    except ValueError as error:  # bad UTF-8 or JSON, or a number of more than 4300 digits
        raise Refused(f"malformed JSON: {error}") from None
    except RecursionError:
        raise Refused("malformed JSON: nested too deeply") from None
    if isinstance(data, list):
        return [_item(raw, f"[{i}]", now) for i, raw in enumerate(data)]
    return [_item(data, "", now)]


async def _read(request: web.Request) -> bytes | None:
    """The body, or None when it is over the limit (read no further than that)."""
    if request.content_length is not None and request.content_length > MAX_BODY:
        return None
    body = bytearray()
    async for chunk in request.content.iter_chunked(64 * 1024):
        body += chunk
        if len(body) > MAX_BODY:
            return None
    return bytes(body)


def signals_handler(
    intake: SignalIntake, secret: str, clock: Clock
) -> Callable[[web.Request], Awaitable[web.Response]]:
    async def receive(request: web.Request) -> web.Response:
        # Through a proxy on this host every request comes from loopback: the proxy's headers make it remote.
        if not secret and not metrics.from_loopback(request):
            log.warning("refused signals from %s: no CRISISBOT_SIGNALS_SECRET, loopback only", request.remote)
            return web.json_response({"error": "set CRISISBOT_SIGNALS_SECRET to accept signals from elsewhere"},
                                     status=403)
        body = await _read(request)
        if body is None:
            return web.json_response({"error": f"body over {MAX_BODY} bytes"}, status=413)
        if secret:
            given = request.headers.get(SIGNATURE, "")
            # Header bytes that are not UTF-8 arrive as surrogate escapes: put back as sent, they simply do not match.
            if not hmac.compare_digest(given.encode("utf-8", "surrogateescape"), signature_of(secret, body).encode()):
                log.warning("refused signals from %s: %s signature", request.remote, "wrong" if given else "no")
                return web.json_response({"error": f"missing or wrong {SIGNATURE}"}, status=401)
        try:
            signals = parse_signals(body, clock.now())
        except Refused as error:
            return error.response()
        recorded = await intake.ingest(signals)
        for signal in signals:
            metrics.signal_received(signal.source)
        return web.json_response({"accepted": recorded.accepted, "duplicates": recorded.duplicates}, status=202)

    return receive


def install(app: web.Application, intake: SignalIntake, env: Mapping[str, str], clock: Clock) -> str:
    secret = env.get("CRISISBOT_SIGNALS_SECRET", "").strip()
    app.router.add_post(ROUTE, signals_handler(intake, secret, clock))
    if secret:
        return f"signals on {ROUTE}, signed with CRISISBOT_SIGNALS_SECRET"
    log.warning("CRISISBOT_SIGNALS_SECRET is not set: %s accepts unsigned signals from loopback only", ROUTE)
    return f"signals on {ROUTE} WITHOUT signature (no CRISISBOT_SIGNALS_SECRET): loopback only"
