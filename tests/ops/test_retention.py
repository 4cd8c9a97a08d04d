"""Retention on SQLite and PostgreSQL: old delivery records go, in batches; crises, timelines and open work stay."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select, update

from adapters.retention import Pruner, RetentionError, retention_period
from adapters.runtime import build_runtime
from adapters.scheduler import Scheduler
from bot.config import Settings
from bot.grammar import parse
from bot.ports import AcceptedRequest, Outgoing
from bot.replies import Reply
from bot.service import Dispatcher
from storage import SqlUnitOfWorkFactory, sql_uow_factory
from storage.inbox import inbox
from storage.outbox import outbox
from storage.retention import prune
from storage.tables import requests, timeline
from tests.fakes import T0, FakeClock

OLD = T0 - timedelta(days=40)
NOW = T0
CUTOFF = NOW - timedelta(days=30)


def run(dispatcher: Dispatcher, text: str, request_id: str, accept: bool = True) -> None:
    origin_ = origin(request_id)
    if accept:
        dispatcher.accept(AcceptedRequest(request_id, origin_, parse(text), "reply-here", dispatcher.clock.now()))
    dispatcher.dispatch(parse(text), origin_)


def origin(request_id: str) -> object:
    from bot.commands import Origin

    return Origin("U1", "slack", "C1", "en", request_id)


def outgoing(message_id: str, at: datetime) -> Outgoing:
    return Outgoing(message_id, "slack", "C1", False, Reply(text="time for a status update"), at)


def fill(factory: SqlUnitOfWorkFactory) -> Dispatcher:
    """Forty days ago and now: answered requests, one accepted and never answered, and reminders in every state."""
    clock = FakeClock(OLD)
    dispatcher = Dispatcher(factory, Settings.from_env({}), clock)
    run(dispatcher, "open Old outage --sev 2", "old-open")
    for n in range(4):
        run(dispatcher, f"CRI-1 update Still on it {n}", f"old-update-{n}")
    run(dispatcher, "CRI-1 update Answered without an inbox row", "old-no-inbox", accept=False)
    from bot.commands import Origin

    dispatcher.accept(AcceptedRequest("old-unanswered", Origin("U1", "slack", "C1", "en", "old-unanswered"),
                                      parse("CRI-1 update lost"), "reply-here", OLD))
    with factory() as uow:
        for message_id in ("old-sent-1", "old-sent-2", "old-gave-up", "old-pending"):
            uow.outbox.add(outgoing(f"CRI-1#9:checkin:slack:{message_id}", OLD))
        uow.commit()
    with factory() as uow:
        uow.outbox.mark_sent(["CRI-1#9:checkin:slack:old-sent-1", "CRI-1#9:checkin:slack:old-sent-2"], OLD)
        uow.outbox.retry_later("CRI-1#9:checkin:slack:old-gave-up", None, "channel_not_found")
        uow.commit()
    with factory.engine.begin() as db:  # the request log dates its rows by the wall clock: as if written then
        db.execute(update(requests).values(created_at=OLD))
    clock.at = NOW
    run(dispatcher, "CRI-1 update Recent news", "new-update")
    with factory() as uow:
        uow.outbox.add(outgoing("CRI-1#10:checkin:slack:new-sent", NOW))
        uow.commit()
    with factory() as uow:
        uow.outbox.mark_sent(["CRI-1#10:checkin:slack:new-sent"], NOW)
        uow.commit()
    return dispatcher


def ids(factory: SqlUnitOfWorkFactory, table: str) -> set[str]:
    column = {"inbox": inbox.c.request_id, "requests": requests.c.request_id, "outbox": outbox.c.id}[table]
    with factory.engine.connect() as db:
        return {str(key).rsplit(":", 1)[-1] for key in db.execute(select(column)).scalars()}


def timeline_length(factory: SqlUnitOfWorkFactory) -> int:
    with factory.engine.connect() as db:
        return int(db.execute(select(func.count()).select_from(timeline)).scalar_one())


@pytest.fixture
def factory(database_url: str) -> SqlUnitOfWorkFactory:
    return sql_uow_factory(database_url)


def test_old_delivery_records_go_and_the_crisis_stays(factory: SqlUnitOfWorkFactory) -> None:
    fill(factory)
    entries = timeline_length(factory)
    # A row written before the core marked requests finished: answered (in the request log), never marked.
    with factory.engine.begin() as db:
        db.execute(update(inbox).where(inbox.c.request_id == "old-update-3").values(finished_at=None))
    pruned = prune(factory.engine, CUTOFF, batch=2)  # small batches: the walk goes on past full ones
    assert (pruned.inbox, pruned.requests, pruned.outbox) == (5, 6, 3)
    # Kept: the unanswered request (recovery may still take it), everything recent, the pending reminder.
    assert ids(factory, "inbox") == {"old-unanswered", "new-update"}
    assert ids(factory, "requests") == {"new-update"}
    assert ids(factory, "outbox") == {"old-pending", "new-sent"}
    with factory() as uow:
        incident = uow.incidents.get_whole("CRI-1")
    assert incident is not None and incident.title == "Old outage"
    assert timeline_length(factory) == entries > 5
    assert prune(factory.engine, CUTOFF).total == 0  # a second run finds nothing more
    factory.dispose()


def test_a_pruned_request_is_not_taken_for_an_unanswered_one(factory: SqlUnitOfWorkFactory) -> None:
    dispatcher = fill(factory)
    prune(factory.engine, CUTOFF)
    # The recovery sweep's question: which accepted requests are still unanswered? Only the one never answered.
    assert [r.request_id for r in dispatcher.unfinished("slack", NOW)] == ["old-unanswered"]
    factory.dispose()


async def test_the_scheduler_prunes(database_url: str, tmp_path: Path) -> None:
    factory = sql_uow_factory(database_url)
    fill(factory)
    runtime = build_runtime({"DATABASE_URL": database_url, "CRISISBOT_RETENTION": "30d"}, uow_factory=factory,
                            clock=FakeClock(NOW))
    scheduler = Scheduler(runtime)
    assert scheduler.pruner is not None and scheduler.pruner.period == timedelta(days=30)
    scheduler.pruner.first_delay = timedelta(0)
    await scheduler.start()
    try:
        for _ in range(100):
            if "old-sent-1" not in await asyncio.to_thread(ids, factory, "outbox"):
                break
            await asyncio.sleep(0.05)
    finally:
        await scheduler.stop()
    assert await asyncio.to_thread(ids, factory, "requests") == {"new-update"}
    factory.dispose()


def test_retention_setting() -> None:
    assert retention_period({}) == timedelta(days=30)
    assert retention_period({"CRISISBOT_RETENTION": "7d"}) == timedelta(days=7)
    assert retention_period({"CRISISBOT_RETENTION": "off"}) is None
    for wrong in ("soon", "2h"):
        with pytest.raises(RetentionError, match="CRISISBOT_RETENTION"):
            retention_period({"CRISISBOT_RETENTION": wrong})


def test_retention_off_schedules_nothing(tmp_path: Path) -> None:
    runtime = build_runtime({"DATABASE_URL": f"sqlite:///{tmp_path}/t.db", "CRISISBOT_RETENTION": "off"})
    assert Pruner.for_runtime(runtime, FakeClock()) is None
