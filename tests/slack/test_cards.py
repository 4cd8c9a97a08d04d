"""Cards and their controls: approvals by two role holders, refused clicks, pickers, buttons that ask."""

from __future__ import annotations

from typing import Any

from bot.drafts import DraftState
from tests.slack import slack_shows
from tests.slack.conftest import Bot
from tests.slack.fake_slack import Call
from tests.slack.slack_requests import button_click, picker_choice, view_submission
from tests.slack.test_commands import COMMS, LEAD, LEGAL, crisis


async def opened_with_draft(bot: Bot) -> str:
    await crisis(bot, "open Wave of complaints --sev 2")
    await crisis(bot, f"CRI-1 assign legal <@{LEGAL}>")
    await crisis(bot, f"CRI-1 assign comms <@{COMMS}>")
    await crisis(bot, "CRI-1 draft We are aware of the delays.")
    return bot.slack.called("conversations.invite")[0].params["channel"]


def card_message(bot: Bot, channel: str, card_id: str) -> tuple[str, list[dict[str, Any]]]:
    """The ts of the message showing `card_id` in `channel`, and its latest blocks (after updates)."""
    posts = [c for c in bot.slack.called("chat.postMessage") if c.params["channel"] == channel and _shows(c, card_id)]
    ts = posts[0].answer["ts"]
    updates = [c for c in bot.slack.called("chat.update") if c.params["channel"] == channel and c.params["ts"] == ts]
    return ts, (updates[-1] if updates else posts[0]).blocks()


def _shows(call: Call, card_id: str) -> bool:
    return any(block.get("block_id", "").startswith(f"{card_id}|") for block in call.blocks())


def element(blocks: list[dict[str, Any]], label: str) -> dict[str, Any]:
    return control(blocks, label)[1]


def control(blocks: list[dict[str, Any]], label: str) -> tuple[str, dict[str, Any]]:
    """The control called `label`, with the id of the block holding it (Slack sends both with a click)."""
    for block in blocks:
        for candidate in block.get("elements", []) + ([block["accessory"]] if "accessory" in block else []):
            text = (candidate.get("text") or candidate.get("placeholder") or {}).get("text")
            if text == label:
                return str(block.get("block_id", "")), candidate
    raise AssertionError(f"no control {label!r} in {blocks}")


async def click(bot: Bot, channel: str, card_id: str, label: str, user: str) -> None:
    ts, blocks = card_message(bot, channel, card_id)
    clicks = len(bot.slack.calls)
    block, button = control(blocks, label)
    response = await bot.send(button_click(button, user, channel, ts, action_ts=f"17.{clicks}", block_id=block))
    assert response.status == 200


async def test_two_role_holders_approve_with_buttons_and_cards_update(bot: Bot) -> None:
    room = await opened_with_draft(bot)
    ts, _ = card_message(bot, room, "draft:CRI-1:1")
    await click(bot, room, "draft:CRI-1:1", "Approve", LEGAL)
    assert bot.incident().drafts[0].state is DraftState.PENDING  # type: ignore[union-attr]
    await click(bot, room, "draft:CRI-1:1", "Approve", COMMS)
    draft = bot.incident().drafts[0]  # type: ignore[union-attr]
    assert draft.state is DraftState.APPROVED
    assert {(a.role, a.approver) for a in draft.current_approvals()} == {("legal", LEGAL), ("comms", COMMS)}
    _, blocks = card_message(bot, room, "draft:CRI-1:1")
    shown, _ = slack_shows.message(blocks)
    assert f"approved by @{LEGAL}" in shown.text and f"approved by @{COMMS}" in shown.text
    assert {("user", LEGAL), ("user", COMMS)} <= set(shown.effects) and "Mark published" in shown.text
    updated_in_place = [c for c in bot.slack.called("chat.update") if c.params["ts"] == ts]
    assert len(updated_in_place) >= 2


async def test_non_holder_click_is_refused_privately_and_changes_nothing(bot: Bot) -> None:
    room = await opened_with_draft(bot)
    updates = len(bot.slack.called("chat.update"))
    await click(bot, room, "draft:CRI-1:1", "Approve", "UMALLORY")
    assert bot.incident().drafts[0].current_approvals() == []  # type: ignore[union-attr]
    refusal = bot.slack.called("chat.postEphemeral")[-1]
    assert refusal.params["user"] == "UMALLORY" and "comms, legal" in refusal.params["text"]
    assert len(bot.slack.called("chat.update")) == updates


async def test_author_click_is_refused_privately(bot: Bot) -> None:
    await crisis(bot, "open Wave of complaints --sev 2")
    await crisis(bot, f"CRI-1 assign comms <@{COMMS}>")
    await crisis(bot, "CRI-1 draft Our statement", user=COMMS)
    room = bot.slack.called("conversations.invite")[0].params["channel"]
    await click(bot, room, "draft:CRI-1:1", "Approve", COMMS)
    assert bot.incident().drafts[0].current_approvals() == []  # type: ignore[union-attr]
    refusal = bot.slack.called("chat.postEphemeral")[-1]
    assert refusal.params["user"] == COMMS and "four-eyes" in refusal.params["text"]


async def test_double_click_has_one_effect(bot: Bot) -> None:
    room = await opened_with_draft(bot)
    ts, blocks = card_message(bot, room, "draft:CRI-1:1")
    body = button_click(element(blocks, "Approve"), LEGAL, room, ts, action_ts="42.0001")
    await bot.post(body, headers={"X-Slack-Retry-Num": "1"})
    await bot.send(body)
    draft = bot.incident().drafts[0]  # type: ignore[union-attr]
    assert len(draft.current_approvals()) == 1
    assert len([e for e in bot.incident().timeline if type(e.event).__name__ == "DraftApproved"]) <= 1  # type: ignore[union-attr]


async def test_request_changes_asks_for_the_reason_in_a_modal(bot: Bot) -> None:
    room = await opened_with_draft(bot)
    await click(bot, room, "draft:CRI-1:1", "Request changes", LEGAL)
    view = bot.slack.called("views.open")[-1].params["view"]
    await bot.send(view_submission(view, {"answer": "Say when refunds arrive"}, user=LEGAL, view_id="VASK1"))
    draft = bot.incident().drafts[0]  # type: ignore[union-attr]
    assert draft.state is DraftState.CHANGES_REQUESTED
    assert draft.reviews[-1].reason == "Say when refunds arrive" and draft.reviews[-1].reviewer == LEGAL


async def test_role_picker_assigns_the_chosen_person(bot: Bot) -> None:
    room = await opened_with_draft(bot)
    ts, blocks = card_message(bot, room, "incident:CRI-1")
    picker = element(blocks, "support")
    await bot.send(picker_choice(picker, LEAD, room, ts, action_ts="50.1", selected_user="USUPPORT9"))
    assert bot.incident().holder("support") == "USUPPORT9"  # type: ignore[union-attr]
    severity = element(blocks, "Severity")
    await bot.send(picker_choice(severity, LEAD, room, ts, action_ts="50.2", selected_value="1"))
    assert bot.incident().severity == 1  # type: ignore[union-attr]


async def test_post_update_button_round_trip(bot: Bot) -> None:
    room = await opened_with_draft(bot)
    await click(bot, room, "incident:CRI-1", "Post update", LEAD)
    view = bot.slack.called("views.open")[-1].params["view"]
    await bot.send(view_submission(view, {"answer": "Carrier is catching up"}, user=LEAD, view_id="VASK2"))
    assert bot.incident().last_update.text == "Carrier is catching up"  # type: ignore[union-attr]



async def test_a_refused_menu_choice_is_put_back_on_the_card(bot: Bot) -> None:
    # Slack shows the chosen option at once; when the core refuses it, the card is sent again as the crisis is.
    room = await opened_with_draft(bot)
    await crisis(bot, f"CRI-1 assign lead <@{LEAD}>")
    await bot.runtime.service.drain()
    ts, blocks = card_message(bot, room, "incident:CRI-1")
    updates = len(bot.slack.called("chat.update"))
    block, severity = control(blocks, "Severity")
    await bot.send(picker_choice(severity, "UMALLORY", room, ts, action_ts="51.1", selected_value="1", block_id=block))
    await bot.slack.wait_for("chat.update", updates + 1)
    assert bot.incident().severity == 2  # type: ignore[union-attr]
    put_back = bot.slack.called("chat.update")[-1]
    assert put_back.params["ts"] == ts
    _, shown = control(put_back.blocks(), "Severity")
    assert shown["initial_option"]["value"] == "2"
