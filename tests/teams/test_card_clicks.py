"""Approvals by clicking cards: Action.Execute (invoke) and its Action.Submit fallback reach the same code."""

from __future__ import annotations

from typing import Any

from bot.drafts import DraftState
from bot.model import Status
from tests.teams.conftest import COLIN, LEA, MEGAN, SAM, TeamsClient, thread
from tests.teams.fake_connector import Call, card_facts, card_title

ROOM = thread("1700000000001")


def action(card: dict[str, Any], title: str) -> dict[str, Any]:
    """The data of the button called `title`, looking inside show-cards (their inner action is Action.Execute)."""
    for candidate in card.get("actions", []):
        if candidate["title"] == title and candidate["type"] == "Action.Execute":
            return dict(candidate["data"])
        if candidate["title"] == title and candidate["type"] == "Action.ShowCard":
            return dict(candidate["card"]["actions"][0]["data"])
    raise AssertionError(f"no button {title!r} in {[a['title'] for a in card.get('actions', [])]}")


facts = card_facts


def posted_card(teams: TeamsClient, title: str, kind: str = "send") -> Call:
    found = [c for c in teams.connector.of(kind) if c.cards and card_title(c.cards[0]).startswith(title)]
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
    # The clicker sees the new card at once, in the invoke answer...
    assert body["statusCode"] == 200 and body["type"] == "application/vnd.microsoft.card.adaptive"
    assert facts(body["value"])["Approval: legal"] == "approved by Léa Legal"
    assert facts(body["value"])["Approval: comms"] == "waiting"
    # ...and everyone else through the connector: the clicked message itself is updated, once.
    [update] = teams.connector.of("update")
    assert update.activity_id == draft_card.activity["id"] and update.conversation == ROOM
    assert update.cards[0] == body["value"]
    # Confirmed once: one line in the thread (the invoke answer is the card, not a banner).
    assert [c.text for c in teams.connector.of("reply")] == ["CRI-1 · draft #1 v1 approved for legal"]

    status, body = await click(teams, draft_card, "Approve", COLIN)
    assert status == 200
    assert facts(body["value"])["State"] == "approved"
    assert action(body["value"], "Mark published")
    assert teams.incident().draft(1).state is DraftState.APPROVED
    assert any("fully approved" in text for text in teams.connector.texts(ROOM))
    # The lead, who never clicked, now sees the approved card, without the Approve button.
    shown = [c.cards[0] for c in teams.connector.of("update") if c.activity_id == draft_card.activity["id"]][-1]
    assert facts(shown)["State"] == "approved"
    assert "Approve" not in {a["title"] for a in shown["actions"]}


async def test_a_click_on_a_card_shown_by_status_updates_that_message_and_the_posted_one(teams: TeamsClient) -> None:
    await crisis_with_draft(teams)
    posted = posted_card(teams, "CRI-1 · draft reply #1")
    await teams.say("status", conversation=ROOM)
    shown = posted_card(teams, "CRI-1 · draft reply #1", kind="reply")
    teams.connector.clear()

    status, _ = await click(teams, shown, "Approve", LEA)
    assert status == 200
    updated = {c.activity_id: facts(c.cards[0])["Approval: legal"] for c in teams.connector.of("update")}
    assert updated == {posted.activity["id"]: "approved by Léa Legal", shown.activity["id"]: "approved by Léa Legal"}


async def test_post_update_and_resolve_clicks_update_the_incident_card_for_everyone(teams: TeamsClient) -> None:
    await teams.say("open Wave of complaints --sev 2", conversation=ROOM)
    incident_card = posted_card(teams, "CRI-1 · Wave of complaints")
    message_id = incident_card.activity["id"]
    teams.connector.clear()

    status, body = await click(teams, incident_card, "Post update", MEGAN, ask0="Carrier found the parcels")
    assert status == 200
    [update] = [c for c in teams.connector.of("update") if c.activity_id == message_id]
    assert facts(update.cards[0])["Latest update"].startswith("Carrier found the parcels (")
    assert update.cards[0] == body["value"]

    teams.connector.clear()
    status, body = await click(teams, incident_card, "Resolve", MEGAN)
    assert status == 200
    [update] = [c for c in teams.connector.of("update") if c.activity_id == message_id]
    assert facts(update.cards[0])["Status"] == "resolved"
    assert [a["title"] for a in update.cards[0]["actions"]] == ["Reopen"]
    assert teams.incident().status is Status.RESOLVED


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


async def test_a_click_that_leaves_its_card_unchanged_tells_the_clicker_what_happened(teams: TeamsClient) -> None:
    await teams.say("open Wave of complaints --sev 2", conversation=ROOM)
    incident_card = posted_card(teams, "CRI-1 · Wave of complaints")
    teams.connector.clear()

    status, body = await click(teams, incident_card, "Draft reply", MEGAN, ask1="We are sorry.")
    assert status == 200
    # Not a blank banner under the card, which no update replaces.
    assert body["type"] == "application/vnd.microsoft.activity.message"
    assert body["value"].startswith("CRI-1 · draft #1 written\nThis draft needs comms, legal")
    assert not [c for c in teams.connector.of("update") if c.activity_id == incident_card.activity["id"]]
    assert teams.incident().draft(1).text == "We are sorry."


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

    # Nothing in the thread: the answers were for the clicker only.
    assert [c for c in teams.connector.calls if c.kind != "member"] == []

    data = action(draft_card.cards[0], "Approve")
    await teams.post(teams.submit(data, draft_card.activity["id"], SAM, ROOM))  # the fallback path, same answer
    assert teams.connector.of("update") == []
    [answer] = teams.connector.of("reply")
    assert answer.text.replace("\\", "") == body["value"] and not answer.cards
    after = teams.incident()
    assert after.draft(1).current_approvals() == before.draft(1).current_approvals() == []


def picker_data(card: dict[str, Any], label: str) -> dict[str, Any]:
    for block in card["body"]:
        if block["type"] == "ActionSet" and block["actions"][0]["title"] == f"Set {label}":
            return dict(block["actions"][0]["data"])
    raise AssertionError(f"no picker {label!r}")


async def test_set_lead_with_nobody_picked_is_answered_to_the_clicker_only(teams: TeamsClient) -> None:
    await teams.say("open Wave of complaints --sev 2", conversation=ROOM)
    incident_card = posted_card(teams, "CRI-1 · Wave of complaints")
    teams.connector.clear()

    data = picker_data(incident_card.cards[0], "lead")
    status, body = await teams.post(teams.invoke(data, incident_card.activity["id"], MEGAN, ROOM))
    assert status == 200
    assert body == {"statusCode": 200, "type": "application/vnd.microsoft.activity.message",
                    "value": "Please choose or write something first."}
    assert [c for c in teams.connector.calls if c.kind != "member"] == []  # no usage text, no help card in the thread
    assert teams.incident().holder("lead") is None

    data[data["input"]] = MEGAN.aad
    status, body = await teams.post(teams.invoke(data, incident_card.activity["id"], MEGAN, ROOM))
    assert teams.incident().holder("lead") == MEGAN.aad
    assert facts(body["value"])["lead"] == "Megan Bowen"
    assert [c.text for c in teams.connector.of("reply")] == ["CRI-1 · lead: <at>Megan Bowen</at>"]


async def test_a_person_picked_who_never_spoke_is_named_and_holds_the_role_by_their_entra_id(teams: TeamsClient) -> None:
    teams.connector.members[LEA.teams_id] = {"id": LEA.teams_id, "name": LEA.name, "aadObjectId": LEA.aad}
    teams.connector.members[COLIN.teams_id] = {"id": COLIN.teams_id, "name": COLIN.name, "aadObjectId": COLIN.aad}
    await teams.say("open Wave of complaints --sev 2", conversation=ROOM)
    incident_card = posted_card(teams, "CRI-1 · Wave of complaints")
    teams.connector.clear()

    # Teams' people picker answers an Entra object id; some clients (the Agents Playground) a Teams id.
    for label, picked, person in (("legal", LEA.aad, LEA), ("comms", COLIN.teams_id, COLIN)):
        data = {**picker_data(incident_card.cards[0], label)}
        data[data["input"]] = picked
        status, body = await teams.post(teams.invoke(data, incident_card.activity["id"], MEGAN, ROOM))
        assert status == 200
        assert teams.incident().holder(label) == person.aad
        assert facts(body["value"])[label] == person.name
    assert [c.text for c in teams.connector.of("reply")] == [
        "CRI-1 · legal: <at>Léa Legal</at>", "CRI-1 · comms: <at>Colin Comms</at>"]


async def test_a_person_picked_through_the_action_submit_fallback_is_named_and_holds_the_role(teams: TeamsClient) -> None:
    teams.connector.members[LEA.teams_id] = {"id": LEA.teams_id, "name": LEA.name, "aadObjectId": LEA.aad}
    await teams.say("open Wave of complaints --sev 2", conversation=ROOM)
    incident_card = posted_card(teams, "CRI-1 · Wave of complaints")
    message_id = incident_card.activity["id"]
    teams.connector.clear()

    data = {**picker_data(incident_card.cards[0], "legal")}
    data[data["input"]] = LEA.teams_id  # a Teams id, as some clients answer: the role still goes to her Entra id
    status, _ = await teams.post(teams.submit(data, message_id, MEGAN, ROOM))
    assert status == 200
    assert teams.incident().holder("legal") == LEA.aad
    updates = [c for c in teams.connector.of("update") if c.activity_id == message_id]
    assert [facts(u.cards[0])["legal"] for u in updates] == [LEA.name]
    assert [c.text for c in teams.connector.of("reply")] == ["CRI-1 · legal: <at>Léa Legal</at>"]


async def test_a_usage_error_from_a_click_has_no_entities_and_no_help_card(teams: TeamsClient) -> None:
    await teams.say("open Wave of complaints --sev 2", conversation=ROOM)
    incident_card = posted_card(teams, "CRI-1 · Wave of complaints")
    teams.connector.clear()
    data = {**picker_data(incident_card.cards[0], "Severity"), "crisisbot": "CRI-1 assign"}
    data[data["input"]] = "lead"
    status, body = await teams.post(teams.invoke(data, incident_card.activity["id"], MEGAN, ROOM))
    assert status == 200 and body["type"] == "application/vnd.microsoft.activity.message"
    assert body["value"] == "Usage: `assign <role> <@person>`"
    assert [c for c in teams.connector.calls if c.kind != "member"] == []


async def test_an_invoke_for_another_apps_card_is_answered_200_and_does_nothing(teams: TeamsClient) -> None:
    status, body = await teams.post(teams.invoke({"item": "vegan"}, "1", MEGAN, ROOM, verb="food"))
    assert status == 200
    assert body["statusCode"] == 200 and body["type"] == "application/vnd.microsoft.activity.message"
    assert teams.incidents() == []


async def test_a_refused_menu_choice_is_put_back_on_the_card(teams: TeamsClient) -> None:
    # The choice set shows the picked severity at once; the core refuses it, so the card is sent again as it is.
    await teams.say("open Wave of complaints --sev 2", conversation=ROOM)
    await teams.say("assign lead @Megan Bowen", conversation=ROOM, mentions=(MEGAN,))
    incident_card = posted_card(teams, "CRI-1 · Wave of complaints")
    teams.connector.clear()
    data = picker_data(incident_card.cards[0], "Severity")
    data[data["input"]] = "1"
    status, body = await teams.post(teams.invoke(data, incident_card.activity["id"], SAM, ROOM))
    assert status == 200 and "lead" in body["value"]  # refused, to the clicker only
    assert teams.incident().severity == 2
    [put_back] = teams.connector.of("update")
    assert put_back.activity_id == incident_card.activity["id"]
    [choice] = [b for b in put_back.cards[0]["body"] if b.get("type") == "Input.ChoiceSet" and b["id"] == data["input"]]
    assert choice["value"] == "2"
