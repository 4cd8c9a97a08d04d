"""The core's answer carries all a door needs: the reply, the cards the command refreshed, where a new crisis lives."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from bot import commands as c
from bot.model import Incident
from bot.replies import Reply, Room
from tests.fakes import FakeGateway
from tests.harness import Harness


def run(h: Harness, command: c.Command, conversation: str = "general") -> Reply:
    return asyncio.run(h.service.handle(command, c.Origin("alice", "console", conversation)))


def test_an_opening_answers_with_the_room_the_crisis_now_lives_in() -> None:
    h = Harness()
    h.gateway.rooms = True
    reply = run(h, c.OpenIncident("Leak of customer emails", 1))
    assert reply.incident == "CRI-1" and reply.room == Room("crisis-cri-1")
    # The room is linked before the cards go out, so its card is posted there as well as where it was opened.
    assert [c.id for c in h.incident().conversations] == ["general", "crisis-cri-1"]
    assert {p.conversation for p in h.gateway.posts if p.reply and p.reply.cards} == {"general", "crisis-cri-1"}


def test_a_room_that_could_not_be_opened_comes_back_with_its_reason() -> None:
    class Refusing(FakeGateway):
        async def open_room(self, incident: Incident, members: Sequence[str]) -> Room | None:
            return Room(None, "no permission")

    h = Harness()
    h.service.gateways = {"console": Refusing("console")}
    reply = run(h, c.OpenIncident("Leak"))
    assert reply.room == Room(None, "no permission")
    assert [c.id for c in h.incident().conversations] == ["general"]


def test_platforms_without_rooms_and_other_commands_answer_without_one() -> None:
    h = Harness()
    opened = run(h, c.OpenIncident("Leak"))
    noted = run(h, c.AddNote("Press desk called"))
    assert opened.room is None and noted.room is None
    assert [card.id for card in noted.refreshed] == ["incident:CRI-1"]


def test_open_without_a_title_answers_how_to_write_it_where_no_form_can_ask() -> None:
    h = Harness()
    reply = run(h, c.AskToOpen(severity=2))
    assert reply.private and reply.text == "Usage: `open <title> [--sev 1-4]`"
    assert h.gateway.posts == []
