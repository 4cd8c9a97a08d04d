"""The reminders against real storage: SQLite always, PostgreSQL where a server answers."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import timedelta

import pytest

from bot.config import Settings
from bot.reminders import Courier, Reminders
from bot.replies import Button, Card, Field, Picker, Reply
from storage import SqlUnitOfWorkFactory, sql_uow_factory
from storage.outbox import reply_from_data, reply_to_data
from tests.fakes import T0, FakeClock, FakeGateway
from tests.harness import Harness

SETTINGS = Settings(roster={"lead": ("lea",), "comms": ("bob", "bert"), "legal": ("carol",)})


class Process:
    """One crisisbot process on the shared database: its own engine, its own gateway."""

    def __init__(self, url: str, clock: FakeClock) -> None:
        self.factory: SqlUnitOfWorkFactory = sql_uow_factory(url)
        self.clock = clock
        self.gateway = FakeGateway("console")
        self.reminders = Reminders(self.factory, SETTINGS)  # type: ignore[arg-type]
        self.courier = Courier(self.factory, {"console": self.gateway})  # type: ignore[arg-type]

    def wake(self) -> None:
        self.reminders.wake(self.clock.now())
        asyncio.run(self.courier.deliver(self.clock.now))

    def reminders_posted(self) -> list[Reply]:
        posts = [s.reply for s in self.gateway.posts if s.reply]
        return [r for r in posts if r.cards and r.cards[0].id.startswith("checkin:")]


@pytest.fixture
def crisis(database_url: str) -> Iterator[tuple[Harness, str]]:
    harness = Harness(SETTINGS, sql_uow_factory(database_url), FakeClock(T0))
    harness.say("open Recall rumour --sev 1", person="rita", conversation="war-room")
    harness.say("draft We are checking the rumour.", person="lea", conversation="war-room")
    yield harness, database_url
    harness.dispatcher.uow_factory.dispose()  # type: ignore[attr-defined]


def test_reply_survives_the_round_trip_through_json() -> None:
    reply = Reply(
        text="t", private=True, incident="CRI-1", mentions=("a",),
        cards=(Card("id", "title", "text", (Field("l", "v"),), (Button("b", "c", "primary", "ask?", None),),
                    (Picker("p", "cmd", (("one", "1"),), "1"),)),),
    )
    assert reply_from_data(reply_to_data(reply)) == reply


def test_a_reminder_is_recorded_and_delivered_once(crisis: tuple[Harness, str]) -> None:
    harness, url = crisis
    process = Process(url, harness.clock)
    harness.clock.advance(minutes=30)
    process.wake()
    process.wake()
    assert len(process.reminders_posted()) == 1
    assert sorted(p for p, _ in process.gateway.direct) == ["bert", "bob", "carol"]  # 2 x 15 min passed
    process.factory.dispose()


def test_a_restarted_process_sends_what_came_due_while_it_was_down_once(crisis: tuple[Harness, str]) -> None:
    harness, url = crisis
    before = Process(url, harness.clock)
    before.wake()
    before.factory.dispose()
    harness.clock.advance(hours=6)  # down for twelve check-in intervals
    after = Process(url, harness.clock)
    after.wake()
    harness.clock.advance(seconds=5)
    after.wake()
    assert len(after.reminders_posted()) == 1
    assert harness.incident().missed_checkins == 1
    after.factory.dispose()


def test_two_processes_waking_together_send_each_reminder_once(crisis: tuple[Harness, str]) -> None:
    harness, url = crisis
    for n in range(2, 21):
        harness.say(f"open Incident {n} --sev 1", person="rita", conversation=f"room-{n}")
    harness.clock.advance(minutes=30, seconds=1)
    one, two = Process(url, harness.clock), Process(url, harness.clock)

    async def both() -> None:
        await asyncio.gather(
            asyncio.to_thread(one.reminders.wake, harness.clock.now()),
            asyncio.to_thread(two.reminders.wake, harness.clock.now()),
        )
        await asyncio.gather(one.courier.deliver(harness.clock.now), two.courier.deliver(harness.clock.now))

    asyncio.run(both())
    posted = one.reminders_posted() + two.reminders_posted()
    assert sorted(r.incident for r in posted) == sorted(f"CRI-{n}" for n in range(1, 21))
    one.factory.dispose()
    two.factory.dispose()


def test_an_unclaimed_lapsed_message_is_delivered_by_the_survivor(crisis: tuple[Harness, str]) -> None:
    harness, url = crisis
    died, survivor = Process(url, harness.clock), Process(url, harness.clock)
    harness.clock.advance(minutes=30)
    died.reminders.wake(harness.clock.now())
    assert died.courier.claim(harness.clock.now())  # claimed, then the process died before sending
    survivor.wake()
    assert survivor.reminders_posted() == []
    harness.clock.advance(seconds=int(survivor.courier.lease / timedelta(seconds=1)))
    survivor.wake()
    assert len(survivor.reminders_posted()) == 1
    died.factory.dispose()
    survivor.factory.dispose()
