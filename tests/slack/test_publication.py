"""Publishing per channel and objecting, by clicking the draft card in Slack over real HTTP."""

from __future__ import annotations

from bot.drafts import DraftState
from tests.slack import slack_shows
from tests.slack.conftest import Bot
from tests.slack.slack_requests import view_submission
from tests.slack.test_cards import card_message, click, opened_with_draft
from tests.slack.test_commands import COMMS, LEAD, LEGAL, crisis


async def test_the_publish_button_asks_where_in_a_modal_for_each_channel(bot: Bot) -> None:
    room = await opened_with_draft(bot)
    await click(bot, room, "draft:CRI-1:1", "Approve", LEGAL)
    await click(bot, room, "draft:CRI-1:1", "Approve", COMMS)
    for n, channel in enumerate(["X", "press release"]):
        await click(bot, room, "draft:CRI-1:1", "Mark published", COMMS)
        view = bot.slack.called("views.open")[-1].params["view"]
        assert view["blocks"][0]["label"]["text"].startswith("Where is it published?")
        await bot.send(view_submission(view, {"answer": channel}, user=COMMS, view_id=f"VPUB{n}"))
    draft = bot.incident().drafts[0]  # type: ignore[union-attr]
    assert draft.state is DraftState.PUBLISHED
    assert [(p.channel, p.person) for p in draft.publications] == [("X", COMMS), ("press release", COMMS)]
    _, blocks = card_message(bot, room, "draft:CRI-1:1")
    shown, _ = slack_shows.message(blocks, names={COMMS: "comms"})
    assert "X · @comms" in shown.text and "press release · @comms" in shown.text


async def test_typing_publish_without_a_channel_asks_where_and_changes_nothing(bot: Bot) -> None:
    await opened_with_draft(bot)
    await crisis(bot, "CRI-1 approve 1", user=LEGAL)
    await crisis(bot, "CRI-1 approve 1", user=COMMS)
    await crisis(bot, "CRI-1 publish 1", user=COMMS)
    answer = bot.slack.called("chat.postEphemeral")[-1]
    assert answer.params["user"] == COMMS and "Where was it published?" in answer.params["text"]
    assert bot.incident().drafts[0].state is DraftState.APPROVED  # type: ignore[union-attr]


async def test_an_objection_from_the_card_reaches_the_author_directly(bot: Bot) -> None:
    room = await opened_with_draft(bot)
    await click(bot, room, "draft:CRI-1:1", "Object", LEGAL)
    view = bot.slack.called("views.open")[-1].params["view"]
    await bot.send(view_submission(view, {"answer": "This admits liability"}, user=LEGAL, view_id="VOBJ1"))
    draft = bot.incident().drafts[0]  # type: ignore[union-attr]
    assert [(o.objector, o.reason) for o in draft.objections] == [(LEGAL, "This admits liability")]
    direct = [c for c in bot.slack.called("chat.postMessage") if c.params["channel"] == LEAD]
    assert direct and "This admits liability" in direct[-1].params["text"]
    _, blocks = card_message(bot, room, "draft:CRI-1:1")
    assert "This admits liability" in str(blocks) and "Withdraw my objection" in str(blocks)
