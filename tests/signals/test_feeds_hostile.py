"""Feeds as a careless or hostile publisher writes them: big, with odd characters, dates and ids."""

from __future__ import annotations

from collections.abc import AsyncIterator

import aiohttp
import pytest
from aiohttp import web

from adapters.feeds import signals_of
from tests.fakes import T0
from tests.loopback import serve_on_loopback
from tests.signals.test_feeds import harness, poller


class Served:
    """Serves whatever bytes a test puts under a name."""

    def __init__(self) -> None:
        self.documents: dict[str, bytes] = {}
        self.url = ""

    async def serve(self, request: web.Request) -> web.Response:
        return web.Response(body=self.documents[request.match_info["name"]], content_type="application/rss+xml")


@pytest.fixture
async def served() -> AsyncIterator[Served]:
    feeds = Served()
    app = web.Application()
    app.router.add_get("/{name}", feeds.serve)
    runner, feeds.url = await serve_on_loopback(app)
    yield feeds
    await runner.cleanup()


def rss(*items: str) -> bytes:
    return ("<rss version='2.0'><channel><title>t</title>" + "".join(items) + "</channel></rss>").encode()


def item(title: str, guid: str, extra: str = "") -> str:
    return f"<item><title>{title}</title><guid isPermaLink='false'>{guid}</guid>{extra}</item>"


async def test_a_feed_bigger_than_one_read_is_read_whole(served: Served) -> None:
    # Some 400 kB: more than the first chunk the connection hands over.
    served.documents["big.rss"] = rss(*(item(f"livraison {i} " + "x" * 1000, f"g{i}") for i in range(400)))
    h = harness()
    feeds = poller(h, served, "big.rss")  # type: ignore[arg-type]
    async with aiohttp.ClientSession() as session:
        assert await feeds.poll(session) == 400
    assert feeds.health[f"{served.url}/big.rss"] == "ok"


def test_a_lone_surrogate_in_an_item_is_replaced_not_fatal() -> None:
    [signal] = signals_of(rss(item("livraison &#xD800; perdue", "g&#57343;1")), T0)
    assert signal.text == "livraison \ufffd perdue" and signal.id == "g\ufffd1"


def test_a_date_out_of_range_is_dropped_not_fatal() -> None:
    atom = (b'<feed xmlns="http://www.w3.org/2005/Atom"><entry><id>e1</id><title>livraison</title>'
            b"<updated>0001-01-01T00:00:00+14:00</updated></entry></feed>")
    [signal] = signals_of(atom, T0)
    assert signal.published_at is None and signal.text == "livraison"


def test_guids_sharing_their_first_500_characters_stay_two_signals() -> None:
    first, second = signals_of(rss(item("livraison 1", "x" * 600 + "1"), item("livraison 2", "x" * 600 + "2")), T0)
    assert first.id != second.id and len(first.id) <= 500


def test_an_item_dated_in_the_future_counts_from_its_arrival() -> None:
    [signal] = signals_of(rss(item("livraison", "g1", "<pubDate>Fri, 01 Jan 2099 00:00:00 GMT</pubDate>")), T0)
    assert signal.published_at == T0
