"""Coalesced card refreshes, on a fake gateway and a timer the test moves."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from datetime import timedelta

import pytest

from bot.commands import Origin
from bot.config import ConfigError, Settings
from bot.grammar import parse
from bot.model import Conversation
from bot.reactions import CardDelivery, NewsDelivery, once
from bot.refresher import Refresher, Where
from bot.replies import Card, Reply
from tests.fakes import FakeGateway, FakeTimer
from tests.harness import Harness

ROOM = Conversation("console", "room")
OTHER = Conversation("console", "other")


def state(version: int, where: Conversation = ROOM) -> CardDelivery:
    return CardDelivery.drawn(where, Card("incident:CRI-1", "CRI-1", text=f"state {version}"), version)


def news(line: str, where: Conversation = ROOM) -> NewsDelivery:
    return NewsDelivery(where, "CRI-1", (line,))


class Places:
    """Where cards were posted, as `CardRefs` keeps it; records the order of writes and updates."""

    def __init__(self, log: list[str]) -> None:
        self.refs: dict[Where, str] = {}
        self.log = log

    async def lookup(self, wanted: Sequence[Where]) -> Mapping[Where, str]:
        return {w: self.refs[w] for w in wanted if w in self.refs}

    async def remember(self, posted: Mapping[Where, str]) -> None:
        self.log.append(f"remember {sorted(posted.values())}")
        self.refs.update(posted)


class Flaky(FakeGateway):
    """Refuses updates while `failing` (as a gateway does once Slack's Retry-After or Teams' 429 outlasts its retries)."""

    def __init__(self, timer: FakeTimer, log: list[str]) -> None:
        super().__init__("console")
        self.timer, self.log = timer, log
        self.failing = 0
        self.attempts: list[float] = []
        self.in_flight = self.most_in_flight = 0
        self.gate: asyncio.Event | None = None

    async def post(self, conversation: str, reply: Reply) -> str | None:
        self.log.append("post")
        return await super().post(conversation, reply)

    async def update(self, conversation: str, message_ref: str, card: Card) -> None:
        self.attempts.append(self.timer.now())
        self.in_flight += 1
        self.most_in_flight = max(self.most_in_flight, self.in_flight)
        try:
            if self.gate is not None:
                await self.gate.wait()
            if self.failing:
                self.failing -= 1
                raise RuntimeError("ratelimited: Retry-After 1")
            self.log.append(f"update {message_ref}")
            await super().update(conversation, message_ref, card)
        finally:
            self.in_flight -= 1


def refresher(window: float = 1.0) -> tuple[Refresher, Flaky, FakeTimer, list[str]]:
    timer, log = FakeTimer(), []
    gateway = Flaky(timer, log)
    places = Places(log)
    return Refresher({"console": gateway}, places.lookup, places.remember, window, timer), gateway, timer, log


def shown(gateway: FakeGateway) -> list[str]:
    cards = [p.reply.cards[0] for p in gateway.posts if p.reply and p.reply.cards]
    return [c.text for c in cards + [u.card for u in gateway.updates if u.card]]


async def test_a_thousand_changes_cost_a_post_and_one_update_and_end_on_the_last_state() -> None:
    r, gateway, timer, _ = refresher()
    for version in range(1, 1001):
        await r.submit([], [state(version)])
    assert shown(gateway) == ["state 1"]  # the first change of a window goes out at once
    await timer.advance(1.0)
    assert shown(gateway) == ["state 1", "state 1000"]
    await timer.advance(5.0)
    assert len(gateway.posts) + len(gateway.updates) == 2


async def test_only_the_states_sent_are_drawn() -> None:
    r, gateway, timer, _ = refresher()
    drawn: list[int] = []

    def lazily(version: int) -> CardDelivery:
        def draw() -> Card:
            drawn.append(version)
            return Card("incident:CRI-1", "CRI-1", text=f"state {version}")

        return CardDelivery(ROOM, "incident:CRI-1", version, once(draw))

    for version in range(1, 101):
        await r.submit([], [lazily(version)])
    await timer.advance(1.0)
    assert shown(gateway) == ["state 1", "state 100"]
    assert drawn == [1, 100]  # the 98 states in between were never drawn


async def test_changes_spread_over_time_cost_one_update_per_window() -> None:
    r, gateway, timer, _ = refresher()
    for version in range(1, 101):
        await r.submit([], [state(version)])
        await timer.advance(0.1)  # ten seconds in all
    await timer.advance(1.0)
    assert 10 <= len(gateway.posts) + len(gateway.updates) <= 12
    assert shown(gateway)[-1] == "state 100"
    assert all(b - a >= 1.0 for a, b in zip(gateway.attempts, gateway.attempts[1:], strict=False))


async def test_the_first_post_is_remembered_before_any_update() -> None:
    r, _, timer, log = refresher()
    await r.submit([], [state(1)])
    await r.submit([], [state(2)])
    await timer.advance(1.0)
    assert log == ["post", "remember ['m1']", "update m1"]


async def test_a_card_posted_earlier_is_updated_where_it_was_posted() -> None:
    r, _, _, log = refresher()
    await r.submit([], [state(1)])
    fresh = Refresher(r.gateways, r.lookup, r.remember, 1.0, FakeTimer())  # a restarted process
    await fresh.submit([], [state(2)])
    assert log == ["post", "remember ['m1']", "update m1"]


async def test_an_older_state_arriving_late_never_replaces_a_newer_one() -> None:
    r, gateway, timer, _ = refresher()
    await r.submit([], [state(1)])
    await r.submit([], [state(5)])
    await r.submit([], [state(3)])
    await timer.advance(1.0)
    assert shown(gateway) == ["state 1", "state 5"]


async def test_at_most_one_update_per_card_is_in_flight() -> None:
    r, gateway, timer, _ = refresher(window=0.0)
    await r.submit([], [state(1)])  # posted
    gateway.gate = asyncio.Event()
    first = asyncio.ensure_future(r.submit([], [state(2)]))
    while not gateway.in_flight:
        await asyncio.sleep(0)
    for version in range(3, 50):
        await r.submit([], [state(version)])  # the card is busy: these wait, the latest wins
    gateway.gate.set()
    await first
    await timer.advance(0.0)
    assert gateway.most_in_flight == 1
    assert shown(gateway) == ["state 1", "state 2", "state 49"]


async def test_a_failing_gateway_slows_the_refresher_and_the_last_state_still_arrives() -> None:
    r, gateway, timer, _ = refresher()
    await r.submit([], [state(1)])
    await timer.advance(1.0)
    gateway.failing = 3
    await r.submit([], [state(2)])  # refused at t=1
    await r.submit([], [state(3)])
    await timer.advance(30.0)
    assert gateway.attempts == [1.0, 2.0, 4.0, 8.0]  # each retry waits twice as long as the one before
    assert shown(gateway) == ["state 1", "state 3"]
    assert not r.slots[("console", "room", "incident:CRI-1")].pending


async def test_news_to_one_conversation_within_the_window_go_out_as_one_message() -> None:
    r, gateway, timer, _ = refresher()
    await r.submit([news("CRI-1 · severity 2")], [])
    await timer.advance(0.2)
    await r.submit([news("CRI-1 · lead @lea")], [])
    await r.submit([news("CRI-1 · update: fixed", OTHER)], [])  # another conversation: its own window
    await timer.advance(0.3)
    await r.submit([news("CRI-1 · draft #1")], [])
    await timer.advance(1.0)
    assert [(p.conversation, p.reply.text) for p in gateway.posts if p.reply] == [
        ("room", "CRI-1 · severity 2"),
        ("other", "CRI-1 · update: fixed"),
        ("room", "CRI-1 · lead @lea\nCRI-1 · draft #1"),
    ]


async def test_drain_sends_what_waits_for_its_window_at_once() -> None:
    r, gateway, timer, _ = refresher(window=60.0)
    await r.submit([], [state(1)])
    await r.submit([news("CRI-1 · note")], [state(2)])
    await r.drain()
    assert shown(gateway) == ["state 1", "state 2"]
    assert [p.reply.text for p in gateway.posts if p.reply and p.reply.text] == ["CRI-1 · note"]
    await timer.advance(120.0)
    assert len(gateway.updates) == 1  # nothing left to send twice


def test_a_burst_of_updates_through_the_service_ends_with_the_final_card() -> None:
    h = Harness()
    timer = FakeTimer()
    h.service.broadcaster.refresher.timer = timer
    h.say("open Leak --sev 2")
    before = len(h.gateway.updates)
    alice = Origin("alice", "console", "general", None)

    async def burst() -> None:
        await timer.advance(1.0)  # the card's window after its first post has ended
        for n in range(200):
            await h.service.handle(parse(f"update step {n}"), alice)
        await timer.advance(1.0)

    asyncio.run(burst())
    updates = [u.card for u in h.gateway.updates[before:] if u.card and u.card.id == "incident:CRI-1"]
    assert len(updates) == 2  # the first change at once, the other 199 as one when the window ended
    latest = {f.label: f.value for f in updates[-1].fields}["Latest update"]
    assert latest.startswith("step 199 ")


def test_the_refresh_window_is_read_from_the_environment() -> None:
    assert Settings.from_env({}).card_refresh == timedelta(seconds=1)
    assert Settings.from_env({"CRISISBOT_CARD_REFRESH": "0s"}).card_refresh == timedelta(0)
    assert Settings.from_env({"CRISISBOT_CARD_REFRESH": "5s"}).card_refresh == timedelta(seconds=5)
    with pytest.raises(ConfigError):
        Settings.from_env({"CRISISBOT_CARD_REFRESH": "soon"})
