"""Direct messages go to a person on the platform where they were last active, falling back to the other."""

from __future__ import annotations

from tests.crossplatform.conftest import LEGAL_ROOM, LINA, REPORTER, REPORTER_IN_TEAMS, Both
from tests.crossplatform.test_one_crisis_two_platforms import opened_in_slack_joined_from_teams


def slack_direct_messages(both: Both, user: str) -> list[str]:
    return [str(c.params.get("text")) for c in both.slack.slack.called("chat.postMessage") if c.params["channel"] == user]


def teams_direct_messages(both: Both) -> list[str]:
    return [c.text for c in both.connector.calls if c.kind == "send" and c.conversation.startswith("a:personal-")]


async def test_an_objection_reaches_the_author_where_they_were_last_active(both: Both) -> None:
    room = await opened_in_slack_joined_from_teams(both)
    both.clock.advance(minutes=2)
    await both.crisis("CRI-1 draft We are aware of the delays.", channel=room)  # the author, last active in Slack

    both.clock.advance(minutes=2)
    assert await both.teams.say("object 1 This admits liability", LINA, LEGAL_ROOM) == 200
    assert any("This admits liability" in text for text in slack_direct_messages(both, REPORTER))
    assert not teams_direct_messages(both)

    # The author then speaks from Teams: the next notice finds them there, as their Teams account.
    both.clock.advance(minutes=2)
    assert await both.teams.say("note Reading the objection", REPORTER_IN_TEAMS, LEGAL_ROOM) == 200
    both.clock.advance(minutes=2)
    assert await both.teams.say("withdraw 1", LINA, LEGAL_ROOM) == 200
    assert await both.teams.say("object 1 Still too early", LINA, LEGAL_ROOM) == 200
    [created] = both.connector.of("create")
    assert REPORTER_IN_TEAMS.teams_id in str(created.activity)
    assert any("Still too early" in text for text in teams_direct_messages(both))
    assert not any("Still too early" in text for text in slack_direct_messages(both, REPORTER))


async def test_an_approval_reminder_reaches_a_teams_only_legal_counsel_in_teams(both: Both) -> None:
    room = await opened_in_slack_joined_from_teams(both)
    both.clock.advance(minutes=2)
    assert await both.teams.say("note Legal is here", LINA, LEGAL_ROOM) == 200  # seen in Teams, by her address
    await both.crisis("CRI-1 draft We are aware of the delays.", channel=room)
    both.connector.clear()
    both.clock.advance(hours=2)
    await both.scheduler.wake()
    await both.settled()
    [created] = both.connector.of("create")
    assert LINA.teams_id in str(created.activity)
    assert any("waited" in text and "your approval" in text for text in teams_direct_messages(both))
    # Not sent to Slack, where she has no account.
    assert not [c for c in both.slack.slack.called("chat.postMessage") if "lina" in str(c.params["channel"]).lower()]
