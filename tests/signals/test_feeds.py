"""Feeds polled from a local HTTP server serving Google Alerts, Mastodon and Reddit shaped feeds."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import aiohttp
import pytest
from aiohttp import web

from adapters.feeds import FeedPoller, feed_poller, signals_of
from adapters.runtime import build_runtime
from adapters.server import create_app
from bot.config import Settings
from bot.signals.intake import SignalIntake
from bot.signals.rules import WatchSettings, parse_topics
from tests.fakes import T0
from tests.harness import Harness
from tests.loopback import serve_on_loopback

FEEDS = Path(__file__).parent / "feeds"
TYPES = {"atom": "application/atom+xml", "rss": "application/rss+xml"}


@dataclass
class FeedServer:
    """Serves the files with an ETag and Last-Modified, answers 304 to a matching conditional GET, and fails on
    demand."""

    failing: set[str] = field(default_factory=set)
    asked: list[tuple[str, int]] = field(default_factory=list)
    url: str = ""

    async def serve(self, request: web.Request) -> web.Response:
        name = request.match_info["name"]
        if name in self.failing:
            self.asked.append((name, 500))
            return web.Response(status=500, text="upstream error")
        etag = f'"{name}-v1"'
        if request.headers.get("If-None-Match") == etag:
            self.asked.append((name, 304))
            return web.Response(status=304)
        self.asked.append((name, 200))
        headers = {"ETag": etag, "Last-Modified": "Mon, 23 Nov 2026 09:59:30 GMT"}
        return web.Response(body=(FEEDS / name).read_bytes(), content_type=TYPES[name.rsplit(".", 1)[1]],
                             headers=headers)


@pytest.fixture
async def server() -> AsyncIterator[FeedServer]:
    feeds = FeedServer()
    app = web.Application()
    app.router.add_get("/{name}", feeds.serve)
    runner, feeds.url = await serve_on_loopback(app)
    yield feeds
    await runner.cleanup()


def poller(h: Harness, server: FeedServer, *names: str) -> FeedPoller:
    env = {"CRISISBOT_FEEDS": ",".join(f"{server.url}/{n}" for n in names), "CRISISBOT_FEED_INTERVAL": "2m"}
    found = feed_poller(env, SignalIntake(h.dispatcher, h.service.gateways), h.clock)
    assert found is not None
    return found


def harness() -> Harness:
    topics = parse_topics("delivery: livraison, delivery")
    return Harness(settings=Settings(watch=WatchSettings(topics=topics, channel=("console", "watch"), threshold=4)))


def test_real_shaped_items_become_signals() -> None:
    alerts = signals_of((FEEDS / "google_alerts.atom").read_bytes(), T0)
    assert alerts[0].id == "tag:google.com,2013:googlealerts/feed:11586012843470150651"
    assert alerts[0].text.startswith("Acme : la livraison en retard exaspère les clients — Des centaines")
    assert alerts[0].published_at == datetime(2026, 11, 23, 9, 52, 21, tzinfo=UTC)
    assert alerts[0].source == "feed"
    toots = signals_of((FEEDS / "mastodon_tag.rss").read_bytes(), T0)
    assert toots[0].id == toots[0].url == "https://mastodon.social/@camille/113520000000000001"
    assert toots[0].text == "Troisième # livraison ratée chez # acme cette semaine 😡"
    [post] = signals_of((FEEDS / "reddit_search.atom").read_bytes(), T0)
    assert post.id == "t3_1gxyz01" and post.author == "/u/parcel_hunter"
    assert post.text.startswith('Acme late delivery, again — Third late delivery from Acme, support says "soon".')


async def test_polls_every_feed_and_honours_304(server: FeedServer) -> None:
    h = harness()
    feeds = poller(h, server, "google_alerts.atom", "mastodon_tag.rss", "reddit_search.atom")
    async with aiohttp.ClientSession() as session:
        assert await feeds.poll(session) == 5
        assert await feeds.poll(session) == 0  # not due yet: nothing asked
        assert len(server.asked) == 3
        h.clock.advance(minutes=2)
        assert await feeds.poll(session) == 0
    assert sorted(status for _, status in server.asked[3:]) == [304, 304, 304]
    assert len(h.store.signals.signals) == 5
    # Four delivery signals (three matching `livraison`, one `delivery`) cross the threshold: one alert.
    alerts = [c.id for p in h.gateway.posts if p.reply for c in p.reply.cards]
    assert alerts == ["alert:1:1"]


async def test_a_failing_feed_backs_off_says_so_once_and_recovers(
    server: FeedServer, caplog: pytest.LogCaptureFixture
) -> None:
    h = harness()
    feeds = poller(h, server, "mastodon_tag.rss", "reddit_search.atom")
    server.failing.add("mastodon_tag.rss")
    url = f"{server.url}/mastodon_tag.rss"
    with caplog.at_level(logging.INFO, "crisisbot.feeds"):
        async with aiohttp.ClientSession() as session:
            assert await feeds.poll(session) == 1  # the other feed still works
            assert feeds.health[url].startswith("failing (1 in a row): ValueError: HTTP 500")
            h.clock.advance(minutes=2)
            await feeds.poll(session)
            assert [n for n, s in server.asked].count("mastodon_tag.rss") == 1  # backed off: 4 min
            h.clock.advance(minutes=2)
            await feeds.poll(session)
            assert feeds.health[url].startswith("failing (2 in a row)")
            server.failing.clear()
            h.clock.advance(minutes=8)
            assert await feeds.poll(session) == 2
    assert feeds.health[url] == "ok"
    said = [r.getMessage() for r in caplog.records if "mastodon_tag.rss" in r.getMessage()]
    assert len([m for m in said if "fails" in m]) == 1 and len([m for m in said if "works again after" in m]) == 1


async def test_healthz_tells_which_feed_fails(server: FeedServer, tmp_path: Path) -> None:
    server.failing.add("reddit_search.atom")
    env = {"DATABASE_URL": f"sqlite:///{tmp_path / 'c.db'}", "CRISISBOT_SCHEDULER": "off",
           "CRISISBOT_FEEDS": f"{server.url}/reddit_search.atom, {server.url}/mastodon_tag.rss"}
    runner = web.AppRunner(create_app(build_runtime(env)))
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    url = f"http://127.0.0.1:{site._server.sockets[0].getsockname()[1]}"  # type: ignore[union-attr]
    try:
        async with aiohttp.ClientSession() as session:
            for _ in range(100):
                async with session.get(f"{url}/healthz") as response:
                    feeds = (await response.json())["signals"]["feeds"]
                if "not polled yet" not in feeds.values():
                    break
                await asyncio.sleep(0.05)
    finally:
        await runner.cleanup()
    assert feeds[f"{server.url}/reddit_search.atom"].startswith("failing (1 in a row): ValueError: HTTP 500")
    assert feeds[f"{server.url}/mastodon_tag.rss"] == "ok"
