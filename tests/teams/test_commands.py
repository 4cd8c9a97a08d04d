"""Every command of the grammar typed in Teams: mention stripped, run by the core, answered in the thread."""

from __future__ import annotations

import json
from datetime import timedelta

from bot.drafts import DraftState
from bot.grammar import USAGE
from bot.model import Status
from tests.teams.conftest import COLIN, LEA, MEGAN, SAM, TeamsClient, thread
from tests.teams.fake_connector import card_title

ROOM = thread("1700000000001")


async def test_every_command_of_the_grammar_works_from_teams(teams: TeamsClient) -> None:
    connector = teams.connector
    # Léa never spoke to the bot: her mention is resolved through the connector's member lookup.
    for person in (LEA, COLIN, SAM):
        connector.members[person.teams_id] = {"id": person.teams_id, "name": person.name, "aadObjectId": person.aad}
    used: set[str] = set()

    async def say(text: str, who=MEGAN, conversation: str = ROOM, mentions=()) -> str:  # type: ignore[no-untyped-def]
        used.add(text.split()[1] if text.startswith("CRI-") else text.split()[0])
        connector.clear()
        assert await teams.say(text, who, conversation, mentions) == 200
        replies = [c for c in connector.of("reply") if c.text or c.cards]
        assert replies, f"no answer to {text!r}"
        return "\n".join(c.text for c in replies)

    await say("open Wave of complaints about delivery --sev 2")
    incident = teams.incident()
    assert (incident.title, incident.severity, incident.reporter) == ("Wave of complaints about delivery", 2, MEGAN.aad)

    answer = await say("assign lead @Megan Bowen", mentions=(MEGAN,))
    assert teams.incident().holder("lead") == MEGAN.aad
    assert "<at>Megan Bowen</at>" in answer
    await say("assign legal @Léa Legal", mentions=(LEA,))
    assert teams.incident().holder("legal") == LEA.aad
    await say("assign comms @Colin Comms", mentions=(COLIN,))
    await say("assign support @Sam Support", mentions=(SAM,))
    assert teams.incident().holder("support") == SAM.aad

    await say("roles")
    roles_card = connector.of("reply")[-1].cards[0]
    assert "Léa Legal" in str(roles_card) and LEA.aad not in str(roles_card)  # names, not ids

    await say("draft We are sorry: deliveries are late this week.")
    await say("revise 1 We are sorry: deliveries are late this week. Refunds are on their way.")
    assert teams.incident().draft(1).version == 2
    await say("approve 1", who=LEA)
    await say("changes 1 Say when refunds arrive", who=COLIN)
    assert teams.incident().draft(1).state is DraftState.CHANGES_REQUESTED
    await say("revise 1 We are sorry: deliveries are late. Refunds arrive by Friday.")
    await say("approve", who=LEA)
    await say("approve 1", who=COLIN)
    assert teams.incident().draft(1).state is DraftState.APPROVED
    await say("publish 1 website", who=COLIN)
    assert teams.incident().draft(1).state is DraftState.PUBLISHED

    await say("draft Second statement")
    await say("reject 2 Too vague", who=LEA)
    assert teams.incident().draft(2).state is DraftState.REJECTED
    await say("draft Third statement")
    await say("object 3 Admits liability", who=LEA)
    await say("withdraw 3", who=LEA)
    await say("object 3 Too early", who=COLIN)
    await say("override 3 We must speak now")
    assert [o.closed_by for o in teams.incident().draft(3).objections] == [LEA.aad, MEGAN.aad]
    await say("discard 3")
    assert teams.incident().draft(3).state is DraftState.DISCARDED

    await say("update The carrier confirmed the delay")
    assert teams.incident().last_update.text == "The carrier confirmed the delay"

    legal_room = thread("1700000000009")
    await say("join CRI-1", conversation=legal_room)
    assert [c.id for c in teams.incident().places] == [ROOM, legal_room]
    await say("leave", conversation=legal_room)
    assert [c.id for c in teams.incident().places] == [ROOM]
    await say("severity 1")
    assert teams.incident().severity == 1
    await say("note The press called")
    await say("snooze 30")
    incident = teams.incident()
    assert incident.next_update_due == teams.runtime.dispatcher.clock.now() + timedelta(minutes=30)

    await say("status")
    assert any("CRI-1" in str(card) for call in connector.of("reply") for card in call.cards)
    await say("timeline")
    assert "The press called" in str(connector.of("reply")[-1].cards)

    await say("monitor")
    assert teams.incident().status is Status.MONITORING
    await say("release support", who=SAM)
    assert teams.incident().holder("support") is None
    await say("resolve The carrier delivered everything")
    assert teams.incident().status is Status.RESOLVED
    await say("reopen")
    assert teams.incident().status is Status.ACTIVE

    # Holding statements (no roster here: their approval is refused with the reason), answers, the line, the brief.
    await say("template delay-notice We are aware of delays on {product}.", who=SAM)
    await say("templates")
    assert "hold none" in await say("approve-template delay-notice", who=COLIN)
    await say("reject-template delay-notice Too vague", who=COLIN)
    assert "template approvers" in await say("retire delay-notice", who=COLIN)
    assert "not approved yet" in await say("use delay-notice product=K2")
    await say("answer Is my order late? | Yes, by two days.", who=SAM)
    await say("approve-answer 1", who=COLIN)
    await say("reject-answer 1 Too late", who=COLIN)
    await say("line Hide insults, never delete complaints.", who=SAM)
    await say("reject-line Too strict", who=COLIN)
    await say("approve-line", who=COLIN)
    await say("brief")
    assert "Yes, by two days." in str(connector.of("reply")[-1].cards)

    # Outside the incident's conversation: the 1:1 chat, where the key is given first.
    personal = "a:1megan-personal-chat"
    answer = await say("list", conversation=personal)
    assert "CRI-1" in str(connector.of("reply")[-1].cards)
    await say("CRI-1 status", conversation=personal)
    assert "Wave of complaints" in str(connector.of("reply")[-1].cards)
    await say("help", conversation=personal)
    assert card_title(connector.of("reply")[-1].cards[0]) == "crisisbot help"

    await say("CRI-1 lesson Legal came in late", conversation=personal)
    await say("CRI-1 action Write a delivery FAQ @Colin Comms", conversation=personal, mentions=(COLIN,))
    await say("CRI-1 export", conversation=personal)
    assert "- [ ] Write a delivery FAQ · Owner: @Colin Comms" in connector.of("reply")[-1].text
    assert "The dashboard is off" in await say("dashboard", conversation=personal)  # no CRISISBOT_SECRET_KEY here

    # The weak-signal watch.
    assert "Watching delivery" in await say("watch delivery livraison, parcel", conversation=personal)
    await say("watch", conversation=personal)
    assert "delivery" in str(connector.of("reply")[-1].cards)
    assert "Signal recorded, on delivery." in await say("signal Parcel lost again", conversation=personal)
    assert "There is no signal alert #9." in await say("alert 9 open", conversation=personal)
    await say("signals")
    assert card_title(connector.of("reply")[-1].cards[0]) == "CRI-1 · signals"
    assert "No longer watching delivery." in await say("unwatch delivery", conversation=personal)

    assert used >= set(USAGE), f"not tried from Teams: {set(USAGE) - used}"


async def test_unknown_or_empty_text_gets_the_help_card(teams: TeamsClient) -> None:
    await teams.say("")
    await teams.say("dance please")
    replies = teams.connector.of("reply")
    assert [card_title(r.cards[0]) for r in replies if r.cards] == ["crisisbot help", "crisisbot help"]
    assert "Unknown command `dance`." in teams.connector.texts()


async def test_french_locale_gets_french_answers(teams: TeamsClient) -> None:
    activity = teams.message("aide")
    activity["locale"] = "fr-FR"
    await teams.post(activity)
    card = teams.connector.of("reply")[-1].cards[0]
    assert card_title(card) == "Aide de crisisbot"


async def test_the_same_activity_delivered_twice_has_one_effect(teams: TeamsClient) -> None:
    activity = teams.message("open Twice delivered")
    assert (await teams.post(activity))[0] == 200
    sent = len(teams.connector.calls)
    assert (await teams.post(activity))[0] == 200
    assert teams.incidents() == ["CRI-1"]
    assert len(teams.connector.calls) == sent


async def test_a_mention_of_someone_the_connector_cannot_find_falls_back_to_their_teams_id(teams: TeamsClient) -> None:
    await teams.say("open Leak")
    await teams.say("assign legal @Sam Support", mentions=(SAM,))
    assert teams.connector.of("member")
    # Without an Entra id, the Teams user id (29:...) is the person: still a real, mentionable holder.
    assert teams.incident().holder("legal") == "29:1sam"


async def test_the_names_teams_gives_are_remembered_for_reports(teams: TeamsClient) -> None:
    await teams.say("open Leak")
    await teams.say("assign legal @Léa Legal", mentions=(LEA,))
    legal = teams.incident().holder("legal")
    assert legal is not None
    with teams.runtime.dispatcher.uow_factory() as uow:
        names = uow.people.names({MEGAN.aad, legal})
    assert names == {MEGAN.aad: "Megan Bowen", legal: "Léa Legal"}


async def test_times_answered_follow_the_time_zone_teams_sends(teams: TeamsClient) -> None:
    await teams.say("open Fuseau horaire --sev 2")
    teams.connector.clear()
    status = teams.message("status")
    status["localTimezone"] = "Europe/Paris"
    assert (await teams.post(status))[0] == 200
    cards = [card for call in teams.connector.calls for card in call.cards]
    assert cards and (" CET" in json.dumps(cards) or " CEST" in json.dumps(cards))


async def test_paragraphs_and_line_breaks_teams_sends_as_html_stay_lines(teams: TeamsClient) -> None:
    await teams.say("open Wave of complaints", conversation=ROOM)
    activity = teams.message("", conversation=ROOM)
    activity["text"] = ("<p><at>crisisbot</at> draft We are sorry &lt;b&gt;truly&lt;/b&gt;.</p>\r\n"
                        "<p>Deliveries resume Monday.<br>Refunds follow.</p><p>&nbsp;</p><div>Thank you.</div>")
    assert (await teams.post(activity))[0] == 200
    assert teams.incident().draft(1).text == (
        "We are sorry <b>truly</b>.\nDeliveries resume Monday.\nRefunds follow.\n\nThank you.")
