"""Approvals by clicking cards: Action.Execute (invoke) and its Action.Submit fallback reach the same code."""

from __future__ import annotations

from typing import Any

from bot.drafts import DraftState
from tests.teams.conftest import COLIN, LEA, MEGAN, SAM, TeamsClient, thread
from tests.teams.fake_connector import Call

ROOM = thread("1700000000001")


def action(card: dict[str, Any], title: str) -> dict[str, Any]:
    """The data of the button called `title`, looking inside show-cards (their inner action is Action.Execute)."""
    for candidate in card.get("actions", []):
        if candidate["title"] == title and candidate["type"] == "Action.Execute":
            return dict(candidate["data"])
        if candidate["title"] == title and candidate["type"] == "Action.ShowCard":
            return dict(candidate["card"]["actions"][0]["data"])
    raise AssertionError(f"no button {title!r} in {[a['title'] for a in card.get('actions', [])]}")


def facts(card: dict[str, Any]) -> dict[str, str]:
    return {f["title"]: f["value"] for block in card["body"] if block["type"] == "FactSet" for f in block["facts"]}


def posted_card(teams: TeamsClient, title: str) -> Call:
    found = [c for c in teams.connector.of("send") if c.cards and c.cards[0]["body"][0]["text"].startswith(title)]
    assert found, f"no card {title!r} was posted"
    return found[-1]


async def crisis_with_draft(teams: TeamsClient, text: str = "We are sorry.") -> None:
    for person in (LEA, COLIN):
        teams.connector.members[person.teams_id] = {"id": person.teams_id, "name": person.name, "aadObjectId": person.aad}
    await teams.say("open Wave of complaints --sev 2", conversation=ROOM)
    await teams.say("assign legal @Léa Legal", conversation=ROOM, mentions=(LEA,))
    await teams.say("assign comms @Colin Comms", conversation=ROOM, mentions=(COLIN,))
    await teams.say(f"draft {text}", conversation=ROOM)


async def click(teams: TeamsClient, card: Call, title: str, who, **inputs: str) -> tuple[int, Any]:  # type: ignore[no-untyped-def]
    data = {**action(card.cards[0], title), **inputs}
    return await teams.post(teams.invoke(data, card.activity["id"], who, ROOM))


async def test_two_role_holders_approve_through_action_execute(teams: TeamsClient) -> None:
    await crisis_with_draft(teams)
    draft_card = posted_card(teams, "CRI-1 · draft reply #1")
    teams.connector.clear()

    status, body = await click(teams, draft_card, "Approve", LEA)
    assert status == 200
    assert body["statusCode"] == 200 and body["type"] == "application/vnd.microsoft.card.adaptive"
    assert facts(body["value"])["Approval: legal"] == "approved by Léa Legal"
    assert facts(body["value"])["Approval: comms"] == "waiting"
    # The clicked card travels back in the invoke answer rather than in a second, racing update.
    assert draft_card.activity["id"] not in {c.activity_id for c in teams.connector.of("update")}

    status, body = await click(teams, draft_card, "Approve", COLIN)
    assert status == 200
    assert facts(body["value"])["State"] == "approved"
    assert action(body["value"], "Mark published")
    assert teams.incident().draft(1).state is DraftState.APPROVED
    assert any("fully approved" in text for text in teams.connector.texts(ROOM))


async def test_a_whole_approval_through_the_action_submit_fallback_updates_the_card(teams: TeamsClient) -> None:
    await crisis_with_draft(teams)
    draft_card = posted_card(teams, "CRI-1 · draft reply #1")
    message_id = draft_card.activity["id"]
    teams.connector.clear()

    for who in (LEA, COLIN):
        data = action(draft_card.cards[0], "Approve")
        status, _ = await teams.post(teams.submit(data, message_id, who, ROOM))
        assert status == 200
    updates = [c for c in teams.connector.of("update") if c.activity_id == message_id]
    assert [facts(u.cards[0])["State"] for u in updates] == ["pending", "approved"]
    assert teams.incident().draft(1).state is DraftState.APPROVED


async def test_a_button_that_asks_for_text_appends_it_to_the_command(teams: TeamsClient) -> None:
    await crisis_with_draft(teams)
    draft_card = posted_card(teams, "CRI-1 · draft reply #1")
    status, body = await click(teams, draft_card, "Request changes", LEA, ask1="Give a date")
    assert status == 200
    assert facts(body["value"])["Review"] == "Léa Legal: Give a date"
    assert teams.incident().draft(1).state is DraftState.CHANGES_REQUESTED


async def test_refused_clicks_are_explained_to_the_clicker_and_change_nothing(teams: TeamsClient) -> None:
    await crisis_with_draft(teams)
    draft_card = posted_card(teams, "CRI-1 · draft reply #1")
    before = teams.incident()
    teams.connector.clear()

    status, body = await click(teams, draft_card, "Approve", MEGAN)  # the author
    assert status == 200
    assert body["type"] == "application/vnd.microsoft.activity.message"
    assert "four-eyes" in body["value"]

    status, body = await click(teams, draft_card, "Approve", SAM)  # holds no required role
    assert status == 200 and body["type"] == "application/vnd.microsoft.activity.message"
    assert body["value"]

    data = action(draft_card.cards[0], "Approve")
    await teams.post(teams.submit(data, draft_card.activity["id"], SAM, ROOM))  # the fallback path, same answer
    assert teams.connector.of("update") == []
    assert [c.text for c in teams.connector.of("reply")] == [body["value"]]
    after = teams.incident()
    assert after.draft(1).current_approvals() == before.draft(1).current_approvals() == []


async def test_an_invoke_for_another_apps_card_is_answered_200_and_does_nothing(teams: TeamsClient) -> None:
    status, body = await teams.post(teams.invoke({"item": "vegan"}, "1", MEGAN, ROOM, verb="food"))
    assert status == 200
    assert body["statusCode"] == 200 and body["type"] == "application/vnd.microsoft.activity.message"
    assert teams.incidents() == []
