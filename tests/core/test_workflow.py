import asyncio
from datetime import timedelta

from bot.commands import AddNote, CreateDraft, OpenIncident, Origin, PostUpdate
from bot.drafts import DraftState
from bot.grammar import parse
from bot.model import Status
from bot.plain_text import MAX_TEXT_LENGTH
from bot.replies import Button
from tests.harness import Harness


def opened(sev: int = 2) -> Harness:
    h = Harness()
    h.say(f"open Wave of complaints about late deliveries --sev {sev}")
    h.say("assign legal @carol")
    h.say("assign comms @bob")
    return h


def test_open_creates_incident_with_key_and_due_update() -> None:
    h = Harness()
    reply = h.say("open Wave of complaints --sev 2")
    incident = h.incident("CRI-1")
    assert "CRI-1" in reply.text
    assert incident.severity == 2 and incident.status is Status.ACTIVE
    assert incident.next_update_due == h.clock.at + h.settings.checkin_interval(2)
    assert incident.reporter == "alice"


def test_author_cannot_approve_own_draft() -> None:
    h = opened()
    h.say("draft We are aware of delays and are on it.", person="bob")
    reply = h.say("approve", person="bob")
    assert reply.private and "four-eyes" in reply.text
    assert h.incident().drafts[0].current_approvals() == []


def test_non_holder_cannot_approve() -> None:
    h = opened()
    h.say("draft We are aware.", person="alice")
    reply = h.say("approve 1", person="mallory")
    assert reply.private and "comms, legal" in reply.text
    assert h.incident().drafts[0].state is DraftState.PENDING


def test_two_holders_approve_and_draft_freezes() -> None:
    h = opened()
    h.say("draft We are aware.", person="alice")
    h.say("approve", person="carol")
    assert h.incident().drafts[0].state is DraftState.PENDING
    h.say("approve", person="bob")
    draft = h.incident().drafts[0]
    assert draft.state is DraftState.APPROVED
    assert {(a.role, a.approver) for a in draft.current_approvals()} == {("legal", "carol"), ("comms", "bob")}
    reply = h.say("publish twitter", person="bob")
    assert h.incident().drafts[0].state is DraftState.PUBLISHED, reply.text


def test_revise_clears_approvals() -> None:
    h = opened()
    h.say("draft v1 text", person="alice")
    h.say("approve", person="carol")
    h.say("revise 1 v2 text", person="alice")
    draft = h.incident().drafts[0]
    assert draft.version == 2 and draft.current_approvals() == [] and draft.text == "v2 text"


def test_resolved_incident_draft_cannot_be_approved() -> None:
    h = opened()
    h.say("draft text", person="alice")
    h.say("resolve all good")
    reply = h.say("approve 1", person="carol")
    assert reply.private
    assert h.incident().drafts[0].current_approvals() == []


def test_unknown_incident_is_refused_clearly() -> None:
    h = Harness()
    reply = h.say("CRI-99 update hello")
    assert reply.private and "CRI-99" in reply.text


def test_retried_request_has_no_second_effect() -> None:
    h = Harness()
    h.say("open A --sev 3", request_id="r1")
    h.say("open A --sev 3", request_id="r1")
    with h.dispatcher.uow_factory() as uow:
        assert [i.key for i in uow.incidents.list()] == ["CRI-1"]


def test_nul_characters_are_dropped_from_what_people_type_and_the_command_runs() -> None:
    # PostgreSQL refuses NUL in text: a pasted title used to fail the whole command there, and be kept on SQLite.
    h = Harness()
    reply = h.say("open Wave\x00 of complaints --sev 2")
    h.say("draft We are\x00 aware.")
    h.say("note Press\x00 desk")
    incident = h.incident()
    assert "\x00" not in reply.text and "Wave of complaints" in reply.text
    assert incident.title == "Wave of complaints"
    assert incident.drafts[0].text == "We are aware."
    assert [e.event.text for e in incident.timeline if hasattr(e.event, "text")][-1] == "Press desk"


def test_nul_in_a_display_name_does_not_fail_a_refused_command() -> None:
    h = Harness()
    h.say("open Wave of complaints --sev 2")
    origin = Origin("mallory", "console", h.conversation, names=(("mallory", "Mal\x00lory"),), request_id="r-nul")
    reply = asyncio.run(h.service.handle(parse("approve 1"), origin))
    assert reply.private and "Something went wrong" not in reply.text
    assert "\x00" not in reply.text


def test_text_that_shows_nothing_is_refused_wherever_it_comes_from() -> None:
    # A door's form or button hands the core its text without the grammar: the model refuses it too.
    h = Harness()
    h.say("open Wave of complaints --sev 2")
    for command in (CreateDraft("\u200b\u2060"), AddNote(" \u200b "), PostUpdate("\ufeff"), OpenIncident("\u200b")):
        reply = asyncio.run(h.service.handle(command, Origin("alice", "console", h.conversation)))
        assert reply.private and "needs" in reply.text, (command, reply.text)
    incident = h.incident()
    assert incident.drafts == [] and incident.updates == []
    assert [type(e.event).__name__ for e in incident.timeline] == ["IncidentOpened", "ConversationLinked"]
    with h.dispatcher.uow_factory() as uow:
        assert [i.key for i in uow.incidents.list()] == ["CRI-1"]


def test_a_note_update_reason_or_summary_over_the_limit_is_refused_and_changes_nothing() -> None:
    # The console took a megabyte-long note; cards, news lines and the report could not show it.
    h = opened()
    h.say("draft We are aware.", person="alice")
    long = "x" * (MAX_TEXT_LENGTH + 1)
    for text in (f"note {long}", f"update {long}", f"changes 1 {long}", f"object 1 {long}", f"resolve {long}"):
        reply = h.say(text, person="bob")
        assert reply.private and f"limited to {MAX_TEXT_LENGTH:,}".replace(",", "") in reply.text.replace(",", ""), text
    incident = h.incident()
    assert incident.updates == [] and incident.status is Status.ACTIVE and incident.drafts[0].objections == []
    assert not [e for e in incident.timeline if type(e.event).__name__ in ("NoteAdded", "ChangesRequested")]
    assert h.say(f"note {'x' * MAX_TEXT_LENGTH}").text.startswith("CRI-1 · note")


def test_a_click_on_a_card_drawn_before_a_revision_approves_nothing() -> None:
    # The card's button says which version its clicker read; the words must be the ones approved.
    h = opened()
    h.say("draft We are aware.", person="alice")
    button = approve_button(h, "draft:CRI-1:1")
    h.say("revise 1 We are aware, and it is our fault.", person="alice")
    reply = h.say(button.command, person="carol")
    assert reply.private and "version 2" in reply.text and "version 1 you read" in reply.text
    assert h.incident().drafts[0].current_approvals() == [] and h.incident().drafts[0].approvals == []
    fresh = approve_button(h, "draft:CRI-1:1")
    h.say(fresh.command, person="carol")
    assert [(a.version, a.role) for a in h.incident().drafts[0].current_approvals()] == [(2, "legal")]


def approve_button(h: Harness, card_id: str) -> Button:
    """The Approve button of that card as the conversation shows it now (its last post or update)."""
    shown = [card for sent in h.gateway.posts if sent.reply for card in sent.reply.cards if card.id == card_id]
    shown += [sent.card for sent in h.gateway.updates if sent.card is not None and sent.card.id == card_id]
    return next(b for b in shown[-1].buttons if b.label == "Approve")  # a card's updates follow its post


def test_a_snooze_never_carries_the_check_in_past_an_update_promised_to_the_public() -> None:
    h = Harness()
    h.say("open Wave of complaints --sev 2")
    promised = h.clock.at.replace(hour=11, minute=0, second=0, microsecond=0) + timedelta(hours=1)
    h.say(f"update Next update at {promised:%H:%M}.")
    h.clock.at = promised - timedelta(minutes=20)
    h.say("snooze 60")
    due = h.incident().next_update_due
    assert due is not None and due <= promised  # not an hour after the promised time
    h.clock.at = promised - timedelta(hours=1)
    h.say("snooze 15")  # well before the promise: snoozed as asked
    assert h.incident().next_update_due == h.clock.at + timedelta(minutes=15)
