"""Holding statements and the frontline brief over real HTTP: Slack's requests signed, its Web API a loopback fake."""

from __future__ import annotations

import pytest

from bot.drafts import DraftState
from tests.slack import slack_shows
from tests.slack.conftest import Bot
from tests.slack.test_cards import card_message, click
from tests.slack.test_commands import COMMS, LEAD, LEGAL, SUPPORT, crisis, ephemeral_texts

PREP, FRONT = "CPREP01", "CFRONT1"
TEXT = "We are aware that deliveries of {product} are late *again* & ~slow~. Next update by {time}."


@pytest.fixture
def extra_env() -> dict[str, str]:
    return {
        "CRISISBOT_ROSTER_LEAD": LEAD, "CRISISBOT_ROSTER_COMMS": COMMS, "CRISISBOT_ROSTER_LEGAL": LEGAL,
        "CRISISBOT_FRONTLINE_CHANNELS": f"slack:{FRONT}", "CRISISBOT_CARD_REFRESH": "0s",
    }


def posts_in(bot: Bot, channel: str) -> list[str]:
    return [c.params.get("text", "") for c in bot.slack.called("chat.postMessage") if c.params["channel"] == channel]


async def test_a_template_approved_by_buttons_then_used_and_published_in_a_crisis(bot: Bot) -> None:
    await crisis(bot, f"template delivery-delay {TEXT}", user=SUPPORT, channel=PREP)
    _, blocks = card_message(bot, PREP, "template:delivery-delay")
    shown, _ = slack_shows.message(blocks, names={})
    assert "late *again* & ~slow~" in shown.text and "{product}, {time}" in shown.text  # exactly as typed
    await click(bot, PREP, "template:delivery-delay", "Approve", SUPPORT)
    assert "four-eyes" in ephemeral_texts(bot)[-1]
    await click(bot, PREP, "template:delivery-delay", "Approve", COMMS)
    await click(bot, PREP, "template:delivery-delay", "Approve", LEGAL)
    _, blocks = card_message(bot, PREP, "template:delivery-delay")
    shown, _ = slack_shows.message(blocks, names={COMMS: "comms", LEGAL: "legal"})
    assert "approved by @comms" in shown.text and "approved by @legal" in shown.text and "Approve" not in str(blocks)
    assert len([c for c in bot.slack.called("chat.postMessage") if c.params["channel"] == PREP and "blocks" in c.params
                and "template:delivery-delay|" in str(c.params["blocks"])]) == 1  # then updated in place

    await crisis(bot, "open Kettle K2 stuck in transit --sev 1", user=SUPPORT)
    room = bot.slack.called("conversations.invite")[0].params["channel"]
    await crisis(bot, 'use delivery-delay product=Kettle K2 time="18:00"', user=SUPPORT, channel=room)
    _, blocks = card_message(bot, room, "draft:CRI-1:1")
    shown, _ = slack_shows.message(blocks, names={})
    assert "from approved template delivery-delay" in shown.text and "Kettle K2 are late *again* & ~slow~" in shown.text
    await click(bot, room, "draft:CRI-1:1", "Approve", LEAD)
    assert bot.incident().drafts[0].state is DraftState.APPROVED  # type: ignore[union-attr]
    await crisis(bot, "publish 1 website", user=LEAD, channel=room)
    assert bot.incident().drafts[0].state is DraftState.PUBLISHED  # type: ignore[union-attr]
    assert "CRI-1 · changed: public statement" in posts_in(bot, FRONT)


async def test_answers_and_line_reach_the_frontline_room_updated_in_place_until_resolved(bot: Bot) -> None:
    await crisis(bot, "open Kettle K2 stuck --sev 1", user=SUPPORT)
    room = bot.slack.called("conversations.invite")[0].params["channel"]
    await crisis(bot, "answer Is my order late? | Yes, by up to *two* days.", user=SUPPORT, channel=room)
    assert not posts_in(bot, FRONT)
    await click(bot, room, "answer:CRI-1:1", "Approve", COMMS)
    ts, blocks = card_message(bot, FRONT, "brief:CRI-1")
    shown, _ = slack_shows.message(blocks, names={})
    assert "Yes, by up to *two* days." in shown.text  # no bold of its own
    await crisis(bot, "line Hide insults, never delete complaints.", user=SUPPORT, channel=room)
    await click(bot, room, "line:CRI-1", "Approve", COMMS)
    again, blocks = card_message(bot, FRONT, "brief:CRI-1")
    assert again == ts and "Hide insults" in str(blocks)
    assert "CRI-1 · changed: moderation line" in posts_in(bot, FRONT)
    await crisis(bot, "resolve Delivered", user=LEAD, channel=room)
    _, blocks = card_message(bot, FRONT, "brief:CRI-1")
    assert "no longer changes" in str(blocks)
    # Anyone, privately, in a direct message: an agent looks the brief up.
    await crisis(bot, "CRI-1 brief", user="UAGENT1", channel="DAGENT1")
    private = bot.slack.called("chat.postEphemeral")[-1]
    assert private.params["channel"] == "DAGENT1" and private.params["user"] == "UAGENT1"
    shown, _ = slack_shows.message(private.blocks(), names={})
    assert "Yes, by up to *two* days." in shown.text and "no longer changes" in shown.text
