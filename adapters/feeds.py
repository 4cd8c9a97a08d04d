"""RSS and Atom feeds polled for signals (CRISISBOT_FEEDS, every CRISISBOT_FEED_INTERVAL, default 2m).

Each poll is a conditional GET (ETag / Last-Modified), so an unchanged feed costs a 304. A failing feed backs off
(doubling up to an hour) and says so once, in the log and on /healthz, until it recovers. Items become signals with
their guid as id, so polling again never duplicates them.
"""

from __future__ import annotations

import asyncio
import calendar
import hashlib
import html
import logging
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import aiohttp
from aiohttp import web

from adapters import metrics
from bot.config import parse_duration
from bot.ports import Clock
from bot.signals.intake import SignalIntake
from bot.signals.model import Signal

log = logging.getLogger("crisisbot.feeds")

MAX_BACKOFF = timedelta(hours=1)
MAX_FEED_BYTES = 5 * 1024 * 1024
_TAG = re.compile(r"<[^>]*>")
_SURROGATE = re.compile("[\ud800-\udfff]")
MAX_ID = 500
# Character references to a surrogate (&#xD800; &#55296;): feedparser fails on the whole feed when it meets one.
_SURROGATE_REF = re.compile(rb"&#(?:[xX]0*[dD][89a-fA-F][0-9a-fA-F]{2}|0*5[5-7][0-9]{3});")


@dataclass
class Feed:
    url: str
    etag: str = ""
    modified: str = ""
    failures: int = 0
    next_at: datetime | None = None
    # Set while failing: shown on /healthz, logged once.
    problem: str = ""
    polls: int = 0

    def health(self) -> str:
        return f"failing ({self.failures} in a row): {self.problem}" if self.problem else "ok"


def parse_feeds(text: str) -> list[str]:
    return list(dict.fromkeys(u.strip() for u in text.split(",") if u.strip()))


def _text(value: object) -> str:
    # A character reference such as &#xD800; parses to a lone surrogate, which no database or hash can encode.
    return _SURROGATE.sub("\ufffd", str(value or ""))


def _plain(text: str) -> str:
    return " ".join(html.unescape(_TAG.sub(" ", _text(text))).split())


def _replacement(reference: re.Match[bytes]) -> bytes:
    number = reference.group()[2:-1]
    code = int(number[1:], 16) if number[:1] in b"xX" else int(number)
    return b"&#xFFFD;" if 0xD800 <= code <= 0xDFFF else reference.group()


def _when(entry: Any, received_at: datetime) -> datetime | None:
    """When the item was published; never later than it arrived (a date ahead would show as an alert's first
    signal)."""
    parsed = entry.get("published_parsed") or entry.get("updated_parsed")
    try:
        return min(datetime.fromtimestamp(calendar.timegm(parsed), UTC), received_at) if parsed else None
    except (ValueError, OverflowError, OSError):  # year 1 moved before year 1 by its offset: no usable date
        return None


def _id(guid: str) -> str:
    # Cut, two long guids alike in their first characters would make the second item a duplicate of the first.
    return guid if len(guid) <= MAX_ID else "h:" + hashlib.sha256(guid.encode()).hexdigest()


def signals_of(document: bytes, received_at: datetime) -> list[Signal]:
    """The feed's items as signals: title and summary as text, the guid (else the link) as id."""
    import feedparser  # here, not at the top: a server without CRISISBOT_FEEDS never parses a feed

    parsed = feedparser.parse(_SURROGATE_REF.sub(_replacement, document))
    language = _text(parsed.feed.get("language", ""))[:20]
    found = []
    for entry in parsed.entries:
        title, summary = _plain(entry.get("title", "")), _plain(entry.get("summary", ""))
        text = f"{title} — {summary}" if title and summary and not summary.startswith(title) else (summary or title)
        link = _text(entry.get("link", ""))
        if not text and not link:
            continue
        guid = _text(entry.get("id", "")) or link
        found.append(Signal.of(
            text[:20_000] or link, received_at, source="feed", id=_id(guid), url=link[:2000],
            author=_plain(str(entry.get("author", "") or ""))[:500], language=language,
            published_at=_when(entry, received_at),
        ))
    return found


async def _body(response: aiohttp.ClientResponse) -> bytes:
    """The whole document (one read() gives only what has arrived so far), or ValueError past the limit."""
    body = bytearray()
    async for chunk in response.content.iter_chunked(64 * 1024):
        body += chunk
        if len(body) > MAX_FEED_BYTES:
            raise ValueError(f"over {MAX_FEED_BYTES} bytes")
    return bytes(body)


@dataclass
class FeedPoller:
    urls: Sequence[str]
    intake: SignalIntake
    clock: Clock
    interval: timedelta = timedelta(minutes=2)
    feeds: dict[str, Feed] = field(init=False)
    # Shown on /healthz: url -> "ok" or why it fails; updated in place.
    health: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.feeds = {url: Feed(url) for url in self.urls}
        self.health.update({url: "not polled yet" for url in self.urls})

    async def poll(self, session: aiohttp.ClientSession) -> int:
        """Polls every feed that is due; returns how many signals were new."""
        now = self.clock.now()
        due = [f for f in self.feeds.values() if f.next_at is None or f.next_at <= now]
        results = await asyncio.gather(*(self._poll_one(session, feed, now) for feed in due))
        return sum(results)

    async def _poll_one(self, session: aiohttp.ClientSession, feed: Feed, now: datetime) -> int:
        headers = {"User-Agent": "crisisbot feed watch"}
        if feed.etag:
            headers["If-None-Match"] = feed.etag
        if feed.modified:
            headers["If-Modified-Since"] = feed.modified
        feed.polls += 1
        try:
            async with session.get(feed.url, headers=headers, timeout=aiohttp.ClientTimeout(total=30)) as response:
                if response.status == 304:
                    self._fine(feed, now)
                    return 0
                if response.status != 200:
                    raise ValueError(f"HTTP {response.status}")
                body = await _body(response)
                etag, modified = response.headers.get("ETag", ""), response.headers.get("Last-Modified", "")
            signals = await asyncio.to_thread(signals_of, body, now)
            recorded = await self.intake.ingest(signals)
            for signal in signals:
                metrics.signal_received(signal.source)
        except Exception as error:  # a feed that fails must not stop the others, nor the server
            self._failed(feed, now, f"{type(error).__name__}: {error}"[:200])
            return 0
        feed.etag, feed.modified = etag, modified
        self._fine(feed, now)
        return recorded.accepted

    def _fine(self, feed: Feed, now: datetime) -> None:
        if feed.problem:
            log.info("feed %s works again after %d failed polls", feed.url, feed.failures)
        feed.failures, feed.problem = 0, ""
        feed.next_at = now + self.interval
        self.health[feed.url] = feed.health()

    def _failed(self, feed: Feed, now: datetime, problem: str) -> None:
        if not feed.problem:
            # Said once, when it starts failing; the back-off keeps later polls quiet until it recovers.
            log.warning("feed %s fails: %s; polling it less often until it works again", feed.url, problem)
        feed.failures += 1
        feed.problem = problem
        feed.next_at = now + min(self.interval * 2 ** min(feed.failures, 10), MAX_BACKOFF)
        self.health[feed.url] = feed.health()

    async def run(self) -> None:
        async with aiohttp.ClientSession() as session:
            while True:
                try:
                    await self.poll(session)
                except Exception:
                    log.exception("feed poll failed; trying again next time")
                # Woken often enough for each feed's own due time (a backed-off feed waits longer).
                await asyncio.sleep(min(self.interval.total_seconds(), 30))


def feed_poller(env: Mapping[str, str], intake: SignalIntake, clock: Clock) -> FeedPoller | None:
    urls = parse_feeds(env.get("CRISISBOT_FEEDS", ""))
    if not urls:
        return None
    interval = parse_duration(env.get("CRISISBOT_FEED_INTERVAL", "").strip() or "2m")
    return FeedPoller(urls, intake, clock, max(interval, timedelta(seconds=10)))


def install(app: web.Application, poller: FeedPoller) -> None:
    """Polls while the server runs."""
    task: dict[str, asyncio.Task[None]] = {}

    async def start(_: web.Application) -> None:
        task["poll"] = asyncio.create_task(poller.run())
        log.info("polling %d feed(s) every %s", len(poller.urls), poller.interval)

    async def stop(_: web.Application) -> None:
        if "poll" in task:
            task["poll"].cancel()
            await asyncio.gather(task["poll"], return_exceptions=True)

    app.on_startup.append(start)
    app.on_cleanup.append(stop)
