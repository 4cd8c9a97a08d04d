"""Holding statements and the frontline brief in Teams, over real HTTP with a fake Bot Connector."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.drafts import DraftState
from tests.teams.conftest import COLIN, LEA, MEGAN, SAM, TeamsClient, thread
from tests.teams.fake_connector import card_facts, card_title
from tests.teams.teams_view import seen_card
from tests.teams.test_card_clicks import action

PREP, ROOM, SUPPORT = thread("1700000000101"), thread("1700000000202"), thread("1700000000303")
TEXT = "We are aware that deliveries of {product} are late **again** & _slow_. Next update by {time}."


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return {
        "DATABASE_URL": f"sqlite:///{tmp_path / 'crisisbot.db'}", "CRISISBOT_SCHEDULER": "off",
        "TEAMS_MESSAGES_PER_SECOND": "1000", "CRISISBOT_ROSTER_LEAD": MEGAN.aad, "CRISISBOT_ROSTER_COMMS": COLIN.aad,
        "CRISISBOT_ROSTER_LEGAL": LEA.aad, "CRISISBOT_FRONTLINE_CHANNELS": f"teams:{SUPPORT}",
    }


def card(teams: TeamsClient, title: str, conversation: str) -> tuple[str, dict]:  # type: ignore[type-arg]
    """The message id showing the card titled `title` in `conversation`, and its latest content."""
    # Posted by the bot unasked ("send"): answers to someone's command are replies in their thread.
    sent = [c for c in teams.connector.calls if c.conversation == conversation and c.kind == "send"
            and c.cards and card_title(c.cards[0]).startswith(title)]
    assert sent, f"no card {title!r} in {conversation}"
    message = sent[0].activity.get("id") or ""
    first = teams.connector.calls.index(sent[0])
    assert message, "the connector gives every message an id"
    updates = [c for c in teams.connector.calls[first:] if c.kind == "update" and c.activity_id == message]
    return message, (updates[-1] if updates else sent[0]).cards[0]


async def click(teams: TeamsClient, title: str, conversation: str, button: str, who) -> tuple[int, dict]:  # type: ignore[no-untyped-def,type-arg]
    message, content = card(teams, title, conversation)
    return await teams.post(teams.invoke(action(content, button), message, who, conversation))


async def test_template_approved_in_teams_used_in_a_crisis_and_the_brief_kept_in_the_support_room(
    teams: TeamsClient,
) -> None:
    for person in (LEA, COLIN, SAM):
        teams.connector.members[person.teams_id] = {"id": person.teams_id, "name": person.name, "aadObjectId": person.aad}
    await teams.say(f"template delivery-delay {TEXT}", who=SAM, conversation=PREP)
    _, content = card(teams, "Holding statement delivery-delay", PREP)
    assert any("late **again** & _slow_" in line for line in seen_card(content))  # exactly as typed
    assert card_facts(content)["Placeholders"] == "{product}, {time}"
    status, body = await click(teams, "Holding statement delivery-delay", PREP, "Approve", SAM)
    assert status == 200 and "four-eyes" in body["value"]
    await click(teams, "Holding statement delivery-delay", PREP, "Approve", COLIN)
    await click(teams, "Holding statement delivery-delay", PREP, "Approve", LEA)
    _, content = card(teams, "Holding statement delivery-delay", PREP)
    assert card_facts(content)["State"] == "approved" and card_facts(content)["Approval: legal"] == "approved by Léa Legal"

    await teams.say("open Kettle K2 stuck in transit --sev 1", who=SAM, conversation=ROOM)
    await teams.say("brief", who=SAM, conversation=SUPPORT)  # an agent looks it up: nothing approved yet
    assert not [c for c in teams.connector.calls if c.conversation == SUPPORT and c.kind == "send"]
    await teams.say('use delivery-delay product=Kettle K2 time="18:00"', who=SAM, conversation=ROOM)
    _, draft = card(teams, "CRI-1 · draft reply #1", ROOM)
    assert card_facts(draft)["Source"] == "from approved template delivery-delay"
    await click(teams, "CRI-1 · draft reply #1", ROOM, "Approve", MEGAN)
    assert teams.incident().drafts[0].state is DraftState.APPROVED
    await teams.say("publish 1 website", who=MEGAN, conversation=ROOM)
    brief_id, brief = card(teams, "CRI-1 · frontline brief", SUPPORT)
    assert any("Kettle K2 are late **again** & _slow_" in line for line in seen_card(brief)), seen_card(brief)
    assert any("changed: public statement" in c.text for c in teams.connector.calls if c.conversation == SUPPORT)

    await teams.say("answer Is my order late? | Yes, by up to two days.", who=SAM, conversation=ROOM)
    await click(teams, "CRI-1 · answer #1", ROOM, "Approve", COLIN)
    again, brief = card(teams, "CRI-1 · frontline brief", SUPPORT)
    assert again == brief_id and len([c for c in teams.connector.calls if c.conversation == SUPPORT and c.kind == "send"
                                      and c.cards]) == 1  # one message, updated in place
    assert card_facts(brief)["Q: Is my order late?"] == "Yes, by up to two days."
    await teams.say("resolve Delivered", who=MEGAN, conversation=ROOM)
    _, brief = card(teams, "CRI-1 · frontline brief", SUPPORT)
    assert "no longer changes" in str(brief)
