"""Nothing acknowledged is lost: a request is written down before its ack and run again if its process died."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

import pytest

from adapters.slack.delivery import Asker
from adapters.slack.work import BackgroundWork
from bot.commands import Origin
from bot.grammar import parse
from bot.ports import AcceptedRequest
from bot.service import Dispatcher
from tests.fakes import FakeClock
from tests.slack.conftest import Bot
from tests.slack.slack_requests import slash_command


async def test_a_finished_request_leaves_nothing_waiting(bot: Bot) -> None:
    opening = slash_command("open Leak of customer emails --sev 1", user="W1", channel="C1", trigger_id="t-1")
    response = await bot.send(opening)
    assert response.status == 200
    assert bot.incident() is not None
    # It was written down (the same delivery cannot be accepted twice) and then finished.
    origin = Origin("W1", "slack", "C1", None, "slack:command:t-1")
    opening = parse("open Leak of customer emails --sev 1")
    again = AcceptedRequest("slack:command:t-1", origin, opening, "{}", datetime.now(UTC))
    assert bot.runtime.dispatcher.accept(again) is False
    assert bot.runtime.dispatcher.unfinished("slack", datetime.now(UTC) + timedelta(minutes=5)) == []


async def left_by(bot: Bot, claimant: str, count: int = 1, age: timedelta = timedelta(minutes=2)) -> list[str]:
    """What a process that crashed right after its acknowledgements leaves behind: accepted, unfinished requests.

    The door's own sweeps are stopped first, so that the test's calls are the only ones claiming them.
    """
    while bot.door.recovery.sweeps < 1:  # the start-up recovery is done (it found nothing)
        await asyncio.sleep(0.01)
    await bot.door.recovery.stop()
    other = Dispatcher(bot.runtime.dispatcher.uow_factory, bot.runtime.settings, FakeClock(datetime.now(UTC) - age),
                       claimant=claimant)
    asker = Asker("W1", "C1", f"{bot.slack.url}/respond/abc")
    ids = []
    for n in range(count):
        rid = f"slack:command:t-{claimant}-{n}"
        origin = Origin("W1", "slack", "C1", None, rid)
        command = "open Bad buzz --sev 2" if n == 0 else f"CRI-1 note left behind {n}"
        assert other.accept(AcceptedRequest(rid, origin, parse(command), asker.to_json(), other.clock.now()))
        ids.append(rid)
    return ids


async def test_a_request_acknowledged_by_a_process_that_died_runs_after_the_restart(bot: Bot) -> None:
    await left_by(bot, "dead")
    assert bot.incident() is None

    assert await bot.door.recover() == 1
    assert await bot.door.recover() == 0  # a second sweep finds nothing left to do

    incident = bot.incident()
    assert incident is not None and incident.title == "Bad buzz" and incident.severity == 2
    assert bot.incident("CRI-2") is None
    assert bot.runtime.dispatcher.unfinished("slack", datetime.now(UTC)) == []
    answers = [c for c in bot.slack.calls if "CRI-1 opened" in str(c.params.get("text", ""))]
    assert answers, "the person who asked is told, once the request ran"


async def test_at_start_up_on_sqlite_every_request_left_runs_at_once_in_batches(bot: Bot) -> None:
    # Accepted a moment ago: the dead process's leases have not lapsed, but on SQLite it cannot be alive.
    ids = await left_by(bot, "killed", count=250, age=timedelta(seconds=1))
    assert await bot.door.recover() == 0  # a sweep respects leases
    assert await bot.door.recover(starting=True) == 250

    incident = bot.incident()
    assert incident is not None
    notes = [e for e in incident.timeline if "left behind" in str(e.event)]
    assert len(notes) == 249  # each request ran, and once
    assert bot.runtime.dispatcher.unfinished("slack", datetime.now(UTC)) == []
    with bot.runtime.dispatcher.uow_factory() as uow:
        assert all(uow.requests.reply_to(rid) is not None for rid in ids)


async def test_a_request_this_process_is_still_running_is_not_taken_by_its_own_sweep(bot: Bot) -> None:
    (rid,) = await left_by(bot, bot.runtime.dispatcher.claimant, age=timedelta(minutes=5))  # its lease lapsed meanwhile
    bot.runtime.dispatcher.lease = timedelta(0)  # so that what the sweep claims is free again at once
    bot.door.recovery.hold(rid)
    assert await bot.door.recover() == 0
    assert bot.incident() is None
    bot.door.recovery.release(rid)
    assert await bot.door.recover() == 1
    assert bot.incident() is not None


async def test_a_database_that_fails_gets_an_apology_and_changes_nothing(bot: Bot, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(requests: object) -> list[bool]:
        raise OSError("database unreachable")

    monkeypatch.setattr(bot.runtime.service.intake, "write_many", broken)
    response = await bot.send(slash_command("open Leak --sev 1", user="W1", channel="C1", trigger_id="t-broken"))
    assert response.status == 200
    assert bot.incident() is None
    told = [str(c.params.get("text", "")) for c in bot.slack.calls if c.method in ("chat.postEphemeral", "response_url")]
    assert any("could not record this request, so nothing was done" in text for text in told)


async def test_a_slow_database_still_gets_slack_its_answer_in_time(bot: Bot, monkeypatch: pytest.MonkeyPatch) -> None:
    write = bot.runtime.service.intake.write_many
    database_answers = threading.Event()

    def stuck(requests: Sequence[AcceptedRequest]) -> list[bool]:
        # The database answers only once Slack got its acknowledgement: an ack that waited would never come.
        assert database_answers.wait(timeout=10)
        return write(requests)

    monkeypatch.setattr(bot.runtime.service.intake, "write_many", stuck)
    bot.door.accept_within = 0.1  # 2 s in production, under Slack's 3 s
    response = await bot.post(slash_command("open Slow day --sev 3", user="W1", channel="C1", trigger_id="t-slow"))
    assert response.status == 200 and bot.incident() is None
    database_answers.set()
    await bot.door.work.drain()
    incident = bot.incident()
    assert incident is not None and incident.title == "Slow day"  # written, then run, after the acknowledgement


async def test_a_recovered_request_without_a_readable_reply_address_still_runs(bot: Bot) -> None:
    await left_by(bot, "dead")
    other = Dispatcher(bot.runtime.dispatcher.uow_factory, bot.runtime.settings, FakeClock(datetime.now(UTC)
                                                                                          - timedelta(minutes=2)))
    origin = Origin("W2", "slack", "C1", None, "slack:command:t-garbled")
    assert other.accept(AcceptedRequest(origin.request_id or "", origin, parse("CRI-1 note garbled"), "not json",
                                        other.clock.now() + timedelta(seconds=1)))
    assert await bot.door.recover() == 2
    incident = bot.incident()
    assert incident is not None and any("garbled" in str(e.event) for e in incident.timeline)
    assert [c for c in bot.slack.calls if "CRI-1 opened" in str(c.params.get("text", ""))]


async def test_a_request_behind_a_full_queue_that_could_not_be_written_gets_an_apology(
    bot: Bot, monkeypatch: pytest.MonkeyPatch
) -> None:
    # With the queue full the request joins the backlog; if its inbox write fails, the person is told, as in the queue.
    bot.door.work = BackgroundWork(bot.door.run_taken, workers=1, capacity=0, batch=1)

    def broken(requests: object) -> list[bool]:
        raise OSError("database unreachable")

    monkeypatch.setattr(bot.runtime.service.intake, "write_many", broken)
    response = await bot.send(slash_command("open Leak --sev 1", user="W1", channel="C1", trigger_id="t-full"))
    assert response.status == 200
    told: list[str] = []
    for _ in range(100):
        told = [str(c.params.get("text", "")) for c in bot.slack.calls if c.method in ("chat.postEphemeral", "response_url")]
        if told:
            break
        await asyncio.sleep(0.02)
    assert any("could not record this request, so nothing was done" in text for text in told)
    assert bot.incident() is None
