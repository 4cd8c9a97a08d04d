"""Live updates: a change written by another process to the same database reaches an open event stream."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

from aiohttp import ClientResponse

from tests.web.conftest import start
from tests.web.crisis import environment, runtime_for, say


async def next_event(stream: ClientResponse, timeout: float) -> dict[str, str]:
    """The next server-sent event (comment lines skipped) as its fields."""
    fields: dict[str, str] = {}

    async def read() -> dict[str, str]:
        while True:
            line = (await stream.content.readline()).decode().rstrip("\n")
            if not line and fields.get("event"):
                return fields
            if line and not line.startswith(":"):
                name, _, value = line.partition(": ")
                fields[name] = value

    return await asyncio.wait_for(read(), timeout)


async def test_a_command_from_another_process_is_announced_to_every_open_page(tmp_path: Path) -> None:
    env = environment(tmp_path)
    served = await start(env, clock=None)  # the real clock: the watcher polls in real time
    try:
        await served.enter()
        page = await (await served.client.get("/dashboard")).text()
        assert "Delivery delays" not in page
        generation = page.split('data-generation="', 1)[1].split('"', 1)[0]
        streams = [await served.client.get(f"/dashboard/events?since={generation}") for _ in range(2)]
        for stream in streams:
            assert stream.status == 200 and stream.headers["Content-Type"] == "text/event-stream"
            assert (await stream.content.readline()) == b"retry: 2000\n"
        # Another runtime (its own engine and connections) on the same SQLite file: what the console does.
        console = runtime_for(env)
        started = time.monotonic()
        await asyncio.to_thread(say, console, "open Delivery delays in the north --sev 2")
        events = [await next_event(stream, timeout=10) for stream in streams]
        elapsed = time.monotonic() - started
        assert all(e["event"] == "change" and int(e["id"]) > int(generation) for e in events), events
        print(f"change announced after {elapsed:.2f}s")
        # The page's script then fetches its live part, which now shows the new crisis.
        fragment = await (await served.client.get("/dashboard?fragment=1")).text()
        assert "Delivery delays in the north" in fragment
        for stream in streams:
            stream.close()
    finally:
        await served.client.close()


async def test_a_change_made_before_the_stream_opened_is_not_missed(tmp_path: Path) -> None:
    env = environment(tmp_path)
    served = await start(env, clock=None, crisis=False)
    try:
        await served.enter()
        page = await (await served.client.get("/dashboard")).text()
        generation = page.split('data-generation="', 1)[1].split('"', 1)[0]
        await asyncio.to_thread(say, runtime_for(env), "open Late change --sev 3")
        await asyncio.sleep(2.5)  # the watcher has seen it before the page starts listening
        stream = await served.client.get(f"/dashboard/events?since={generation}")
        event = await next_event(stream, timeout=10)
        assert event["event"] == "change"
        stream.close()
    finally:
        await served.client.close()


async def test_the_event_stream_needs_a_link_too(tmp_path: Path) -> None:
    served = await start(environment(tmp_path), clock=None, crisis=False)
    try:
        response = await served.client.get("/dashboard/events")
        assert response.status == 401
    finally:
        await served.client.close()


async def test_a_stream_asked_from_a_hostile_position_starts_from_now(tmp_path: Path) -> None:
    served = await start(environment(tmp_path), clock=None, crisis=False)
    try:
        await served.enter()
        for query, headers in (("?since=%C2%B2", {}), ("?since=" + "9" * 5000, {}), ("", {"Last-Event-ID": "¹"})):
            stream = await served.client.get(f"/dashboard/events{query}", headers=headers)
            assert stream.status == 200
            assert await asyncio.wait_for(stream.content.readline(), 5) == b"retry: 2000\n"
            stream.close()
    finally:
        await served.client.close()
