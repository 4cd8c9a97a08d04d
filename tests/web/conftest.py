"""A `crisisbot serve` application on loopback (aiohttp's test server) over a SQLite file with crises in it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer

from adapters.runtime import Runtime
from adapters.server import create_app
from tests.fakes import FakeClock
from tests.web.crisis import environment, play_crisis, runtime_for, say


@dataclass
class Served:
    client: TestClient[Any, Any]
    runtime: Runtime
    clock: FakeClock | None

    def link(self, person: str = "alice", language: str | None = None) -> str:
        """The path and query of the link `dashboard` gives `person` in chat."""
        text = say(self.runtime, "dashboard", person=person, language=language).text
        return "/dashboard?" + text.split("/dashboard?", 1)[1]

    async def enter(self, person: str = "alice", language: str | None = None) -> None:
        """Opens the person's link, so the client holds the dashboard cookie."""
        response = await self.client.get(self.link(person, language))
        assert response.status == 200, await response.text()


async def start(env: dict[str, str], clock: FakeClock | None = None, crisis: bool = True) -> Served:
    runtime = runtime_for(env, clock)
    if crisis:
        play_crisis(runtime, clock)
    client: TestClient[Any, Any] = TestClient(TestServer(create_app(runtime)))
    await client.start_server()
    return Served(client, runtime, clock)


@pytest.fixture
async def served(tmp_path: Path) -> AsyncIterator[Served]:
    """The three crises of `play_crisis` on a fake clock: CRI-1 resolved, CRI-2 monitoring, CRI-3 active."""
    found = await start(environment(tmp_path), FakeClock())
    try:
        yield found
    finally:
        await found.client.close()
