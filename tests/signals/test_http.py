"""`POST /signals` over real HTTP on loopback: signed and unsigned, malformed, too big, duplicates, and the alert."""

from __future__ import annotations

import asyncio
import io
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import make_mocked_request

from adapters.metrics import from_loopback
from adapters.runtime import Runtime, build_runtime
from adapters.server import create_app
from adapters.signals_http import MAX_BODY, signature_of
from adapters.signals_import import through_server
from tests.fakes import FakeClock, FakeGateway
from tests.loopback import serve_on_loopback

SECRET = "s3cret-for-tests"


@dataclass
class Door:
    session: aiohttp.ClientSession
    url: str
    runtime: Runtime
    gateway: FakeGateway

    async def post(self, body: bytes, signature: str | None = None) -> tuple[int, dict[str, object]]:
        headers = {"Content-Type": "application/json"}
        if signature is not None:
            headers["X-Crisisbot-Signature"] = signature
        async with self.session.post(f"{self.url}/signals", data=body, headers=headers) as response:
            return response.status, await response.json()

    async def signed(self, payload: object) -> tuple[int, dict[str, object]]:
        body = json.dumps(payload).encode()
        return await self.post(body, signature_of(SECRET, body))

    def stored(self) -> int:
        with self.runtime.dispatcher.uow_factory() as uow:
            return uow.signals.count("delivery", FakeClock().now(), FakeClock().now().replace(year=2100))


async def start(env: dict[str, str]) -> tuple[web.AppRunner, str, Runtime, FakeGateway]:
    runtime = build_runtime(env, clock=FakeClock())
    gateway = FakeGateway("console")
    runtime.add_gateway(gateway)
    runner, url = await serve_on_loopback(create_app(runtime))
    return runner, url, runtime, gateway


def environment(tmp_path: Path, secret: str = SECRET) -> dict[str, str]:
    return {
        "DATABASE_URL": f"sqlite:///{tmp_path / 'crisisbot.db'}",
        "CRISISBOT_SCHEDULER": "off",
        "CRISISBOT_SIGNALS_SECRET": secret,
        "CRISISBOT_WATCH_TOPICS": "delivery: livraison, late delivery",
        "CRISISBOT_WATCH_CHANNEL": "console:watch",
        "CRISISBOT_SPIKE": "3/10m",
    }


@pytest.fixture
async def door(tmp_path: Path) -> AsyncIterator[Door]:
    runner, url, runtime, gateway = await start(environment(tmp_path))
    async with aiohttp.ClientSession() as session:
        yield Door(session, url, runtime, gateway)
    await runner.cleanup()


async def test_signed_signals_are_accepted_once(door: Door) -> None:
    payload = [
        {"id": "x-1", "source": "x", "text": "Livraison en retard <@U123> *bold*", "url": "https://x.com/1",
         "author": "@anna", "reach": 1200, "language": "fr", "published_at": "2026-11-23T09:58:00Z"},
        {"text": "another late delivery"},
    ]
    assert await door.signed(payload) == (202, {"accepted": 2, "duplicates": 0})
    assert await door.signed(payload[0]) == (202, {"accepted": 0, "duplicates": 1})
    assert door.stored() == 2


async def test_a_missing_or_wrong_signature_is_refused(door: Door) -> None:
    body = json.dumps({"text": "livraison"}).encode()
    assert (await door.post(body))[0] == 401
    assert (await door.post(body, signature_of("other", body)))[0] == 401
    assert (await door.post(body + b" ", signature_of(SECRET, body)))[0] == 401
    assert door.stored() == 0


@pytest.mark.parametrize(("payload", "field"), [
    (b"{not json", None),
    (b'{"source": "x"}', "text"),
    (b'{"text": "   "}', "text"),
    (b'[{"text": "livraison"}, {"text": 12}]', "[1].text"),
    (b'{"text": "livraison", "reach": "many"}', "reach"),
    (b'{"text": "livraison", "reach": true}', "reach"),
    (b'{"text": "livraison", "published_at": "yesterday"}', "published_at"),
    (b'[{"text": "livraison"}, 3]', "[1]"),
    (b'"livraison"', None),
])
async def test_malformed_bodies_get_400_naming_the_field_and_store_nothing(
    door: Door, payload: bytes, field: str | None
) -> None:
    status, body = await door.post(payload, signature_of(SECRET, payload))
    assert status == 400
    assert body.get("field") == field
    assert door.stored() == 0


async def test_a_body_over_one_megabyte_gets_413(door: Door) -> None:
    body = json.dumps({"text": "livraison " + "x" * MAX_BODY}).encode()
    headers = {"Content-Type": "application/json", "X-Crisisbot-Signature": signature_of(SECRET, body)}
    async with door.session.post(f"{door.url}/signals", data=io.BytesIO(body), headers=headers) as response:
        assert response.status == 413
    assert door.stored() == 0


async def test_a_spike_posts_one_alert_in_the_watch_channel(door: Door) -> None:
    assert (await door.signed([{"text": f"livraison perdue {i}", "reach": i} for i in range(3)]))[0] == 202
    clock = door.runtime.dispatcher.clock
    assert isinstance(clock, FakeClock)
    clock.advance(seconds=10)
    assert (await door.signed([{"text": "livraison perdue 4"}]))[0] == 202
    posted = [c for p in door.gateway.posts if p.conversation == "watch" and p.reply for c in p.reply.cards]
    assert [c.id for c in posted] == ["alert:1:1"]
    assert door.gateway.updates[-1].card is not None
    assert "4 in the last 10 min" in door.gateway.updates[-1].card.fields[0].value


async def test_without_a_secret_unsigned_signals_are_taken_from_loopback(tmp_path: Path) -> None:
    runner, url, _, _ = await start(environment(tmp_path, secret=""))
    try:
        async with aiohttp.ClientSession() as session:
            async with session.post(f"{url}/signals", json={"text": "livraison"}) as response:
                assert response.status == 202
            async with session.get(f"{url}/healthz") as response:
                health = await response.json()
        assert "loopback only" in health["signals"]["endpoint"]
    finally:
        await runner.cleanup()


def test_loopback_addresses() -> None:
    def seen_from(remote: str, **headers: str) -> bool:
        request = make_mocked_request("POST", "/signals", headers=headers)
        request._transport_peername = (remote, 1)  # type: ignore[attr-defined]  # where aiohttp reads `remote`
        return from_loopback(request)

    assert seen_from("127.0.0.1") and seen_from("::1") and seen_from("127.8.0.3")
    assert not seen_from("10.0.0.2") and not seen_from("2001:db8::1") and not seen_from("x")
    assert not seen_from("127.0.0.1", **{"X-Forwarded-For": "203.0.113.9"})  # a proxy on this host


@pytest.mark.parametrize("payload, field", [
    (b"[" * 100_000 + b"]" * 100_000, None),
    (b'{"text": "livraison", "reach": ' + b"9" * 5000 + b"}", None),
    (b'{"text": "livraison", "reach": ' + str(2**70).encode() + b"}", "reach"),
    (b'{"text": "livraison", "published_at": "0001-01-01T00:00:00+01:00"}', "published_at"),
])
async def test_hostile_json_gets_400_and_stores_nothing(door: Door, payload: bytes, field: str | None) -> None:
    status, body = await door.post(payload, signature_of(SECRET, payload))
    assert status == 400
    assert body.get("field") == field
    assert door.stored() == 0


async def test_without_a_secret_a_request_through_a_proxy_is_not_loopback(tmp_path: Path) -> None:
    runner, url, runtime, _ = await start(environment(tmp_path, secret=""))
    try:
        async with aiohttp.ClientSession() as session:
            for header in ({"X-Forwarded-For": "203.0.113.9"}, {"Forwarded": "for=203.0.113.9"}):
                async with session.post(f"{url}/signals", json={"text": "livraison"}, headers=header) as response:
                    assert response.status == 403
        with runtime.dispatcher.uow_factory() as uow:
            assert uow.signals.count("delivery", FakeClock().now(), FakeClock().now().replace(year=2100)) == 0
    finally:
        await runner.cleanup()


async def test_a_nul_character_gets_400_on_every_database(database_url: str, tmp_path: Path) -> None:
    # PostgreSQL stores no NUL in text: refused at the door, on SQLite too, so both databases answer the same.
    runner, url, runtime, _ = await start(environment(tmp_path) | {"DATABASE_URL": database_url})
    try:
        async with aiohttp.ClientSession() as session:
            door = Door(session, url, runtime, FakeGateway("console"))
            for payload in ({"text": "livraison\u0000 perdue"}, {"text": "livraison", "author": "\u0000"}):
                status, body = await door.signed(payload)
                assert status == 400 and "NUL" in str(body["error"])
            # A lone surrogate, valid as a JSON escape, is no character any database can store.
            for payload in ({"text": "livraison \ud800"}, {"text": "livraison", "url": "\udfff"}):
                status, body = await door.signed(payload)
                assert status == 400 and "surrogate" in str(body["error"])
            assert door.stored() == 0
    finally:
        await runner.cleanup()


async def test_a_signature_header_of_bytes_that_are_not_utf8_gets_401(door: Door) -> None:
    # aiohttp keeps such header bytes as surrogate escapes; comparing them must not fail the request with a 500.
    body = json.dumps({"text": "livraison"}).encode()
    address = urlsplit(door.url)
    reader, writer = await asyncio.open_connection(address.hostname, address.port)
    writer.write(b"POST /signals HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nConnection: close\r\n"
                 b"X-Crisisbot-Signature: sha256=\xff\xfe\r\n"
                 + f"Content-Length: {len(body)}\r\n\r\n".encode() + body)
    await writer.drain()
    answer = await reader.read()
    writer.close()
    assert answer.split(b"\r\n", 1)[0] == b"HTTP/1.1 401 Unauthorized"
    assert door.stored() == 0


async def test_the_same_signal_twice_in_one_batch_is_one_signal(door: Door) -> None:
    payload = [{"id": "x-1", "text": "livraison"}, {"id": "x-1", "text": "livraison"},
               {"text": "late delivery"}, {"text": "late delivery"}]
    assert await door.signed(payload) == (202, {"accepted": 2, "duplicates": 2})
    assert door.stored() == 2


async def test_a_publication_time_in_the_future_is_refused_beyond_clock_skew(door: Door) -> None:
    # A local time sent without its offset, or a placeholder date, would show as the alert's "First signal".
    status, body = await door.signed([{"text": "livraison"}, {"text": "livraison", "published_at": "2099-01-01T00:00Z"}])
    assert status == 400 and body["field"] == "[1].published_at" and "future" in str(body["error"])
    assert door.stored() == 0
    # A sender's clock a little ahead is no mistake: taken as received now.
    now = door.runtime.dispatcher.clock.now()
    ahead = (now + timedelta(minutes=2)).isoformat()
    assert (await door.signed([{"text": f"livraison {i}", "published_at": ahead} for i in range(3)]))[0] == 202
    with door.runtime.dispatcher.uow_factory() as uow:
        assert {s.published_at for s in uow.signals.matching("delivery", now - timedelta(days=1))} == {now}


async def test_an_import_through_the_server_sends_a_notepad_file_with_gaps(door: Door, tmp_path: Path) -> None:
    path = tmp_path / "drill.jsonl"
    path.write_bytes(b'\xef\xbb\xbf{"text": "livraison 1"}\r\n\r\n{"text": "livraison 2"}\r\n')
    assert await through_server(path, door.url, SECRET) == (2, 0)
    assert door.stored() == 2
