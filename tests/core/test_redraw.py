"""A refused click puts its card back as the crisis is: a menu's choice shows on the clicker's screen before the core
answers, and nothing else would redraw the card when the core refuses it."""

from __future__ import annotations

import asyncio

from bot.commands import ChangeSeverity, Command, Origin
from bot.replies import Card
from tests.harness import Harness


def shown(h: Harness, card_id: str) -> list[Card]:
    """Every state of that card the conversation was sent, in order."""
    posted = [card for sent in h.gateway.posts if sent.reply for card in sent.reply.cards if card.id == card_id]
    return posted + [sent.card for sent in h.gateway.updates if sent.card is not None and sent.card.id == card_id]


def severity_picked(card: Card) -> str | None:
    return next(p.selected for p in card.pickers if p.command.endswith("severity"))


def click(h: Harness, command: Command, person: str, card: str | None) -> str:
    origin = Origin(person, "console", h.conversation, card=card)
    reply = asyncio.run(h.service.handle(command, origin))
    asyncio.run(h.service.drain())
    return reply.text


def test_a_refused_menu_choice_puts_the_card_back_as_it_is() -> None:
    h = Harness()
    h.say("open Wave of complaints --sev 2")
    h.say("assign lead @alice")
    before = len(shown(h, "incident:CRI-1"))
    text = click(h, ChangeSeverity(1), "mallory", card="incident:CRI-1")  # picked "1 · critical" in the menu
    assert "lead" in text and h.incident().severity == 2  # refused, nothing changed
    states = shown(h, "incident:CRI-1")
    assert len(states) == before + 1 and severity_picked(states[-1]) == "2"


def test_a_refused_typed_command_or_a_card_never_posted_there_sends_nothing() -> None:
    h = Harness()
    h.say("open Wave of complaints --sev 2")
    h.say("assign lead @alice")
    before = (len(h.gateway.posts), len(h.gateway.updates))
    click(h, ChangeSeverity(1), "mallory", card=None)  # typed: no card to put back
    click(h, ChangeSeverity(1), "mallory", card="draft:CRI-1:7")  # no such draft card posted here
    click(h, ChangeSeverity(1), "mallory", card="something-else")
    assert (len(h.gateway.posts), len(h.gateway.updates)) == before
    assert h.incident().severity == 2
