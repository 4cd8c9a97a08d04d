"""A `crisisbot serve` server with the Slack door, over real loopback HTTP against the fake Slack Web API."""

from __future__ import annotations

import asyncio
import socket
import time
from collections.abc import AsyncIterator, Callable, Coroutine
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web
from prometheus_client.parser import text_string_to_metric_families

from adapters.runtime import build_runtime
from adapters.server import create_app
from tests.slack.conftest import Bot, fake_slack, slack_env, uow_factory  # noqa: F401 - fake_slack is a fixture
from tests.slack.fake_slack import FakeSlack

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


@asynccontextmanager
async def crisisbot_server(slack: FakeSlack, tmp_path: Path, env: dict[str, str], public: bool = False,
                           host: str = "127.0.0.1") -> AsyncIterator[Bot]:
    """The server `crisisbot serve` runs, listening on `host`, with Slack pointed at the fake."""
    runtime = build_runtime(slack_env(slack.url, tmp_path, **env), uow_factory=uow_factory(tmp_path))
    app = create_app(runtime, public=public)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, host, 0)
    await site.start()
    port = runner.addresses[0][1]
    try:
        async with aiohttp.ClientSession() as session:
            yield Bot(f"http://127.0.0.1:{port}", runtime, app, session, slack)
    finally:
        await runner.cleanup()


def samples(text: str) -> Samples:
    """Every sample of a Prometheus text exposition, by name and labels."""
    return {
        (s.name, frozenset(s.labels.items())): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


def value(found: Samples, name: str, **labels: str) -> float:
    return found.get((name, frozenset(labels.items())), 0.0)


async def scrape(bot: Bot, base: str | None = None) -> tuple[int, str, str]:
    async with bot.session.get(f"{base or bot.url}/metrics") as response:
        return response.status, response.headers.get("Content-Type", ""), await response.text()


def outward_address() -> str | None:
    """An address of this machine that is not loopback, or None (no route: nothing is sent, UDP connects only)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("192.0.2.1", 9))
        except OSError:
            return None
        address = str(probe.getsockname()[0])
    return None if address.startswith("127.") or address == "0.0.0.0" else address


async def until(condition: Callable[[], Coroutine[Any, Any, bool]], timeout: float = 10) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if await condition():
            return True
        await asyncio.sleep(0.1)
    return False
