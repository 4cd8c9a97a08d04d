"""A crisis opened in Slack, followed and approved from Teams: one server, both fakes, real HTTP."""

from __future__ import annotations

import asyncio
from typing import Any

from bot.commands import ExportReport, Origin
from bot.drafts import DraftState
from tests.crossplatform.conftest import (
    COMMS,
    COMMS_IN_TEAMS,
    LEGAL_ROOM,
    LINA,
    REPORTER,
    REPORTER_IN_TEAMS,
    STRANGER,
    Both,
)
from tests.slack.slack_requests import button_click
from tests.slack.test_cards import card_message, element
from tests.teams.conftest import thread
from tests.teams.fake_connector import Call, card_facts, card_title
from tests.teams.test_card_clicks import action

DRAFT = "draft:CRI-1:1"


def teams_card(both: Both, title: str, conversation: str = LEGAL_ROOM) -> tuple[Call, dict[str, Any]]:
    """The message that first showed the card in that conversation, and the card as it shows now (after updates)."""
    posts = [c for c in both.connector.calls if c.kind in ("send", "reply") and c.conversation.startswith(
        conversation.split(";")[0]) and c.cards and card_title(c.cards[0]).startswith(title)]
    assert posts, f"no card {title!r} in {conversation}"
    first = posts[0]
    updates = [c for c in both.connector.of("update") if c.activity_id == first.activity["id"]]
    return first, (updates[-1] if updates else first).cards[0]


async def teams_click(both: Both, title: str, button: str, who: Any) -> tuple[int, Any]:
    message, card = teams_card(both, title)
    return await both.teams.post(both.teams.invoke(action(card, button), message.activity["id"], who, LEGAL_ROOM))


async def slack_click(both: Both, channel: str, card_id: str, label: str, user: str) -> None:
    ts, blocks = card_message(both.slack, channel, card_id)
    clicked = button_click(element(blocks, label), user, channel, ts, f"17.{len(both.slack.slack.calls)}")
    response = await both.slack.send(clicked)
    assert response.status == 200


def slack_card_text(both: Both, channel: str, card_id: str) -> str:
    return str(card_message(both.slack, channel, card_id)[1])


async def opened_in_slack_joined_from_teams(both: Both) -> str:
    await both.crisis("open Wave of complaints --sev 2")
    room = both.room()
    await both.crisis("CRI-1 assign lead <@W111>", channel=room)
    # Legal has never used the bot: named by e-mail address, in Slack, though she works in Teams.
    await both.crisis("CRI-1 assign legal Lina@acme.com", channel=room)
    await both.crisis(f"CRI-1 assign comms <@{COMMS}>", channel=room)
    # The reporter, from their Teams account: the same person (same e-mail address), so they may link.
    assert await both.teams.say("join CRI-1", REPORTER_IN_TEAMS, LEGAL_ROOM) == 200
    return room


async def test_a_crisis_opened_in_slack_is_joined_and_approved_from_teams(both: Both) -> None:
    room = await opened_in_slack_joined_from_teams(both)
    incident = both.slack.incident()
    assert incident is not None
    assert [(c.platform, c.left) for c in incident.conversations] == [("slack", False), ("slack", False), ("teams", False)]
    # Teams shows the incident card, saying where the crisis lives.
    _, card = teams_card(both, "CRI-1 · Wave of complaints")
    assert "Slack" in card_facts(card)["Followed in"] and "Teams" in card_facts(card)["Followed in"]

    # The reporter drafts in Slack: the draft card reaches the Teams thread too.
    await both.crisis("CRI-1 draft We are aware of the delays.", channel=room)
    teams_card(both, "CRI-1 · draft reply #1")

    # Four-eyes across platforms: the author's Teams account cannot approve their own words.
    status, body = await teams_click(both, "CRI-1 · draft reply #1", "Approve", REPORTER_IN_TEAMS)
    assert status == 200 and "four-eyes" in body["value"]
    assert both.slack.incident().drafts[0].approvals == []  # type: ignore[union-attr]

    # Legal speaks for the first time, from Teams: recognised by her e-mail address as the holder of legal.
    status, body = await teams_click(both, "CRI-1 · draft reply #1", "Approve", LINA)
    assert status == 200, body
    assert card_facts(body["value"])["Approval: legal"] == "approved by Lina Legal"
    # ...and the Slack card says so, within the refresh window.
    await both.settled()
    shown = slack_card_text(both, room, DRAFT)
    assert "approved by" in shown and "Lina Legal" in shown, shown[shown.find("Approval: legal"):][:300]

    # Comms approves from Slack: the Teams card shows it fully approved too.
    await slack_click(both, room, DRAFT, "Approve", COMMS)
    await both.settled()
    draft = both.slack.incident().drafts[0]  # type: ignore[union-attr]
    assert draft.state is DraftState.APPROVED
    assert sorted((a.role, a.approver) for a in draft.approvals) == [("comms", COMMS), ("legal", "lina@acme.com")]
    _, card = teams_card(both, "CRI-1 · draft reply #1")
    assert card_facts(card)["Approval: comms"].startswith("approved by")
    assert card_facts(card)["Approval: legal"] == "approved by Lina Legal"

    # The timeline names one person once: Lina's Teams account acted as the person assigned by e-mail.
    actors = {e.actor for e in both.slack.incident().timeline}  # type: ignore[union-attr]
    assert LINA.aad not in actors and REPORTER_IN_TEAMS.aad not in actors and "lina@acme.com" in actors
    # The report tells one story with one name per person.
    outcome = await asyncio.to_thread(
        both.teams.runtime.dispatcher.dispatch, ExportReport(incident="CRI-1"), Origin(REPORTER, "slack", room))
    report = outcome.reply.file
    assert report is not None and "Lina Legal" in report.content
    assert LINA.aad not in report.content and REPORTER_IN_TEAMS.aad not in report.content


async def test_someone_who_may_not_change_roles_cannot_link_a_conversation(both: Both) -> None:
    await opened_in_slack_joined_from_teams(both)
    elsewhere = thread("1700000000888")
    both.connector.clear()
    assert await both.teams.say("join CRI-1", STRANGER, elsewhere) == 200
    [answer] = [c.text for c in both.connector.calls if c.kind in ("send", "reply")]
    assert "Only the lead" in answer
    assert [c.id for c in both.slack.incident().places if c.platform == "teams"] == [LEGAL_ROOM]  # type: ignore[union-attr]
    # Joining twice is harmless: nothing is posted again.
    both.connector.clear()
    assert await both.teams.say("CRI-1 join", REPORTER_IN_TEAMS, LEGAL_ROOM) == 200
    assert not [c for c in both.connector.calls if c.cards]


async def test_the_same_person_approving_from_both_platforms_at_once_counts_once(both: Both) -> None:
    room = await opened_in_slack_joined_from_teams(both)
    await both.crisis("CRI-1 draft We are aware of the delays.", channel=room)
    # Comms clicks Approve in Slack and, at the same instant, from their Teams account.
    ts, blocks = card_message(both.slack, room, DRAFT)
    slack_body = button_click(element(blocks, "Approve"), COMMS, room, ts, "18.0001")
    message, card = teams_card(both, "CRI-1 · draft reply #1")
    teams_body = both.teams.invoke(action(card, "Approve"), message.activity["id"], COMMS_IN_TEAMS, LEGAL_ROOM)
    await asyncio.gather(both.slack.post(slack_body), both.teams.post(teams_body))
    await both.settled()
    draft = both.slack.incident().drafts[0]  # type: ignore[union-attr]
    assert [(a.role, a.approver) for a in draft.approvals] == [("comms", COMMS)]


async def test_leave_stops_the_news_and_a_reminder_reaches_every_linked_conversation(both: Both) -> None:
    room = await opened_in_slack_joined_from_teams(both)
    # A check-in comes due: the reminder reaches Slack and the Teams thread, each mentioning the lead its own way.
    both.clock.advance(hours=3)
    await both.scheduler.wake()
    reminders = [c for c in both.connector.calls if c.kind in ("send", "reply") and "status update" in c.text]
    assert reminders and all(c.conversation.startswith(LEGAL_ROOM.split(";")[0]) for c in reminders)
    assert "<at>Rita Reporter</at>" in reminders[0].text  # the lead, as a Teams mention of their Teams account
    in_slack = [c for c in both.slack.slack.called("chat.postMessage") if "status update" in str(c.params.get("text"))]
    assert any(f"<@{REPORTER}>" in str(c.params["text"]) for c in in_slack)

    # Leaving: the opening conversation cannot, the Teams thread can; then news no longer reaches it.
    both.connector.clear()
    assert await both.teams.say("leave", REPORTER_IN_TEAMS, LEGAL_ROOM) == 200
    assert any("no longer followed" in c.text for c in both.connector.calls)
    both.connector.clear()
    await both.crisis("CRI-1 update Deliveries resume tomorrow", channel=room)
    await both.settled()
    assert [c for c in both.connector.calls if c.kind in ("send", "reply", "update")] == []
    await both.crisis("CRI-1 leave", channel="C111")
    refusals = [c.params["text"] for c in both.slack.slack.called("chat.postEphemeral")]
    assert any("cannot leave" in text for text in refusals)


async def test_a_person_assigned_by_email_before_being_seen_is_recognised_when_they_speak_in_teams(both: Both) -> None:
    await opened_in_slack_joined_from_teams(both)
    incident = both.slack.incident()
    assert incident is not None and incident.holder("legal") == "lina@acme.com"
    # Lina's first words, in Teams: a note recorded as hers, and `roles` tells her she holds legal.
    assert await both.teams.say("note Our counsel is reviewing the wording", LINA, LEGAL_ROOM) == 200
    incident = both.slack.incident()
    assert incident is not None and incident.timeline[-1].actor == "lina@acme.com"
    assert incident.holder("legal") == "lina@acme.com"
