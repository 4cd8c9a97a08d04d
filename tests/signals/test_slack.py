"""The alert in Slack over real HTTP: hostile signal text shown as typed, Open crisis clicked in the watch channel."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest

from adapters.runtime import build_runtime
from adapters.server import create_app
from tests.slack import slack_shows
from tests.slack.conftest import Bot, fake_slack, serve, slack_env, uow_factory  # noqa: F401 - a fixture
from tests.slack.fake_slack import FakeSlack
from tests.slack.test_cards import card_message, click

WATCH = "CWATCH1"
HOSTILE = "<!channel> livraison *ratée* <https://evil.example|cliquez ici> &amp; <@U999>"


@pytest.fixture
async def bot(fake_slack: tuple[FakeSlack, str], tmp_path: Path) -> AsyncIterator[Bot]:
    slack, slack_url = fake_slack
    env = slack_env(slack_url, tmp_path, CRISISBOT_WATCH_TOPICS="delivery: livraison",
                    CRISISBOT_WATCH_CHANNEL=f"slack:{WATCH}", CRISISBOT_SPIKE="3/10m")
    runtime = build_runtime(env, uow_factory=uow_factory(tmp_path))
    app = create_app(runtime)
    runner, url = await serve(app)
    async with aiohttp.ClientSession() as session:
        yield Bot(url, runtime, app, session, slack)
    await runner.cleanup()
    assert not slack.refused, [(call.method, call.answer) for call in slack.refused]


async def send_signals(bot: Bot, texts: list[str], reach: int = 10) -> None:
    payload = [{"text": text, "author": "<@U666> *me*", "reach": reach + i, "url": "https://x.com/p/1"}
               for i, text in enumerate(texts)]
    async with bot.session.post(f"{bot.url}/signals", json=payload) as response:
        assert response.status == 202


async def test_alert_shows_hostile_text_as_typed(bot: Bot) -> None:
    await send_signals(bot, [HOSTILE, "livraison 2", "livraison 3"])
    _, blocks = card_message(bot, WATCH, "alert:1:1")
    shown, _ = slack_shows.message(blocks)
    seen = shown.text.replace("\u2060", "")
    assert HOSTILE in seen and "<@U666> *me*" in seen
    assert not [e for e in shown.effects if e[0] in ("ping", "user", "channel")]
    assert [e for e in shown.effects if e[0] == "link" and "evil" in e[1]] == []
    assert "Open crisis" in shown.text and "False alarm" in shown.text


async def test_open_crisis_from_the_alert_in_slack(bot: Bot) -> None:
    await send_signals(bot, ["livraison 1", "livraison 2", "livraison 3"])
    await click(bot, WATCH, "alert:1:1", "Open crisis", "W777")
    incident = bot.incident()
    assert incident is not None and incident.title == "Signals on delivery" and incident.reporter == "W777"
    assert bot.slack.called("conversations.create"), "the crisis gets its own channel, as with `open`"
    _, blocks = card_message(bot, WATCH, "alert:1:1")
    shown, _ = slack_shows.message(blocks)
    assert "opened as CRI-1 by @W777" in shown.text and "Open crisis" not in shown.text


async def test_false_alarm_from_slack_is_recorded_with_who(bot: Bot) -> None:
    await send_signals(bot, ["livraison 1", "livraison 2", "livraison 3"])
    await click(bot, WATCH, "alert:1:1", "False alarm", "W778")
    assert bot.incident() is None
    _, blocks = card_message(bot, WATCH, "alert:1:1")
    shown, _ = slack_shows.message(blocks)
    assert "false alarm, said @W778" in shown.text

