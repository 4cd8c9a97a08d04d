"""The SQL inbox keeps acknowledged requests until they are finished, once per request id."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from bot.commands import OpenIncident, Origin
from bot.config import Settings
from bot.ports import AcceptedRequest
from bot.service import CrisisService, Dispatcher
from storage import SqlUnitOfWorkFactory
from tests.fakes import FakeClock

T0 = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)


def request(rid: str, command: OpenIncident | str, at: datetime = T0) -> AcceptedRequest:
    return AcceptedRequest(rid, Origin("U1", "slack", "C1", "fr", rid), command, '{"response_url": "https://x"}', at)


def test_accepted_requests_round_trip_until_finished(uow_factory: SqlUnitOfWorkFactory) -> None:
    modal = OpenIncident("Leak", 1, "Seen on X", "https://x.com/1")
    with uow_factory() as uow:
        assert uow.inbox.accept([request("a", modal), request("b", "update hello", T0 + timedelta(seconds=1))]) == [
            True,
            True,
        ]
        assert uow.inbox.accept([request("a", modal), request("c", "list"), request("c", "list")]) == [False, True, False]
        uow.commit()
    with uow_factory() as uow:
        waiting = uow.inbox.unfinished("slack", T0 + timedelta(minutes=1))
        assert waiting == [
            request("a", modal),
            request("c", "list"),
            request("b", "update hello", T0 + timedelta(seconds=1)),
        ]
        assert uow.inbox.unfinished("teams", T0 + timedelta(minutes=1)) == []
        assert uow.inbox.unfinished("slack", T0 - timedelta(seconds=1)) == []
        uow.inbox.finish("a", T0 + timedelta(seconds=5))
        uow.commit()
    with uow_factory() as uow:
        assert [r.request_id for r in uow.inbox.unfinished("slack", T0 + timedelta(minutes=1))] == ["c", "b"]


def test_a_request_run_twice_after_a_crash_has_one_effect(uow_factory: SqlUnitOfWorkFactory) -> None:
    clock = FakeClock(T0)
    service = CrisisService(Dispatcher(uow_factory, Settings(), clock), {})
    origin = Origin("U1", "slack", "C1", None, "slack:command:t1")

    async def scenario() -> None:
        assert await service.accept("open Leak --sev 1", origin, "{}")
        clock.advance(minutes=1)
        (waiting,) = await service.unfinished("slack", older_than=timedelta(seconds=30))
        await service.run_accepted(waiting)
        await service.run_accepted(waiting)
        await service.finish(waiting.request_id)
        assert await service.unfinished("slack", older_than=timedelta(seconds=30)) == []

    asyncio.run(scenario())
    with uow_factory() as uow:
        assert [i.key for i in uow.incidents.list()] == ["CRI-1"]
