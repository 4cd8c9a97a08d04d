"""The reminders against real storage: SQLite always, PostgreSQL where a server answers."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import timedelta

import pytest

from bot.config import Settings
from bot.errors import ConcurrentChange
from bot.reminders import Courier, Reminders
from bot.replies import Button, Card, Field, Picker, Reply
from storage import SqlUnitOfWorkFactory, sql_uow_factory
from storage.outbox import reply_from_data, reply_to_data
from tests.fakes import T0, FakeClock, FakeGateway
from tests.harness import Harness

SETTINGS = Settings(roster={"lead": ("lea",), "comms": ("bob", "bert"), "legal": ("carol",)})


class Process:
    """One crisisbot process on the shared database: its own engine, its own gateway."""

    def __init__(self, url: str, clock: FakeClock, claiming: bool = False) -> None:
        self.factory: SqlUnitOfWorkFactory = sql_uow_factory(url)
        self.clock = clock
        self.claiming = claiming  # as the scheduler wakes: the claim made with the wake-up's own transaction
        self.gateway = FakeGateway("console")
        self.reminders = Reminders(self.factory, SETTINGS)  # type: ignore[arg-type]
        self.courier = Courier(self.factory, {"console": self.gateway})  # type: ignore[arg-type]

    def wake(self) -> None:
        result = self.reminders.wake(self.clock.now(), self.courier.terms() if self.claiming else None)
        asyncio.run(self.courier.deliver(self.clock.now, result.claimed))

    def reminders_posted(self) -> list[Reply]:
        posts = [s.reply for s in self.gateway.posts if s.reply]
        return [r for r in posts if r.cards and r.cards[0].id.startswith("checkin:")]


@pytest.fixture(params=[False, True], ids=["claim-apart", "claim-with-the-wake"])
def claiming(request: pytest.FixtureRequest) -> bool:
    return bool(request.param)


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


def test_a_reminder_is_recorded_and_delivered_once(crisis: tuple[Harness, str], claiming: bool) -> None:
    harness, url = crisis
    process = Process(url, harness.clock, claiming)
    harness.clock.advance(minutes=30)
    process.wake()
    process.wake()
    assert len(process.reminders_posted()) == 1
    assert sorted(p for p, _ in process.gateway.direct) == ["bert", "bob", "carol"]  # 2 x 15 min passed
    process.factory.dispose()


def test_a_restarted_process_sends_what_came_due_while_it_was_down_once(
    crisis: tuple[Harness, str], claiming: bool
) -> None:
    harness, url = crisis
    before = Process(url, harness.clock, claiming)
    before.wake()
    before.factory.dispose()
    harness.clock.advance(hours=6)  # down for twelve check-in intervals
    after = Process(url, harness.clock, claiming)
    after.wake()
    harness.clock.advance(seconds=5)
    after.wake()
    assert len(after.reminders_posted()) == 1
    assert harness.incident().missed_checkins == 1
    after.factory.dispose()


def test_two_processes_waking_together_send_each_reminder_once(crisis: tuple[Harness, str], claiming: bool) -> None:
    harness, url = crisis
    for n in range(2, 21):
        harness.say(f"open Incident {n} --sev 1", person="rita", conversation=f"room-{n}")
    harness.clock.advance(minutes=30, seconds=1)
    one, two = Process(url, harness.clock, claiming), Process(url, harness.clock, claiming)

    async def both() -> None:
        woken = await asyncio.gather(*(
            asyncio.to_thread(p.reminders.wake, harness.clock.now(), p.courier.terms() if claiming else None)
            for p in (one, two)
        ))
        sent = (p.courier.deliver(harness.clock.now, w.claimed) for p, w in zip((one, two), woken, strict=True))
        await asyncio.gather(*sent)

    asyncio.run(both())
    posted = one.reminders_posted() + two.reminders_posted()
    assert sorted(r.incident for r in posted) == sorted(f"CRI-{n}" for n in range(1, 21))
    one.factory.dispose()
    two.factory.dispose()


def test_an_unclaimed_lapsed_message_is_delivered_by_the_survivor(crisis: tuple[Harness, str], claiming: bool) -> None:
    harness, url = crisis
    died, survivor = Process(url, harness.clock), Process(url, harness.clock, claiming)
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


def test_on_postgresql_a_claim_with_the_wake_up_takes_its_own_messages_and_is_undone_with_it(database_url: str) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip("SQLite's outbox claims on its own")
    harness = Harness(SETTINGS, sql_uow_factory(database_url), FakeClock(T0))
    harness.say("open Recall rumour --sev 1", person="rita", conversation="war-room")
    harness.clock.advance(minutes=30)
    process = Process(database_url, harness.clock)
    terms = process.courier.terms()
    process.reminders.wake(harness.clock.now())  # recorded, not claimed
    with process.factory() as lost, process.factory() as winner:
        lost.incidents.get("CRI-1").title = "Recall rumour, lost"  # type: ignore[union-attr]
        winner.incidents.get("CRI-1").title = "Recall rumour, won"  # type: ignore[union-attr]
        winner.commit()
        lost.outbox.claim_on_commit(terms.platforms, harness.clock.now(), terms.lease, terms.limit)
        with pytest.raises(ConcurrentChange):
            lost.commit()
    pending = asyncio.run(process.courier.deliver(harness.clock.now))  # the lost claim was undone with its batch
    assert pending == 1 and len(process.reminders_posted()) == 1

    harness.clock.advance(minutes=30)
    result = process.reminders.wake(harness.clock.now(), terms)

    assert result.checkins == 1 and result.claimed is not None
    assert [(m.target, m.reply.incident) for m in result.claimed] == [("war-room", "CRI-1")]
    with process.factory() as uow:  # held by this process's lease: nobody else takes them
        assert uow.outbox.claim(terms.platforms, harness.clock.now(), terms.lease, terms.limit) == []
    assert asyncio.run(process.courier.deliver(harness.clock.now, result.claimed)) == 1
    assert len(process.reminders_posted()) == 2
    process.factory.dispose()
    harness.dispatcher.uow_factory.dispose()  # type: ignore[attr-defined]


def test_a_checkin_reminder_unsent_through_hours_of_downtime_gives_way_to_the_current_one(
    crisis: tuple[Harness, str], claiming: bool
) -> None:
    harness, url = crisis
    process = Process(url, harness.clock, claiming)
    harness.clock.advance(minutes=30)
    process.reminders.wake(harness.clock.now())  # recorded; the process died before any courier ran
    harness.clock.advance(hours=5)
    process.wake()
    [reminder] = process.reminders_posted()
    assert "5h30" in reminder.text
    harness.clock.advance(minutes=5)
    process.wake()
    assert len(process.reminders_posted()) == 1
    process.factory.dispose()
