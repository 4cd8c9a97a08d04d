"""How `crisisbot serve` logs: text by default, or one JSON object per line (`CRISISBOT_LOG_FORMAT=json`) for shippers.

Each JSON line carries the time (UTC, ISO 8601), level, logger, message, the request id and the incident key where
known (`bot.telemetry`), and the traceback when there is one. In either format the values of the secrets crisisbot
is configured with, and anything shaped like a Slack token, are masked before the line is written: a secret
echoed by an SDK's error message or a careless log call still never reaches the log.
"""

from __future__ import annotations

import json
import logging
import random
import re
import sys
from collections.abc import Awaitable, Callable, Iterable, Mapping
from datetime import UTC, datetime
from typing import TextIO

from aiohttp import web
from sqlalchemy.engine import make_url

from bot import telemetry

TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
FORMATS = ("text", "json")
MASK = "[redacted]"
# Variables whose values are secrets: tokens, signing secrets, passwords, keys.
SECRET_NAMES = re.compile(r"(TOKEN|SECRET|PASSWORD|_KEY)$")
SLACK_TOKEN = re.compile(r"\bx(?:ox[abeoprs]|app)-[A-Za-z0-9-]{6,}")
# A dashboard link's personal token, as the access log writes the request line (`/dashboard?token=…`).
LINK_TOKEN = re.compile(r"(?<=[?&]token=)[^&\s\"]+")
# Shorter values would mask ordinary words.
SHORTEST_SECRET = 8
# An id a proxy or load balancer gives the request, kept if it looks like one.
REQUEST_ID_HEADER = "X-Request-Id"
REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,64}$")


class LogFormatError(ValueError):
    """CRISISBOT_LOG_FORMAT names no known format."""


def secrets_in(env: Mapping[str, str]) -> tuple[str, ...]:
    found = {value for name, value in env.items() if SECRET_NAMES.search(name) and value}
    url = env.get("DATABASE_URL", "")
    if url:
        try:
            password = make_url(url).password
        except Exception:  # an unreadable URL fails elsewhere, with its own message
            password = None
        if password:
            found.add(str(password))
    # Longest first, so a secret containing another is masked whole.
    return tuple(sorted((s for s in found if len(s) >= SHORTEST_SECRET), key=len, reverse=True))


class Redactor:
    def __init__(self, secrets: Iterable[str]) -> None:
        self.secrets = tuple(secrets)

    def __call__(self, text: str) -> str:
        for secret in self.secrets:
            if secret in text:
                text = text.replace(secret, MASK)
        return LINK_TOKEN.sub(MASK, SLACK_TOKEN.sub(MASK, text))


class TextFormatter(logging.Formatter):
    def __init__(self, redact: Redactor) -> None:
        super().__init__(TEXT_FORMAT)
        self.redact = redact

    def format(self, record: logging.LogRecord) -> str:
        return self.redact(super().format(record))


class JsonFormatter(logging.Formatter):
    def __init__(self, redact: Redactor) -> None:
        super().__init__()
        self.redact = redact

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": self.redact(record.getMessage()),
            "request_id": telemetry.request_id.get(),
            "incident": telemetry.incident_key.get(),
        }
        if record.exc_info:
            line["exception"] = self.redact(self.formatException(record.exc_info))
        if record.stack_info:
            line["stack"] = self.redact(self.formatStack(record.stack_info))
        # ensure_ascii: a control character or a line separator typed by someone stays inside its line.
        return json.dumps(line, ensure_ascii=True)


def formatter_for(env: Mapping[str, str]) -> logging.Formatter:
    chosen = env.get("CRISISBOT_LOG_FORMAT", "text").strip().lower() or "text"
    if chosen not in FORMATS:
        raise LogFormatError(f"CRISISBOT_LOG_FORMAT={chosen!r}: use text or json.")
    redact = Redactor(secrets_in(env))
    return JsonFormatter(redact) if chosen == "json" else TextFormatter(redact)


def configure(env: Mapping[str, str], stream: TextIO | None = None) -> None:
    """Sends every log record to standard error (or `stream`) in the configured format, at LOG_LEVEL."""
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(formatter_for(env))
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(env.get("LOG_LEVEL", "INFO").upper())


Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@web.middleware
async def bind_request_id(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Every log line written while serving a request, and by the work it starts, carries the request's id."""
    given = request.headers.get(REQUEST_ID_HEADER, "")
    # Not a secret, only what ties a request's log lines together: no read of the kernel's random source per request.
    telemetry.request_id.set(given if REQUEST_ID.match(given) else f"{random.getrandbits(64):016x}")
    telemetry.incident_key.set(None)
    return await handler(request)
