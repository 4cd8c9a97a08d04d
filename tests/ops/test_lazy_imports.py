"""`crisisbot serve` loads the library of a door or feature only when it is configured or used (issue #10: memory).

The real server runs in a subprocess with `python -X importtime`, which lists on standard error every module the
process imported. Its Slack door talks to the fake Slack Web API of the Slack tests.
"""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp import web

from storage.migrate import alembic_config, head_revision, upgrade
from tests.slack.conftest import BOT_TOKEN, serve
from tests.slack.fake_slack import FakeSlack
from tests.slack.slack_requests import FORM, SIGNING_SECRET, sign, slash_command

REPO = Path(__file__).resolve().parents[2]
# Each is some megabytes that a server not configured for its feature should not carry.
OPTIONAL = {"botbuilder": "the Teams door", "jinja2": "the dashboard", "prometheus_client": "metrics",
            "feedparser": "feeds", "yaml": "template files", "alembic": "migrations (run apart, before the start)"}
FEED = """<?xml version="1.0"?><rss version="2.0"><channel><title>Reviews</title>
<item><guid>r-1</guid><title>Late parcel</title><description>Still waiting</description></item></channel></rss>"""

Visit = Callable[[aiohttp.ClientSession, str], Awaitable[None]]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def imported(importtime_log: str) -> set[str]:
    """The top-level packages `-X importtime` reports ("import time: self | cumulative | name")."""
    return {line.rsplit("|", 1)[1].strip().split(".")[0]
            for line in importtime_log.splitlines() if line.startswith("import time:") and "|" in line}


async def until(check: Callable[[], Awaitable[bool]], timeout: float = 60) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not await check():
        assert asyncio.get_running_loop().time() < deadline, "timed out"
        await asyncio.sleep(0.1)


async def healthz(session: aiohttp.ClientSession, url: str) -> dict[str, Any] | None:
    try:
        async with session.get(f"{url}/healthz") as response:
            return dict(await response.json()) if response.status == 200 else None
    except aiohttp.ClientError:
        return None


@asynccontextmanager
async def fake_slack() -> AsyncIterator[FakeSlack]:
    slack = FakeSlack()
    runner, slack.url = await serve(slack.app())
    try:
        yield slack
    finally:
        await slack.close_sockets()
        await runner.cleanup()


async def modules_of_serve(slack: FakeSlack, tmp_path: Path, visit: Visit, **extra_env: str) -> set[str]:
    """Runs `crisisbot serve` with the Slack door, opens a crisis through it, lets `visit` do more, and returns what
    the server imported by then."""
    port = free_port()
    env = {key: value for key, value in os.environ.items() if not key.startswith(("SLACK_", "MICROSOFT_", "CRISISBOT_"))}
    env.update(SLACK_BOT_TOKEN=BOT_TOKEN, SLACK_SIGNING_SECRET=SIGNING_SECRET, SLACK_API_URL=f"{slack.url}/api/",
               DATABASE_URL=f"sqlite:///{tmp_path}/crisis.db", PYTHONPATH=str(REPO), **extra_env)
    errors = tmp_path / "stderr.txt"
    with errors.open("w") as stderr:
        server = await asyncio.create_subprocess_exec(
            sys.executable, "-X", "importtime", "-m", "adapters.cli", "serve", "--port", str(port), "--host", "127.0.0.1",
            cwd=tmp_path, env=env, stdout=asyncio.subprocess.DEVNULL, stderr=stderr)
        url = f"http://127.0.0.1:{port}"
        try:
            async with aiohttp.ClientSession() as session:
                await until(lambda: _answers(session, url, server))
                body = slash_command("open Checkout is down --sev 2")
                async with session.post(f"{url}/slack/events", data=body.encode(),
                                        headers={"Content-Type": FORM, **sign(body)}) as response:
                    assert response.status == 200

                async def card_posted() -> bool:
                    return any(call.method == "chat.postMessage" for call in slack.calls)

                await until(card_posted)
                await visit(session, url)
        finally:
            server.send_signal(signal.SIGINT)
            await asyncio.wait_for(server.wait(), 30)
    return imported(errors.read_text())


async def _answers(session: aiohttp.ClientSession, url: str, server: asyncio.subprocess.Process) -> bool:
    assert server.returncode is None, "crisisbot serve stopped"
    return await healthz(session, url) is not None


@pytest.mark.slow
async def test_a_slack_only_server_loads_nothing_of_the_doors_and_features_it_does_not_use(tmp_path: Path) -> None:
    async def look_around(session: aiohttp.ClientSession, url: str) -> None:
        async with session.head(f"{url}/api/messages") as probe:  # a client checking the Teams endpoint is there
            assert probe.status == 200

    async with fake_slack() as slack:
        modules = await modules_of_serve(slack, tmp_path, look_around)
    assert "slack_bolt" in modules and "adapters" in modules  # the log is read right
    loaded = {name: feature for name, feature in OPTIONAL.items() if name in modules}
    assert loaded == {}


@pytest.mark.slow
async def test_each_library_comes_with_the_first_use_of_its_feature(tmp_path: Path) -> None:
    feeds = web.Application()

    async def feed(_: web.Request) -> web.Response:
        return web.Response(text=FEED, content_type="application/rss+xml")

    feeds.router.add_get("/reviews.xml", feed)
    feed_runner, feed_url = await serve(feeds)

    async def use_everything(session: aiohttp.ClientSession, url: str) -> None:
        async with session.post(f"{url}/api/messages", data="hello", headers={"Content-Type": "text/plain"}) as teams:
            assert teams.status == 415  # answered by the Teams door, built for it
        async with session.get(f"{url}/dashboard") as dashboard:
            assert dashboard.status == 503 and "<html" in (await dashboard.text()).lower()  # off: no secret key
        async with session.get(f"{url}/metrics") as scraped:
            assert scraped.status == 200

        async def polled() -> bool:
            health = await healthz(session, url) or {}
            return health.get("signals", {}).get("feeds", {}).get(f"{feed_url}/reviews.xml") == "ok"

        await until(polled)

    try:
        async with fake_slack() as slack:
            modules = await modules_of_serve(slack, tmp_path, use_everything, CRISISBOT_METRICS="on",
                                             CRISISBOT_FEEDS=f"{feed_url}/reviews.xml")
    finally:
        await feed_runner.cleanup()
    assert {"botbuilder", "jinja2", "prometheus_client", "feedparser"} <= modules


def test_the_newest_revision_read_from_the_scripts_is_alembics() -> None:
    from alembic.script import ScriptDirectory

    assert head_revision() == ScriptDirectory.from_config(alembic_config()).get_current_head()


OPEN_AND_LIST = """
import sys
from storage import sql_uow_factory
with sql_uow_factory(sys.argv[1])() as uow:
    uow.incidents.next_number()
print("alembic" in sys.modules)
"""


@pytest.mark.parametrize("upgraded", [True, False], ids=["at-head", "new"])
def test_alembic_is_loaded_only_for_a_database_that_needs_migrating(tmp_path: Path, upgraded: bool) -> None:
    url = f"sqlite:///{tmp_path}/crisis.db"
    if upgraded:
        upgrade(url)
    child = subprocess.run([sys.executable, "-c", OPEN_AND_LIST, url], capture_output=True, text=True, check=True,
                           env={**os.environ, "PYTHONPATH": str(REPO)})
    assert child.stdout.split() == [str(not upgraded)]
