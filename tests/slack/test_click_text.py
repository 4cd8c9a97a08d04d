"""End to end: after a card click, the cards Slack shows everyone (`chat.update`) read the draft as typed."""

from __future__ import annotations

from tests.slack import slack_shows
from tests.slack.conftest import Bot
from tests.slack.slack_requests import button_click
from tests.slack.test_cards import card_message, element
from tests.slack.test_commands import COMMS, LEGAL, crisis
from tests.slack.test_what_people_see import AS_SENT, LITERAL, assert_no_ping_nor_link

TYPED = LITERAL + " <at>all</at> **bold** [x](http://e) <script>x</script>"


async def test_the_cards_updated_after_a_click_show_the_draft_as_typed_and_ping_no_one(bot: Bot) -> None:
    await crisis(bot, "open Wave of complaints --sev 2")
    await crisis(bot, f"CRI-1 assign legal <@{LEGAL}>")
    await crisis(bot, f"CRI-1 assign comms <@{COMMS}>")
    as_sent = AS_SENT + TYPED[len(LITERAL):].replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    await crisis(bot, f"CRI-1 draft {as_sent}")
    assert bot.incident().drafts[0].text == TYPED  # type: ignore[union-attr]
    room = bot.slack.called("conversations.invite")[0].params["channel"]
    ts, blocks = card_message(bot, room, "draft:CRI-1:1")
    before = len(bot.slack.calls)
    await bot.send(button_click(element(blocks, "Approve"), LEGAL, room, ts, action_ts="88.1"))
    await bot.door.work.drain()
    updates = [c for c in bot.slack.calls[before:] if c.method == "chat.update"]
    assert ts in [c.params["ts"] for c in updates]  # the clicked card, refreshed for everyone
    # Slack's rules applied (rich_text `text` elements verbatim, mrkdwn parsed): nothing pings, links or formats.
    for call in updates:
        body, notification = slack_shows.message(call.blocks(), str(call.params.get("text") or ""), text_mrkdwn=False)
        assert_no_ping_nor_link(body, notification)
        if call.params["ts"] == ts:
            assert TYPED in body.text
