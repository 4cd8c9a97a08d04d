"""A crisisbot server and a fake Slack Web API, both real aiohttp servers on loopback."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp import web

from adapters.runtime import Runtime, build_runtime
from adapters.server import create_app
from adapters.slack import SLACK_DOOR
from adapters.slack.app import SlackDoor
from bot.model import Incident
from storage import sql_uow_factory
from tests.loopback import serve_on_loopback
from tests.slack.fake_slack import FakeSlack
from tests.slack.slack_requests import FORM, SIGNING_SECRET, sign

BOT_TOKEN = "xoxb-test-bot-token-do-not-log"


serve = serve_on_loopback  # the name the Slack tests and benchmarks know it by


def uow_factory(tmp_path: Path) -> Any:
    return sql_uow_factory(f"sqlite:///{tmp_path}/t.db")


@dataclass
class Bot:
    """The running crisisbot server, as Slack sees it."""

    url: str
    runtime: Runtime
    app: web.Application
    session: aiohttp.ClientSession
    slack: FakeSlack

    @property
    def door(self) -> SlackDoor:
        return self.app[SLACK_DOOR]

    async def post(self, body: str, content_type: str = FORM, headers: dict[str, str] | None = None,
                   signed: bool = True) -> aiohttp.ClientResponse:
        all_headers = {"Content-Type": content_type, **(sign(body) if signed else {}), **(headers or {})}
        async with self.session.post(f"{self.url}/slack/events", data=body.encode(), headers=all_headers) as response:
            await response.read()
            return response

    async def send(self, body: str, content_type: str = FORM, **kwargs: Any) -> aiohttp.ClientResponse:
        """Posts and waits for the work done after the acknowledgement."""
        response = await self.post(body, content_type, **kwargs)
        await self.settled()
        return response

    async def settled(self) -> None:
        """The work after the acknowledgements done, and the cards it changed shown (past the refresh window)."""
        await self.door.work.drain()
        await self.runtime.service.drain()

    def incident(self, key: str = "CRI-1") -> Incident | None:
        with self.runtime.dispatcher.uow_factory() as uow:
            return uow.incidents.get_whole(key)


def slack_env(slack_url: str, tmp_path: Path, **extra: str) -> dict[str, str]:
    return {
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_API_URL": f"{slack_url}/api/",
        "DATABASE_URL": f"sqlite:///{tmp_path}/t.db",
        **extra,
    }


@pytest.fixture
async def fake_slack() -> AsyncIterator[tuple[FakeSlack, str]]:
    slack = FakeSlack()
    runner, url = await serve(slack.app())
    slack.url = url
    yield slack, url
    await slack.close_sockets()
    await runner.cleanup()


@pytest.fixture
def extra_env() -> dict[str, str]:
    return {}


@pytest.fixture
async def bot(fake_slack: tuple[FakeSlack, str], tmp_path: Path, extra_env: dict[str, str]) -> AsyncIterator[Bot]:
    slack, slack_url = fake_slack
    runtime = build_runtime(slack_env(slack_url, tmp_path, **extra_env), uow_factory=uow_factory(tmp_path))
    app = create_app(runtime)
    runner, url = await serve(app)
    async with aiohttp.ClientSession() as session:
        yield Bot(url, runtime, app, session, slack)
    await runner.cleanup()
    # Every message the bot sent kept within Slack's limits (the fake refuses the others as Slack does).
    assert not slack.refused, [(call.method, call.answer) for call in slack.refused]
