"""The work behind acknowledgements: a bounded queue; what does not fit is acknowledged and waits in the inbox,
where the backlog runs it in arrival order (`bot.backlog`)."""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from datetime import UTC, datetime

import pytest

from adapters.recent import RecentIds
from adapters.slack.app import Taken
from adapters.slack.delivery import Asker
from adapters.slack.work import BackgroundWork
from bot.grammar import parse
from tests.slack.conftest import Bot
from tests.slack.slack_requests import slash_command


async def test_a_full_queue_refuses_the_request_and_urgent_work_still_starts() -> None:
    gate = asyncio.Event()
    ran: list[list[int]] = []

    async def run(batch: list[int]) -> None:
        await gate.wait()
        ran.append(batch)

    work: BackgroundWork[int] = BackgroundWork(run, workers=1, capacity=2)
    assert work.offer(0)
    await asyncio.sleep(0)  # the worker took 0 and waits on the gate: the queue is empty again
    assert work.offer(1) and work.offer(2)
    assert not work.offer(3)
    assert work.waiting == 2 and work.refused == 1  # never more than its capacity in memory

    urgent = asyncio.Event()

    async def open_modal() -> None:
        urgent.set()

    work.spawn(open_modal(), urgent=True)
    await asyncio.wait_for(urgent.wait(), 1)  # while the queue is full and its one worker is busy
    gate.set()
    await work.drain()
    assert ran == [[0], [1, 2]]  # in arrival order, what waited taken together; 3 never
    assert work.running == 0 and not work.tasks  # nothing left running once the queue is empty


async def test_batches_run_side_by_side_up_to_the_number_of_workers_and_up_to_their_size() -> None:
    at_once = peak = 0
    sizes: list[int] = []

    async def run(batch: list[int]) -> None:
        nonlocal at_once, peak
        sizes.append(len(batch))
        at_once += 1
        peak = max(peak, at_once)
        await asyncio.sleep(0.01)
        at_once -= 1

    work: BackgroundWork[int] = BackgroundWork(run, workers=3, capacity=100, batch=4)
    for n in range(20):
        assert work.offer(n)
        await asyncio.sleep(0)  # arriving one by one: the first workers start with what is there
    await work.drain()
    assert peak == 3 and max(sizes) == 4 and sum(sizes) == 20


async def test_a_failing_batch_does_not_stop_its_worker() -> None:
    ran = []

    async def run(batch: list[str]) -> None:
        if "boom" in batch:
            raise RuntimeError("boom")
        ran.extend(batch)

    work: BackgroundWork[str] = BackgroundWork(run, workers=1, capacity=10, batch=1)
    work.offer("boom")
    work.offer("fine")
    await work.drain()
    assert ran == ["fine"]


async def test_every_request_acknowledged_while_the_queue_was_full_runs_exactly_once(bot: Bot) -> None:
    await bot.send(slash_command("open Queue full --sev 2", user="W1", channel="C1", trigger_id="t-open"))
    assert bot.incident() is not None
    # A tiny queue; the production lease (15 s) and no sweep for an hour, so only the backlog can run the overflow.
    bot.door.work = BackgroundWork(bot.door.run_taken, workers=1, capacity=3, batch=2)
    bot.door.recovery.sweep_every = 3600

    count = 40
    notes = [slash_command(f"CRI-1 note burst {n}", user="W1", channel="C1", trigger_id=f"t-{n}") for n in range(count)]
    # Slack delivers some twice (a retry after a slow acknowledgement): once in the queue's time, once in the backlog's.
    notes += notes[::7]
    responses = await asyncio.gather(*(bot.post(body) for body in notes))
    assert all(r.status == 200 for r in responses)  # every one acknowledged
    assert bot.door.work.refused > 0, "the burst was meant to overflow the queue"
    # And again to a door that forgot them (as after a restart): the inbox knows each request id already.
    bot.door.seen = RecentIds()
    assert all(r.status == 200 for r in await asyncio.gather(*(bot.post(body) for body in notes[::5])))

    async def all_noted() -> list[str]:
        while True:
            await bot.door.work.drain()
            incident = bot.incident()
            assert incident is not None
            texts = [str(e.event.text) for e in incident.timeline if "burst" in str(getattr(e.event, "text", ""))]
            settled = not bot.runtime.dispatcher.unfinished("slack", datetime.now(UTC)) and not bot.door.recovery.running
            if len(texts) >= count and settled:  # every one ran, and nothing is held any more
                return texts
            await asyncio.sleep(0.05)

    texts = await asyncio.wait_for(all_noted(), 10)
    assert Counter(texts) == Counter(f"burst {n}" for n in range(count))  # each one, once
    assert not bot.door.backlog.active


async def test_requests_behind_a_full_queue_still_run_in_the_order_they_came(bot: Bot) -> None:
    await bot.send(slash_command("open Queue full --sev 2", user="W1", channel="C1", trigger_id="t-open"))
    gate = asyncio.Event()

    async def held(batch: list[Taken]) -> None:
        await gate.wait()
        await bot.door.run_taken(batch)

    bot.door.work = BackgroundWork(held, workers=1, capacity=3, batch=2)
    bot.door.recovery.sweep_every = 3600
    for n in range(10):  # one by one, so their order is known: 0 runs, 1-3 wait in the queue, 4-9 in the inbox
        body = slash_command(f"CRI-1 note in order {n}", user="W1", channel="C1", trigger_id=f"t-{n}")
        assert (await bot.post(body)).status == 200
    assert bot.door.backlog.active and bot.door.work.refused == 1  # one refusal starts it; the rest join behind
    assert not bot.door.recovery.running & {f"slack:command:t-{n}" for n in range(4, 10)}  # not held in memory
    gate.set()

    async def noted() -> list[str]:
        while True:
            incident = bot.incident()
            assert incident is not None
            texts = [str(e.event.text) for e in incident.timeline if "in order" in str(getattr(e.event, "text", ""))]
            if len(texts) == 10 and not bot.door.backlog.active:
                return texts
            await asyncio.sleep(0.05)

    assert await asyncio.wait_for(noted(), 10) == [f"in order {n}" for n in range(10)]
    # The next request, with the backlog empty, is queued and held again.
    await bot.send(slash_command("CRI-1 note after", user="W1", channel="C1", trigger_id="t-after"))
    assert bot.door.work.refused == 1


async def test_public_answers_of_one_batch_go_to_their_channel_as_one_message(bot: Bot) -> None:
    await bot.send(slash_command("open Burst --sev 2", user="W1", channel="C1", trigger_id="t-open"))
    gate = asyncio.Event()

    async def held(batch: list[Taken]) -> None:
        await gate.wait()
        await bot.door.run_taken(batch)

    bot.door.work = BackgroundWork(held, workers=1, capacity=100, batch=100)
    before = len(bot.slack.calls)
    bodies = [slash_command(f"CRI-1 note burst {n}", user=f"W{n % 3}", channel="C1", trigger_id=f"t-{n}")
              for n in range(12)]
    bodies.insert(6, slash_command("CRI-9 note lost", user="W2", channel="C1", trigger_id="t-lost"))
    for body in bodies:  # one by one, so their order is known
        assert (await bot.post(body)).status == 200
    gate.set()
    await bot.settled()

    calls = bot.slack.calls[before:]
    public = [c.params["text"] for c in calls if c.method == "chat.postMessage" and "burst" in c.params["text"]]
    # The first request ran alone (its batch started at once); the other eleven waited and went together.
    assert len(public) == 2, public
    lines = [line for text in public for line in text.splitlines()]
    assert [line.rpartition(" ")[2] for line in lines] == [str(n) for n in range(12)]
    refused = [c for c in calls if c.method == "chat.postEphemeral" and "CRI-9" in c.params["text"]]
    assert len(refused) == 1 and refused[0].params["user"] == "W2"  # a refusal is still for its sender only


async def test_while_acknowledgements_keep_coming_each_batch_is_followed_by_a_rest_as_long(bot: Bot) -> None:
    await bot.send(slash_command("open Busy --sev 2", user="W1", channel="C1", trigger_id="t-open"))
    rests: list[float] = []

    async def rest(seconds: float) -> None:
        rests.append(seconds)

    bot.door.answers.rest = rest
    coming = False
    bot.door.answers.acknowledgements_coming = lambda: coming
    await bot.send(slash_command("CRI-1 note quiet", user="W1", channel="C1", trigger_id="t-quiet"))
    assert rests == []  # nobody waiting for an acknowledgement: no rest
    coming = True
    started = time.monotonic()
    await bot.send(slash_command("CRI-1 note busy", user="W1", channel="C1", trigger_id="t-busy"))
    took = time.monotonic() - started
    # Half the time for the work (WORK_SHARE): a rest as long as the batch took, which the whole send outlasted.
    assert len(rests) == 1 and 0 < rests[0] <= took
    bot.door.answers.work_share = 0.25
    await bot.send(slash_command("CRI-1 note busier", user="W1", channel="C1", trigger_id="t-busier"))
    assert len(rests) == 2 and rests[1] > 0  # three times the batch now


async def test_acknowledgements_keep_coming_while_one_is_in_flight_or_one_just_ended() -> None:
    async def run(batch: list[int]) -> None:
        pass

    work: BackgroundWork[int] = BackgroundWork(run)
    assert not work.acknowledgements_coming()  # a quiet server: the work runs flat out
    with work.acknowledgement():
        assert work.acknowledgements_coming()
    assert work.acknowledgements_coming()  # between two requests of a burst none may be in flight
    work.acknowledged_at -= 1.0  # a second later, nothing more came
    assert not work.acknowledgements_coming()


async def test_a_request_whose_acknowledgement_failed_still_runs_and_gives_its_place_back(bot: Bot) -> None:
    await bot.send(slash_command("open Ack fails --sev 2", user="W1", channel="C1", trigger_id="t-open"))

    async def broken_ack(**_: object) -> None:
        raise ConnectionResetError("the client went away")

    asker = Asker("W1", "C1")
    with pytest.raises(ConnectionResetError):
        await bot.door.take(broken_ack, parse("CRI-1 note despite the ack"), asker, "slack:command:t-x", bot.door.client)
    await bot.settled()
    incident = bot.incident()
    assert incident is not None and "despite the ack" in str(incident.timeline[-1].event)
    assert bot.door.work.reserved == 0 and not bot.door.recovery.running  # nothing held or promised for ever
