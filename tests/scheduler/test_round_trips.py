"""A wake-up costs a fixed number of SQL statements, however many check-ins are due (SQLite and PostgreSQL).

Each statement is a round trip to PostgreSQL; a loop over incidents or messages that crept back into the wake-up
(one load, one insert or one claim per row) would multiply them and fail here long before a benchmark notices.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import timedelta

import pytest

from bot.config import Settings
from bot.model import Conversation, Incident
from bot.reminders import Courier, Reminders, WakeResult
from storage import SqlUnitOfWorkFactory, sql_uow_factory
from storage.statements import counting
from tests.fakes import T0, FakeGateway

# Approvals far off: both wake-ups below record check-ins only, so they do the same kinds of work.
SETTINGS = Settings(
    roster={"lead": ("lea",), "comms": ("bob",), "legal": ("carol",)}, approval_deadlines={1: timedelta(days=1)}
)
# Every statement of a wake-up with 100 check-ins due: the two key lists (1), the batch load (incidents, their
# conversations, assignments, updates, drafts, and the five tables of a draft: 10), the save (version-checked
# incident rows, timeline entries, outbox messages: 3), the claim (1) and the record of what was sent (1).
BOUND = 16


@pytest.fixture
def factory(database_url: str) -> Iterator[SqlUnitOfWorkFactory]:
    factory = sql_uow_factory(database_url)
    yield factory
    factory.dispose()


def seed(factory: SqlUnitOfWorkFactory, first: int, count: int, due_in: timedelta) -> None:
    """`count` severity-1 incidents due at T0 + `due_in`, each in its own console room; the first has a draft."""
    with factory() as uow:
        for number in range(first, first + count):
            room = Conversation("console", f"room-{number}")
            incident = Incident.open(number, f"Incident {number}", 1, "rita", T0, SETTINGS, conversation=room)
            if number == first:
                # The wake-up then loads a draft's five tables too, as it does whenever one of the batch has a draft.
                incident.create_draft("We are looking into it.", "lea", T0, SETTINGS)
            incident.next_update_due = T0 + due_in
            uow.incidents.add(incident)
        uow.commit()


def wake(factory: SqlUnitOfWorkFactory, reminders: Reminders, after: timedelta) -> tuple[WakeResult, int, int]:
    courier = Courier(factory, {"console": FakeGateway("console")})  # type: ignore[dict-item]
    with counting(factory.engine) as counted:
        result = reminders.wake(T0 + after)
        delivered = asyncio.run(courier.deliver(lambda: T0 + after))
    return result, delivered, counted.statements


def test_a_wake_up_costs_the_same_statements_for_ten_or_a_hundred_due_checkins(factory: SqlUnitOfWorkFactory) -> None:
    seed(factory, 1, 10, timedelta(minutes=10))
    seed(factory, 11, 100, timedelta(minutes=20))
    reminders = Reminders(factory, SETTINGS)  # type: ignore[arg-type]

    few, delivered_few, statements_few = wake(factory, reminders, timedelta(minutes=15))
    assert (few.checkins, few.approvals, delivered_few) == (10, 0, 10)
    many, delivered_many, statements_many = wake(factory, reminders, timedelta(minutes=25))
    assert (many.checkins, many.approvals, delivered_many) == (100, 0, 100)

    assert statements_many == statements_few
    assert statements_many <= BOUND


def test_nothing_due_costs_one_statement(factory: SqlUnitOfWorkFactory) -> None:
    seed(factory, 1, 100, timedelta(minutes=20))
    reminders = Reminders(factory, SETTINGS)  # type: ignore[arg-type]
    wake(factory, reminders, timedelta(minutes=1))  # the first wake-up loads the incidents with drafts once

    result, delivered, statements = wake(factory, reminders, timedelta(minutes=2))

    assert (result.checkins, delivered) == (0, 0)
    assert statements == 2  # the key lists, and the claim that finds nothing to send


def test_reminder_keys_are_the_due_and_waiting_lists(factory: SqlUnitOfWorkFactory) -> None:
    seed(factory, 1, 3, timedelta(minutes=30))
    seed(factory, 4, 3, timedelta(minutes=10))
    with factory() as uow:
        for at in (T0, T0 + timedelta(minutes=15), T0 + timedelta(hours=1)):
            due, waiting = uow.incidents.reminder_keys(at)
            assert (list(due), list(waiting)) == (list(uow.incidents.due_for_checkin(at)), ["CRI-1", "CRI-4"])


def test_on_postgresql_a_wake_up_with_a_hundred_due_costs_at_most_six_round_trips(factory: SqlUnitOfWorkFactory) -> None:
    if factory.engine.dialect.name != "postgresql":
        pytest.skip("round trips are PostgreSQL's; SQLite runs in process")
    seed(factory, 1, 100, timedelta(minutes=20))
    reminders = Reminders(factory, SETTINGS)  # type: ignore[arg-type]
    courier = Courier(factory, {"console": FakeGateway("console")})  # type: ignore[dict-item]
    with counting(factory.engine) as counted:
        # As the scheduler wakes: the messages are claimed in the transaction that records them.
        result = reminders.wake(T0 + timedelta(minutes=25), courier.terms())
        delivered = asyncio.run(courier.deliver(lambda: T0 + timedelta(minutes=25), result.claimed))
    assert (result.checkins, delivered) == (100, 100)
    # The key lists with their BEGIN (one pipeline), then in the same transaction the batch: its rows with their nine
    # child tables in one pipeline, every write and the claim in another, COMMIT; the record of what was sent (one
    # pipeline with its BEGIN), COMMIT.
    assert counted.round_trips <= 6, counted


def test_on_postgresql_an_idle_wake_up_costs_three_round_trips(factory: SqlUnitOfWorkFactory) -> None:
    if factory.engine.dialect.name != "postgresql":
        pytest.skip("round trips are PostgreSQL's; SQLite runs in process")
    seed(factory, 1, 100, timedelta(minutes=20))
    reminders = Reminders(factory, SETTINGS)  # type: ignore[arg-type]
    courier = Courier(factory, {"console": FakeGateway("console")})  # type: ignore[dict-item]
    reminders.wake(T0 + timedelta(minutes=1), courier.terms())  # the first wake-up loads the incidents with drafts once
    with counting(factory.engine) as counted:
        result = reminders.wake(T0 + timedelta(minutes=2), courier.terms())
        delivered = asyncio.run(courier.deliver(lambda: T0 + timedelta(minutes=2), result.claimed))
    assert (result.checkins, result.claimed, delivered) == (0, [], 0)
    # The key lists with their BEGIN, the claim that finds nothing, COMMIT.
    assert (counted.statements, counted.round_trips) == (2, 3), counted


def test_a_wake_up_over_several_batches_claims_every_message_it_recorded(factory: SqlUnitOfWorkFactory) -> None:
    seed(factory, 1, 25, timedelta(minutes=20))
    reminders = Reminders(factory, SETTINGS, batch=10)  # type: ignore[arg-type]
    gateway = FakeGateway("console")
    courier = Courier(factory, {"console": gateway})  # type: ignore[dict-item]

    result = reminders.wake(T0 + timedelta(minutes=25), courier.terms())
    delivered = asyncio.run(courier.deliver(lambda: T0 + timedelta(minutes=25), result.claimed))

    assert (result.checkins, delivered) == (25, 25)
    if factory.engine.dialect.name == "postgresql":  # claimed with the last batch's commit, the first two's included
        assert result.claimed is not None and len(result.claimed) == 25
    assert sorted(s.reply.incident for s in gateway.posts if s.reply) == sorted(f"CRI-{n}" for n in range(1, 26))
