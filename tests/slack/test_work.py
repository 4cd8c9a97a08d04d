"""The work behind acknowledgements: a bounded queue; what does not fit is acknowledged and left to recovery."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import UTC, datetime, timedelta

from adapters.slack.work import BackgroundWork
from tests.slack.conftest import Bot
from tests.slack.slack_requests import slash_command


async def test_a_full_queue_refuses_the_job_without_running_it_and_urgent_work_still_starts() -> None:
    work = BackgroundWork(workers=1, capacity=2)
    gate = asyncio.Event()
    ran: list[int] = []

    async def job(n: int) -> None:
        await gate.wait()
        ran.append(n)

    assert work.spawn(job(0))
    await asyncio.sleep(0)  # the worker took job 0 and waits on the gate: the queue is empty again
    assert work.spawn(job(1)) and work.spawn(job(2))
    refused = job(3)
    assert not work.spawn(refused)
    assert refused.cr_frame is None  # closed: it will never run, and holds nothing
    assert work.waiting == 2 and work.refused == 1

    urgent = asyncio.Event()

    async def open_modal() -> None:
        urgent.set()

    assert work.spawn(open_modal(), urgent=True)
    await asyncio.wait_for(urgent.wait(), 1)  # while the queue is full and its one worker is busy
    gate.set()
    await work.drain()
    assert ran == [0, 1, 2]  # in arrival order
    assert work.running == 0 and not work.tasks  # nothing left running once the queue is empty


async def test_jobs_run_side_by_side_up_to_the_number_of_workers() -> None:
    work = BackgroundWork(workers=3, capacity=100)
    at_once = peak = 0

    async def job() -> None:
        nonlocal at_once, peak
        at_once += 1
        peak = max(peak, at_once)
        await asyncio.sleep(0.01)
        at_once -= 1

    assert all(work.spawn(job()) for _ in range(20))
    await work.drain()
    assert peak == 3


async def test_a_failing_job_does_not_stop_its_worker() -> None:
    work = BackgroundWork(workers=1, capacity=10)
    ran = []

    async def boom() -> None:
        raise RuntimeError("boom")

    async def fine() -> None:
        ran.append(True)

    work.spawn(boom())
    work.spawn(fine())
    await work.drain()
    assert ran == [True]


async def test_every_request_acknowledged_while_the_queue_was_full_runs_exactly_once(bot: Bot) -> None:
    await bot.send(slash_command("open Queue full --sev 2", user="W1", channel="C1", trigger_id="t-open"))
    assert bot.incident() is not None
    # A tiny queue, and leases short enough that a request let go is free again within a second (15 s in production).
    bot.door.work = BackgroundWork(workers=1, capacity=3)
    bot.runtime.dispatcher.lease = timedelta(seconds=1)
    bot.door.recovery.renew_every = 0.2
    bot.door.recovery.sweep_every = 0.2

    count = 40
    notes = [slash_command(f"CRI-1 note burst {n}", user="W1", channel="C1", trigger_id=f"t-{n}") for n in range(count)]
    responses = await asyncio.gather(*(bot.post(body) for body in notes))
    assert all(r.status == 200 for r in responses)  # every one acknowledged
    assert bot.door.work.refused > 0, "the burst was meant to overflow the queue"

    async def all_noted() -> list[str]:
        while True:
            await bot.door.work.drain()
            incident = bot.incident()
            assert incident is not None
            texts = [str(e.event.text) for e in incident.timeline if "burst" in str(getattr(e.event, "text", ""))]
            if len(texts) >= count and not bot.runtime.dispatcher.unfinished("slack", datetime.now(UTC)):
                return texts
            await asyncio.sleep(0.1)

    texts = await asyncio.wait_for(all_noted(), 30)
    assert Counter(texts) == Counter(f"burst {n}" for n in range(count))  # each one, once
    assert not bot.door.recovery.running  # nothing held any more
