"""End to end per platform: the real server with its scheduler, cadence in seconds, the fake platform over HTTP.

These are the only scheduler tests on the real clock: the issue asks for a check-in every two seconds to be
seen arriving, which takes that long.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from pathlib import Path

import aiohttp

from adapters.runtime import build_runtime
from adapters.server import create_app
from tests.slack.conftest import Bot, slack_env, uow_factory
from tests.slack.conftest import serve as serve_app
from tests.slack.fake_slack import FakeSlack
from tests.slack.slack_requests import slash_command
from tests.teams.conftest import MEGAN, TeamsClient, thread
from tests.teams.conftest import serve as serve_runtime
from tests.teams.fake_connector import FakeConnector

EVERY_TWO_SECONDS = {"CRISISBOT_CHECKIN_INTERVALS": "2=2s", "CRISISBOT_SCHEDULER_TICK": "1s"}
REMINDER = "time for a status update"


async def until(found: Callable[[], list[str]], timeout: float = 10) -> list[str]:
    """Polls what the fake platform recorded; the scheduler runs on its own clock, so there is no event to await."""
    deadline = time.monotonic() + timeout
    while not found() and time.monotonic() < deadline:
        await asyncio.sleep(0.05)
    return found()


async def test_checkin_reminder_reaches_the_slack_web_api(tmp_path: Path) -> None:
    slack = FakeSlack()
    slack_runner, slack_url = await serve_app(slack.app())
    slack.url = slack_url
    runtime = build_runtime(slack_env(slack_url, tmp_path, **EVERY_TWO_SECONDS), uow_factory=uow_factory(tmp_path))
    app = create_app(runtime)
    runner, url = await serve_app(app)
    try:
        async with aiohttp.ClientSession() as session:
            bot = Bot(url, runtime, app, session, slack)
            assert (await bot.send(slash_command("open Wave of complaints --sev 2"))).status == 200
            incident = bot.incident()
            assert incident is not None
            opened = time.monotonic()

            def reminders() -> list[str]:
                posts = slack.called("chat.postMessage")
                return [c.params["channel"] for c in posts if REMINDER in str(c.params.get("text", ""))]

            channels = await until(lambda: reminders() if len(reminders()) >= len(incident.conversations) else [])
            assert sorted(set(channels)) == sorted(c.id for c in incident.conversations)
            assert time.monotonic() - opened < 6
            reminder = next(c for c in slack.called("chat.postMessage") if REMINDER in str(c.params.get("text", "")))
            assert "<@W111>" in reminder.params["text"]  # the reporter, as nobody leads yet
            assert "Snooze 15 min" in str(reminder.blocks())
    finally:
        await runner.cleanup()
        await slack.close_sockets()
        await slack_runner.cleanup()


async def test_checkin_reminder_reaches_the_bot_connector(tmp_path: Path) -> None:
    connector = FakeConnector()
    await connector.start()
    env = {
        "DATABASE_URL": f"sqlite:///{tmp_path / 'crisisbot.db'}", "TEAMS_MESSAGES_PER_SECOND": "1000",
        **EVERY_TWO_SECONDS,
    }
    runtime = build_runtime(env)
    runner, url = await serve_runtime(runtime)
    try:
        async with aiohttp.ClientSession() as session:
            teams = TeamsClient(session, url, connector, runtime)
            room = thread("1700000000001")
            assert await teams.say("open Wave of complaints about delivery --sev 2", MEGAN, room) == 200
            opened = time.monotonic()

            def reminders() -> list[str]:
                return [c.conversation for c in connector.calls if c.kind in ("send", "reply") and REMINDER in c.text]

            conversations = await until(reminders)
            assert conversations and all(c.startswith(room.split(";")[0]) for c in conversations)
            assert time.monotonic() - opened < 6
            sent = next(c for c in connector.calls if REMINDER in c.text)
            assert "<at>Megan Bowen</at>" in sent.text  # the reporter, as nobody leads yet
            # Teams sends the text, then the card with the buttons, as two activities.
            snooze = await until(lambda: [c.conversation for c in connector.calls if "Snooze 15 min" in str(c.cards)])
            assert snooze
    finally:
        await runner.cleanup()
        await connector.stop()
