"""The APScheduler wrapper: a clock that wakes the core, hooked onto the server's life cycle."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from aiohttp import web
from aiohttp.test_utils import TestServer

from adapters import scheduler
from adapters.runtime import Runtime, build_runtime
from bot.commands import Origin
from bot.grammar import parse
from bot.replies import Reply
from tests.fakes import FakeClock, FakeGateway, FakeUnitOfWork, Store


class WatchedGateway(FakeGateway):
    def __init__(self) -> None:
        super().__init__("console")
        self.reminded = asyncio.Event()

    async def post(self, conversation: str, reply: Reply) -> str | None:
        if any(card.id.startswith("checkin:") for card in reply.cards):
            self.reminded.set()
        return await super().post(conversation, reply)


def runtime_with_an_incident(env: dict[str, str] | None = None) -> tuple[Runtime, FakeClock, WatchedGateway]:
    store, clock = Store(), FakeClock()
    runtime = build_runtime(env or {}, lambda: FakeUnitOfWork(store), clock)
    gateway = WatchedGateway()
    runtime.add_gateway(gateway)
    return runtime, clock, gateway


async def open_incident(runtime: Runtime) -> None:
    await runtime.service.handle(parse("open Outage --sev 1"), Origin("alice", "console", "war-room"))


async def test_a_wake_up_records_and_delivers_what_is_due() -> None:
    runtime, clock, gateway = runtime_with_an_incident()
    await open_incident(runtime)
    clock.advance(minutes=30)
    result, delivered = await scheduler.Scheduler(runtime).wake()
    assert (result.checkins, delivered) == (1, 1)
    assert gateway.reminded.is_set()


async def test_a_door_registered_after_creation_is_served() -> None:
    runtime, _, _ = runtime_with_an_incident()
    late = WatchedGateway()
    late.platform = "teams"
    sched = scheduler.Scheduler(runtime)
    runtime.add_gateway(late)
    assert sched.courier.gateways["teams"] is late


async def test_start_catches_up_at_once_and_stop_ends_the_job() -> None:
    runtime, clock, gateway = runtime_with_an_incident()
    await open_incident(runtime)
    clock.advance(hours=3)  # came due while the process was down
    sched = scheduler.Scheduler(runtime, tick=timedelta(hours=1))
    await sched.start()
    try:
        # The first run is immediate, not one tick (an hour) later.
        await asyncio.wait_for(gateway.reminded.wait(), timeout=10)
    finally:
        await sched.stop()
    assert sched.running is False


async def test_install_runs_the_scheduler_with_the_server() -> None:
    runtime, _, _ = runtime_with_an_incident({"CRISISBOT_SCHEDULER_TICK": "30s"})
    app = web.Application()
    scheduler.install(app, runtime)
    sched = app[scheduler.SCHEDULER]
    assert sched.tick == timedelta(seconds=30)
    async with TestServer(app):
        assert sched.running
    assert not sched.running


async def test_the_scheduler_can_be_switched_off() -> None:
    runtime, _, _ = runtime_with_an_incident({"CRISISBOT_SCHEDULER": "off"})
    app = web.Application()
    scheduler.install(app, runtime)
    assert scheduler.SCHEDULER not in app
