"""What the incident and draft cards show: buttons that match what can be done, the latest public statement."""

from bot.replies import Card, Reply
from tests.harness import Harness


def crisis() -> Harness:
    h = Harness()
    h.say("open Complaints about the new app --sev 3")
    h.say("assign lead @alice")
    h.say("assign comms @bob")
    return h


def field(card: Card, label: str) -> str:
    [value] = [f.value for f in card.fields if f.label == label]
    return value


def labels(card: Card) -> list[str]:
    return [b.label for b in card.buttons]


def cards_of(reply: Reply, prefix: str) -> list[Card]:
    return [c for c in reply.cards if c.id.startswith(prefix)]


def test_a_resolved_incidents_drafts_lose_their_approval_buttons() -> None:
    h = crisis()
    h.say("draft We are looking into it.")
    h.say("draft A second text.")
    h.say("approve 2", person="bob")
    pending = ["Approve", "Request changes", "Reject", "Object", "Discard"]
    assert labels(cards_of(h.say("status"), "draft:CRI-1:1")[0]) == pending
    h.say("resolve Fixed")
    waiting, approved = cards_of(h.say("status"), "draft:")
    assert labels(waiting) == []
    assert labels(approved) == ["Mark published"]  # what went out may still be recorded after the crisis
    assert "resolved" in h.say("approve 1", person="bob").text  # the rule the missing button reflects


def test_resolving_refreshes_the_draft_cards_already_posted() -> None:
    h = crisis()
    h.say("draft We are looking into it.")
    h.say("resolve Fixed")
    [refreshed] = [s.card for s in h.gateway.updates if s.card is not None and s.card.id == "draft:CRI-1:1"][-1:]
    assert labels(refreshed) == []
    h.say("reopen")
    [again] = [s.card for s in h.gateway.updates if s.card is not None and s.card.id == "draft:CRI-1:1"][-1:]
    assert labels(again) == ["Approve", "Request changes", "Reject", "Object", "Discard"]


def test_status_shows_the_latest_published_statement() -> None:
    h = crisis()
    [card] = cards_of(h.say("status"), "incident:")
    assert field(card, "Latest public statement") == "nothing published yet"
    h.say("draft First statement.")
    h.say("approve", person="bob")
    h.say("publish 1 X")
    h.clock.advance(minutes=30)
    h.say("draft Second statement.")
    h.say("approve", person="bob")
    h.say("draft Third, not yet published.")
    h.say("publish 2 website")
    [card] = cards_of(h.say("status"), "incident:")
    assert field(card, "Latest public statement") == "Second statement. (website · 2026-11-23 10:30 UTC)"


def test_usage_errors_answer_the_usage_line_not_the_whole_help() -> None:
    h = Harness()
    reply = h.say("severity 9")
    assert reply.text == "Usage: `severity <1-4>`" and reply.cards == ()
    assert [c.id for c in h.say("help").cards] == ["help"]


def test_the_latest_statement_is_the_latest_publication_even_of_an_older_draft() -> None:
    h = crisis()
    h.say("draft First statement.")
    h.say("approve 1", person="bob")
    h.say("publish 1 X", person="bob")
    h.say("draft Second statement.")
    h.say("approve 2", person="bob")
    h.say("publish 2 website", person="bob")
    h.clock.advance(minutes=5)
    h.say("publish 1 Facebook", person="bob")  # the first words, out again on one more channel
    [card] = cards_of(h.say("status"), "incident:")
    assert field(card, "Latest public statement").startswith("First statement. (Facebook · ")
