"""The alert in Slack over real HTTP: hostile signal text shown as typed, Open crisis clicked in the watch channel."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path
from urllib.parse import urlencode

import aiohttp
import pytest

from adapters.runtime import build_runtime
from adapters.server import create_app
from adapters.slack.inbound import SIGNAL_SHORTCUT
from tests.fakes import FakeClock
from tests.slack import slack_shows
from tests.slack.conftest import Bot, fake_slack, serve, slack_env, uow_factory  # noqa: F401 - a fixture
from tests.slack.fake_slack import FakeSlack
from tests.slack.slack_requests import FIXTURES
from tests.slack.test_cards import card_message, click

WATCH = "CWATCH1"
HOSTILE = "<!channel> livraison *ratée* <https://evil.example|cliquez ici> &amp; <@U999>"


@pytest.fixture
async def bot(fake_slack: tuple[FakeSlack, str], tmp_path: Path) -> AsyncIterator[Bot]:  # noqa: F811
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



def shortcut(text: str, callback_id: str = SIGNAL_SHORTCUT, user: str = "W111", action_ts: str = "1.2") -> str:
    """The message shortcut exactly as Slack posts it (tests/fixtures/slack/slack_message_shortcut.json)."""
    payload = json.loads((FIXTURES / "slack_message_shortcut.json").read_text())
    payload["callback_id"] = callback_id
    payload["user"]["id"] = user
    payload["action_ts"] = action_ts
    payload["message"]["text"] = text
    return urlencode({"payload": json.dumps(payload)})


async def test_report_as_crisis_signal_shortcut_records_the_message(bot: Bot) -> None:
    response = await bot.send(shortcut("La livraison n'arrive jamais &lt;3 <@W222>"))
    assert response.status == 200
    with bot.runtime.dispatcher.uow_factory() as uow:
        [signal] = uow.signals.matching("delivery", FakeClock().now().replace(year=2000))
    assert signal.text == "La livraison n'arrive jamais <3 <@W222>"
    assert signal.url == "https://test-test.slack.com/archives/C111/p1583636382000300"
    assert signal.author == "W111" and signal.source == "chat"
    told = bot.slack.called("chat.postEphemeral")[-1].params
    assert told["user"] == "W111" and "Signal recorded, on delivery." in told["text"]


async def test_another_apps_shortcut_is_ignored(bot: Bot) -> None:
    response = await bot.send(shortcut("livraison", callback_id="someone_else"))
    assert response.status == 200
    with bot.runtime.dispatcher.uow_factory() as uow:
        assert not uow.signals.matching("delivery", FakeClock().now().replace(year=2000))


def test_the_manifest_declares_the_shortcut() -> None:
    text = (Path(__file__).resolve().parents[2] / "manifest.yaml").read_text()
    shortcuts = text.split("  shortcuts:\n", 1)[1].split("\noauth_config:", 1)[0]
    assert "- name: Report as crisis signal\n      type: message\n" in shortcuts
    assert f"callback_id: {SIGNAL_SHORTCUT}\n" in shortcuts
