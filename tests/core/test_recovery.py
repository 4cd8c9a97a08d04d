"""Recovery: what no live process holds runs at once, in batches through the core; a live holder keeps its work."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import timedelta

from bot.commands import Origin
from bot.grammar import parse
from bot.ports import AcceptedRequest
from bot.recovery import Recovery, run_many
from bot.replies import Reply, Room
from bot.service import CrisisService, Dispatcher
from tests.harness import Harness


def left_behind(h: Harness, claimant: str, count: int) -> list[str]:
    other = Dispatcher(h.dispatcher.uow_factory, h.settings, h.clock, claimant=claimant)
    ids = [f"r{n:03}" for n in range(count)]
    commands = ["open Leak --sev 1", *[f"CRI-1 note seen {n}" for n in range(1, count)]]
    for rid, command in zip(ids, commands, strict=True):
        assert other.accept(AcceptedRequest(rid, Origin("alice", "console", "general", None, rid), parse(command), "{}",
                                            h.clock.now()))
    return ids


class Runner:
    """A door's side of recovery: runs each batch through the core and keeps what it got."""

    def __init__(self, service: CrisisService) -> None:
        self.service = service
        self.batches: list[list[str]] = []
        self.replies: list[str] = []

    async def __call__(self, requests: Sequence[AcceptedRequest]) -> None:
        self.batches.append([r.request_id for r in requests])
        replies = await run_many(self.service, [(r.command, r.origin) for r in requests])
        self.replies += [reply.text for reply in replies]


def test_at_start_up_every_request_a_dead_process_left_runs_once_in_batches() -> None:
    h = Harness()
    ids = left_behind(h, "dead", 25)
    runner = Runner(h.service)
    recovery = Recovery(h.service, "console", runner, batch=10)

    assert asyncio.run(recovery.recover(starting=True)) == 25
    assert [len(b) for b in runner.batches] == [10, 10, 5]
    assert sorted(rid for b in runner.batches for rid in b) == ids
    notes = [e for e in h.incident().timeline if "seen" in str(e.event)]
    assert len(notes) == 24 and "CRI-1" in runner.replies[0]
    assert asyncio.run(recovery.recover(starting=True)) == 0  # finished: nothing left to claim
    assert recovery.running == set()


def test_a_sweep_leaves_a_live_holder_its_requests_until_its_lease_lapses() -> None:
    h = Harness()
    left_behind(h, "alive", 3)
    runner = Runner(h.service)
    recovery = Recovery(h.service, "console", runner)

    assert asyncio.run(recovery.recover()) == 0
    h.clock.advance(seconds=h.dispatcher.lease.total_seconds() - 1)
    assert asyncio.run(recovery.recover()) == 0
    h.clock.advance(seconds=1)
    assert asyncio.run(recovery.recover()) == 3


def test_renewed_leases_keep_what_this_process_runs() -> None:
    h = Harness()
    mine = left_behind(h, h.dispatcher.claimant, 2)
    recovery = Recovery(h.service, "console", Runner(h.service))
    for rid in mine:
        recovery.hold(rid)
    h.clock.advance(seconds=10)
    asyncio.run(recovery.renew())
    h.clock.advance(seconds=10)  # 20 s after acceptance: lapsed without the renewal
    other = CrisisService(Dispatcher(h.dispatcher.uow_factory, h.settings, h.clock, claimant="other"), {})
    assert other.dispatcher.claim("console", 100) == []


def test_a_batch_broadcasts_each_incident_in_order_and_answers_in_order() -> None:
    h = Harness()
    h.say("open Leak --sev 1")
    h.say("open Outage --sev 2")
    work = [
        (parse(f"CRI-{1 + n % 2} severity {sev}"), Origin("alice", "console", "general", None, f"b{n}"))
        for n, sev in enumerate([3, 3, 4, 4])
    ]
    posted_before = len(h.gateway.updates)

    async def run_and_drain() -> list[Reply]:
        replies = await run_many(h.service, work)
        await h.service.drain()  # the cards' final states, past the refresher's window
        return replies

    replies = asyncio.run(run_and_drain())
    assert [r.text.split(" · ")[0] for r in replies] == ["CRI-1", "CRI-2", "CRI-1", "CRI-2"]
    refreshed = [u.card for u in h.gateway.updates[posted_before:] if u.card and u.card.id.startswith("incident:")]
    last_per_card = {card.id: card.fields[0].value for card in refreshed}
    assert last_per_card == {"incident:CRI-1": "4 · watch", "incident:CRI-2": "4 · watch"}


def test_a_request_whose_holder_died_mid_run_is_taken_once_the_lease_lapses() -> None:
    h = Harness()
    left_behind(h, "dead", 1)
    h.clock.advance(seconds=h.dispatcher.lease.total_seconds())
    recovery = Recovery(h.service, "console", Runner(h.service))
    assert asyncio.run(recovery.recover()) == 1
    h.clock.advance(minutes=5)
    assert asyncio.run(recovery.recover()) == 0
    assert h.store.finished.keys() == {"r000"}
    assert asyncio.run(h.service.unfinished("console", older_than=timedelta(0))) == []


def test_a_recovered_opening_answers_with_the_room_the_crisis_got() -> None:
    h = Harness()
    h.gateway.rooms = True
    origin = Origin("alice", "console", "general", None, "r-open")
    (reply,) = asyncio.run(run_many(h.service, [(parse("open Leak --sev 1"), origin)]))
    assert reply.room == Room("crisis-cri-1")
    assert [card.id for card in reply.refreshed] == ["incident:CRI-1"]
    assert [c.id for c in h.incident().conversations] == ["general", "crisis-cri-1"]


def test_replies_for_a_door_that_never_shows_cards_carry_none_yet_the_cards_are_refreshed() -> None:
    h = Harness()
    origin = Origin("alice", "console", "general", None, "r-open")
    asyncio.run(run_many(h.service, [(parse("open Leak --sev 1"), origin)]))
    updated = Origin("alice", "console", "general", None, "r-update")
    (reply,) = asyncio.run(run_many(h.service, [(parse("update Press desk told"), updated)], with_cards=False))
    assert reply.refreshed == () and "Press desk told" in reply.text
    asyncio.run(h.service.drain())
    last = [u.card for u in h.gateway.updates if u.card is not None and u.card.id == "incident:CRI-1"][-1]
    assert any(f.value.startswith("Press desk told") for f in last.fields)  # the card everyone sees, refreshed
