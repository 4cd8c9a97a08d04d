"""CRISISBOT_ANNOUNCE_CHANNEL: every new crisis is announced there, with a link to where it lives."""

from __future__ import annotations

import pytest

from tests.slack.conftest import Bot
from tests.slack.test_commands import crisis


@pytest.fixture
def extra_env() -> dict[str, str]:
    return {"CRISISBOT_ANNOUNCE_CHANNEL": "#CANNOUNCE"}


async def test_new_crisis_is_announced_with_a_link_to_its_channel(bot: Bot) -> None:
    await crisis(bot, "open Outage --sev 1")
    room = bot.slack.called("conversations.create")[0].answer["channel"]["id"]
    announced = [c for c in bot.slack.called("chat.postMessage") if c.params["channel"] == "CANNOUNCE"]
    assert len(announced) == 1 and "CRI-1" in announced[0].params["text"] and f"<#{room}>" in announced[0].params["text"]


async def test_announcement_points_at_the_current_channel_when_no_room_could_be_made(bot: Bot) -> None:
    bot.slack.errors["conversations.create"] = "restricted_action"
    await crisis(bot, "open Outage --sev 1")
    announced = [c for c in bot.slack.called("chat.postMessage") if c.params["channel"] == "CANNOUNCE"]
    assert len(announced) == 1 and "<#C111>" in announced[0].params["text"]
