"""What each fact causes, planned without any I/O: cards per conversation, news to the others, direct messages."""

from dataclasses import fields
from datetime import UTC, datetime

from bot import events as ev
from bot.commands import Origin
from bot.config import Settings
from bot.drafts import DraftState, Publication
from bot.i18n import translator
from bot.model import Conversation, Incident
from bot.reactions import REACTIONS, plan
from tests.harness import Harness

T = translator("en")
GENERAL = Conversation("console", "general")
WAR_ROOM = Conversation("console", "war-room")
ALICE = Origin("alice", "console", "general", None)


def test_every_event_type_has_a_declared_reaction() -> None:
    assert set(REACTIONS) == set(ev.Event.__args__)  # type: ignore[attr-defined]


def test_a_draft_card_is_only_declared_for_facts_that_name_a_draft() -> None:
    for kind, reaction in REACTIONS.items():
        if reaction.draft_card:
            assert "number" in {f.name for f in fields(kind)}, kind.__name__


def crisis_in_two_rooms(settings: Settings | None = None) -> tuple[Harness, Incident]:
    h = Harness(settings)
    h.say("open Leak --sev 2")
    h.say("draft We are looking into it", person="bob")
    with h.dispatcher.uow_factory() as uow:
        incident = uow.incidents.get("CRI-1")
        assert incident is not None
        incident.link(WAR_ROOM, "alice", h.clock.now())
        uow.commit()
    return h, h.incident()


def test_a_note_refreshes_the_incident_card_everywhere_and_tells_nobody() -> None:
    h, incident = crisis_in_two_rooms()
    planned = plan(incident, [ev.NoteAdded("called the vendor")], h.settings, ALICE, {"console"}, T)
    assert [draw().id for draw in planned.cards] == ["incident:CRI-1"]
    assert [(d.conversation, d.card.id) for d in planned.deliveries] == [
        (GENERAL, "incident:CRI-1"),
        (WAR_ROOM, "incident:CRI-1"),
    ]
    assert planned.news == () and planned.messages == ()
    assert {d.version for d in planned.deliveries} == {incident.version}


def test_a_status_update_is_news_for_the_other_conversations_only() -> None:
    h, incident = crisis_in_two_rooms()
    planned = plan(incident, [ev.StatusUpdatePosted("Fixed soon")], h.settings, ALICE, {"console"}, T)
    assert [(n.conversation, n.lines) for n in planned.news] == [
        (WAR_ROOM, ("CRI-1 · <@alice> · update: Fixed soon",))
    ]


def test_an_approval_refreshes_that_draft_card_only() -> None:
    h, incident = crisis_in_two_rooms()
    planned = plan(incident, [ev.ApprovalGiven(1, 1, ("comms",))], h.settings, ALICE, {"console"}, T)
    assert [draw().id for draw in planned.cards] == ["draft:CRI-1:1"]
    assert planned.news == ()


def test_resolving_refreshes_the_waiting_drafts_too() -> None:
    h, incident = crisis_in_two_rooms()
    planned = plan(incident, [ev.StatusChanged("active", "resolved")], h.settings, ALICE, {"console"}, T)
    assert [draw().id for draw in planned.cards] == ["incident:CRI-1", "draft:CRI-1:1"]


def test_an_objection_messages_the_author_and_the_lead_on_the_speakers_platform() -> None:
    h, incident = crisis_in_two_rooms()
    carol = Origin("carol", "console", "war-room", None)
    planned = plan(incident, [ev.ObjectionRaised(1, 1, "wrong figures")], h.settings, carol, {"console"}, T)
    # Nobody leads: the reporter hears of it along with the author.
    assert [(m.platform, m.target, m.channel) for m in planned.messages] == [
        ("console", "bob", False),
        ("console", "alice", False),
    ]


def test_stakeholders_are_planned_for_a_crisis_raised_to_their_severity() -> None:
    h, incident = crisis_in_two_rooms(Settings(notify={2: ("@eric", "#exec")}))
    planned = plan(incident, [ev.SeverityChanged(3, 2)], h.settings, ALICE, {"console"}, T)
    assert [(m.target, m.channel) for m in planned.messages] == [("eric", False), ("exec", True)]
    assert "raised to severity 2" in planned.messages[0].reply.text


def test_nothing_is_planned_for_a_platform_this_process_does_not_reach() -> None:
    h, incident = crisis_in_two_rooms(Settings(notify={2: ("@eric",)}))
    planned = plan(incident, [ev.SeverityChanged(3, 2)], h.settings, ALICE, {"slack"}, T)
    assert planned.deliveries == () and planned.news == () and planned.messages == ()
    assert [draw().id for draw in planned.cards] == ["incident:CRI-1"]  # the reply still carries the refreshed card


def test_a_refreshed_draft_card_shows_its_publications_in_the_teams_time_zone() -> None:
    h, incident = crisis_in_two_rooms(Settings(timezone="Europe/Paris"))
    draft = incident.drafts[0]
    draft.publications.append(Publication(1, "X", "bob", datetime(2026, 11, 28, 9, 0, tzinfo=UTC), 2))
    draft.state = DraftState.PUBLISHED
    planned = plan(incident, [ev.DraftPublished(1, 1, "X")], h.settings, ALICE, {"console"}, T)
    published = [f.value for draw in planned.cards for f in draw().fields if f.label == "Published"]
    assert published == ["X · <@bob> · 2026-11-28 10:00 CET"]
