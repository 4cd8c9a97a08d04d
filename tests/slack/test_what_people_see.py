"""Through the real HTTP door: what the bot posts to Slack reads as typed, fits Slack's limits, answers a click once."""

from __future__ import annotations

import logging
import re

import pytest

from tests.slack import slack_shows
from tests.slack.conftest import Bot
from tests.slack.fake_slack import Call
from tests.slack.slack_requests import button_click, view_submission
from tests.slack.test_cards import card_message, click, element, opened_with_draft
from tests.slack.test_commands import LEAD, LEGAL, crisis

# As Slack sends a slash command's text: `&`, `<`, `>` as entities.
LITERAL = "<!channel> read <https://evil.example|our site> now: <50€ & >2 days *hurry*"
AS_SENT = LITERAL.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def posted_in(bot: Bot, channel: str, since: int = 0) -> list[Call]:
    return [c for c in bot.slack.calls[since:] if c.method == "chat.postMessage" and c.params["channel"] == channel]


def assert_no_ping_nor_link(*shown: slack_shows.Shown) -> None:
    for view in shown:
        assert [kind for kind, _ in view.effects if kind not in ("user", "channel")] == [], view.effects


async def test_a_draft_is_posted_exactly_as_typed_and_pings_no_one(bot: Bot) -> None:
    await crisis(bot, "open Wave of complaints --sev 2")
    await crisis(bot, f"CRI-1 draft {AS_SENT}")
    assert bot.incident().drafts[0].text == LITERAL  # type: ignore[union-attr]
    room = bot.slack.called("conversations.invite")[0].params["channel"]
    _, blocks = card_message(bot, room, "draft:CRI-1:1")
    shown, _ = slack_shows.message(blocks)
    assert LITERAL in shown.text
    assert_no_ping_nor_link(shown)
    news = [c for c in bot.slack.called("chat.postMessage") if "draft #1" in str(c.params.get("text"))]
    for call in news + [c for c in bot.slack.calls if c.method == "chat.update"]:
        body, notification = slack_shows.message(call.blocks(), str(call.params.get("text") or ""), text_mrkdwn=False)
        assert_no_ping_nor_link(body, notification)
        assert "<!channel>" not in str(call.params)  # nowhere a raw special mention: not even in the JSON sent


async def test_what_slack_recognised_in_a_command_is_stored_as_typed_and_never_pings(bot: Bot) -> None:
    await crisis(bot, "open Outage <!here> --sev 3")
    await crisis(bot, "CRI-1 note Told <!channel> and <!subteam^S01|@support> see <https://status.example|status page>")
    incident = bot.incident()
    assert incident is not None and incident.title == "Outage @here"
    assert incident.timeline[-1].event.text == "Told @channel and @support see status page (https://status.example)"  # type: ignore[attr-defined]
    for call in bot.slack.calls:
        if call.method in ("chat.postMessage", "chat.update", "chat.postEphemeral", "response_url"):
            body, notification = slack_shows.message(call.blocks(), str(call.params.get("text") or ""), text_mrkdwn=False)
            assert_no_ping_nor_link(body, notification)


async def test_text_typed_in_a_form_is_shown_as_typed(bot: Bot) -> None:
    room = await opened_with_draft(bot)
    await click(bot, room, "incident:CRI-1", "Post update", LEAD)
    view = bot.slack.called("views.open")[-1].params["view"]
    await bot.send(view_submission(view, {"answer": LITERAL}, user=LEAD, view_id="VLIT"))
    assert bot.incident().last_update.text == LITERAL  # type: ignore[union-attr]
    _, blocks = card_message(bot, room, "incident:CRI-1")
    shown, _ = slack_shows.message(blocks)
    assert LITERAL in shown.text
    assert_no_ping_nor_link(shown)


async def test_a_60_update_timeline_fits_slack_and_says_what_was_left_out(bot: Bot) -> None:
    await crisis(bot, "open Long one --sev 2")
    for n in range(60):
        await crisis(bot, f"CRI-1 update {n:02d} " + "carrier backlog & refunds " * 60)
    before = len(bot.slack.calls)
    await crisis(bot, "CRI-1 timeline")
    answers = [c for c in bot.slack.calls[before:] if c.method in ("chat.postEphemeral", "response_url")]
    assert len(answers) == 1 and not bot.slack.refused
    blocks = answers[0].blocks()
    assert len(blocks) <= 50
    shown, _ = slack_shows.message(blocks)
    assert shown.text.rstrip().endswith("more; export for the full record")
    visible = re.findall(r"update: (\d\d) carrier", shown.text)
    entries = re.findall(r"^\d{4}-\d\d-\d\d \d\d:\d\d .* · ", shown.text, re.M)
    found = re.search(r"… (\d+) more; export for the full record", shown.text)
    earlier = re.search(r"^… (\d+) earlier entries; export for the full record$", shown.text, re.M)
    assert visible and found and earlier
    # The core says how many entries it left out of the whole timeline, and the door how many it cut to fit:
    # every entry is shown or counted, once.
    recorded = bot.incident().events_recorded  # type: ignore[union-attr]
    assert int(earlier.group(1)) == recorded - 40
    assert int(earlier.group(1)) + len(entries) + int(found.group(1)) == recorded
    assert int(visible[0]) == 20  # the latest 40 entries are updates 20 to 59


async def test_a_message_slack_refuses_as_too_long_is_logged_once_and_the_person_is_told(
    bot: Bot, caplog: pytest.LogCaptureFixture,
) -> None:
    await crisis(bot, "open Refused --sev 3")
    bot.slack.errors_once["chat.postMessage"] = "msg_too_long"
    before = len(bot.slack.calls)
    with caplog.at_level(logging.INFO):
        await crisis(bot, "CRI-1 note something")  # a note is no news: the first message posted is the answer
    refused = [r for r in caplog.records if "too large" in r.getMessage()]
    assert len(refused) == 1 and refused[0].exc_info is None and "msg_too_long" in refused[0].getMessage()
    assert not [r for r in caplog.records if r.exc_info]
    told = [c for c in bot.slack.calls[before:] if c.method == "chat.postEphemeral"]
    assert len(told) == 1 and "did not fit in a Slack message" in told[0].params["text"]


def help_shown(calls: list[Call]) -> bool:
    return any(b.get("type") == "header" and "help" in b["text"]["text"] for c in calls for b in c.blocks())


async def test_a_click_with_missing_input_is_answered_to_the_clicker_only_without_help_card(bot: Bot) -> None:
    room = await opened_with_draft(bot)
    await click(bot, room, "incident:CRI-1", "Post update", LEAD)
    view = bot.slack.called("views.open")[-1].params["view"]
    before = len(bot.slack.calls)
    await bot.send(view_submission(view, {"answer": "   "}, user=LEAD, view_id="VEMPTY"))
    after = bot.slack.calls[before:]
    private = [c for c in after if c.method == "chat.postEphemeral"]
    assert len(private) == 1 and private[0].params["user"] == LEAD
    assert slack_shows.message(private[0].blocks())[0].text == "Usage: `update <text>`"
    assert not help_shown(after)
    assert not [c for c in after if c.method in ("chat.postMessage", "chat.update")]


async def test_a_refused_click_is_answered_to_the_clicker_only(bot: Bot) -> None:
    room = await opened_with_draft(bot)
    before = len(bot.slack.calls)
    await click(bot, room, "draft:CRI-1:1", "Approve", LEAD)  # the author: four-eyes
    after = bot.slack.calls[before:]
    assert [c.method for c in after if c.method.startswith("chat.")] == ["chat.postEphemeral"]
    assert after[-1].params["user"] == LEAD and not help_shown(after)


async def test_a_successful_click_is_confirmed_once(bot: Bot) -> None:
    room = await opened_with_draft(bot)
    ts, blocks = card_message(bot, room, "draft:CRI-1:1")
    before = len(bot.slack.calls)
    await bot.send(button_click(element(blocks, "Approve"), LEGAL, room, ts, action_ts="77.1"))
    after = bot.slack.calls[before:]
    confirmations = [c for c in after if c.method in ("chat.postMessage", "chat.postEphemeral", "response_url")
                     and c.params.get("channel") == room]
    assert len(confirmations) == 1 and "approved for legal" in str(confirmations[0].params["text"])
    assert ts in [c.params["ts"] for c in after if c.method == "chat.update"]  # the card, refreshed in place
    assert not help_shown(after)


async def test_news_slack_refuses_is_logged_once_and_replaced_by_a_notice(
    bot: Bot, caplog: pytest.LogCaptureFixture,
) -> None:
    await crisis(bot, "open Refused --sev 3")
    room = bot.slack.called("conversations.invite")[0].params["channel"]
    bot.slack.errors_once["chat.postMessage"] = "invalid_blocks"
    before = len(bot.slack.calls)
    with caplog.at_level(logging.INFO):
        await crisis(bot, "CRI-1 update something")  # from C111: the news goes to the room first
    assert len([r for r in caplog.records if "too large" in r.getMessage()]) == 1
    assert not [r for r in caplog.records if r.exc_info]
    notices = [c for c in posted_in(bot, room, before) if "did not fit" in str(c.params.get("text"))]
    assert len(notices) == 1
