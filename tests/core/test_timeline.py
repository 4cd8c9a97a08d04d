"""The timeline card: the latest facts after an honest count of the earlier ones, conversations named, never ids."""

from __future__ import annotations

import asyncio

from bot.commands import Origin
from bot.grammar import parse
from bot.model import Conversation
from bot.replies import Reply
from tests.harness import Harness


def timeline_lines(reply: Reply) -> list[str]:
    """The card's note (if any), then its entries."""
    [card] = reply.cards
    return [card.note] * bool(card.note) + card.text.split("\n")


def test_a_long_timeline_says_how_many_earlier_entries_it_leaves_out() -> None:
    h = Harness()
    h.say("open Complaints about the new app --sev 3")
    for n in range(1, 61):
        h.say(f"update Update number {n}")
    recorded = h.incident().events_recorded
    assert recorded >= 62  # opened, linked, then the 60 updates
    lines = timeline_lines(h.say("timeline"))
    assert lines[0] == f"… {recorded - 40} earlier entries; `export` for the full record"
    assert len(lines) == 41
    assert lines[-1].endswith("Update number 60")
    assert not any("Update number 1\u201d" in line or line.endswith("Update number 1") for line in lines)


def test_a_short_timeline_is_shown_whole_with_no_count() -> None:
    h = Harness()
    h.say("open Complaints about the new app --sev 3")
    h.say("update Looking into it")
    lines = timeline_lines(h.say("timeline"))
    assert len(lines) == h.incident().events_recorded
    assert not any("earlier entries" in line for line in lines)


def test_the_count_is_translated() -> None:
    h = Harness()
    h.language = "fr"
    h.say("ouvrir Plaintes --sev 3")
    for n in range(45):
        h.say(f"point Point {n}")
    lines = timeline_lines(h.say("chronologie"))
    earlier = h.incident().events_recorded - 40
    assert lines[0] == f"… {earlier} entrées plus anciennes\u00a0; `export` pour le dossier complet"


def run(h: Harness, text: str, origin: Origin) -> Reply:
    async def handled() -> Reply:
        reply = await h.service.handle(parse(text), origin)
        await h.service.drain()
        return reply

    return asyncio.run(handled())


def test_conversations_are_named_by_what_doors_call_them_never_by_id() -> None:
    h = Harness()
    named = Origin("U1", "slack", "C0123ABC", names=(("C0123ABC", "Slack › #general"),))
    run(h, "open Complaints about the new app --sev 3", named)
    # Linked by id alone (as a crisis channel is, once created), then named by a later request from it.
    with h.dispatcher.uow_factory() as uow:
        incident = uow.incidents.get("CRI-1")
        assert incident is not None
        incident.link(Conversation("slack", "C0999ROOM"), "crisisbot", h.clock.now())
        incident.link(Conversation("slack", "C0777ELSE"), "crisisbot", h.clock.now())
        uow.commit()
    run(h, "update Looking into it", Origin("U1", "slack", "C0999ROOM", names=(("C0999ROOM", "Slack › #crisis-cri-1"),)))
    text = "\n".join(timeline_lines(run(h, "timeline", Origin("U1", "slack", "C0123ABC"))))
    assert "now discussed in Slack › #general" in text
    assert "now discussed in Slack › #crisis-cri-1" in text
    assert "now discussed in a Slack channel" in text  # C0777ELSE: nobody ever named it
    assert "C0" not in text
