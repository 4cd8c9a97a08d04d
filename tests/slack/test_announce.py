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


async def until_called(bot: Bot, method: str) -> None:
    await bot.slack.wait_for(method)
    await bot.door.work.drain()


async def test_startup_checks_the_announce_channel_and_a_usable_one_gets_no_warning(
    bot: Bot, caplog: pytest.LogCaptureFixture
) -> None:
    await until_called(bot, "conversations.info")
    assert bot.slack.called("conversations.info")[0].params["channel"] == "CANNOUNCE"
    assert not [r for r in caplog.records if "CRISISBOT_ANNOUNCE_CHANNEL" in r.getMessage()]


@pytest.mark.parametrize("answer", [{"is_private": True, "is_member": False}, {"is_archived": True}])
async def test_startup_warns_when_the_announce_channel_cannot_be_used(
    bot: Bot, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch, answer: dict[str, bool]
) -> None:
    real = bot.slack.answer

    def channel_info(method: str, params: dict[str, object], token: str | None = None) -> dict[str, object]:
        return {"ok": True, "channel": {"id": "CANNOUNCE", **answer}} if method == "conversations.info" else real(
            method, params, token)

    monkeypatch.setattr(bot.slack, "answer", channel_info)
    await bot.door.gateway.check_announce_channel()
    (warning,) = [r for r in caplog.records if "CRISISBOT_ANNOUNCE_CHANNEL CANNOUNCE" in r.getMessage()]
    assert warning.levelname == "WARNING" and "invite the bot" in warning.getMessage()


async def test_a_failing_announcement_is_warned_about_once_and_the_crisis_still_opens(
    bot: Bot, caplog: pytest.LogCaptureFixture
) -> None:
    await until_called(bot, "conversations.info")
    bot.slack.errors["chat.postMessage"] = "not_in_channel"
    await crisis(bot, "open Outage --sev 1")
    await crisis(bot, "open Second outage --sev 2")
    assert bot.incident("CRI-2") is not None
    warnings = [r for r in caplog.records if "CRISISBOT_ANNOUNCE_CHANNEL" in r.getMessage()]
    assert len(warnings) == 1 and "not_in_channel" in warnings[0].getMessage()
