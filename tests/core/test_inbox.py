"""Requests a door acknowledged are written down first, so none is lost if the process dies before running them."""

import asyncio
from datetime import timedelta

from bot.commands import OpenIncident, Origin, from_record, to_record
from tests.harness import Harness


def origin(request_id: str) -> Origin:
    return Origin("alice", "slack", "C1", None, request_id)


def test_commands_survive_being_written_down() -> None:
    command = OpenIncident("Leak of customer emails", 1, "Seen on X", "https://x.com/post/1")
    assert from_record(to_record(command)) == command


def test_an_accepted_request_is_found_again_until_finished_and_runs_once() -> None:
    h = Harness()
    service = h.service

    async def scenario() -> None:
        assert await service.accept("open Leak --sev 1", origin("r1"), reply_to='{"channel": "C1"}')
        assert not await service.accept("open Leak --sev 1", origin("r1"), reply_to='{"channel": "C1"}')
        # The process "dies" here: nothing ran. After a restart the request is still waiting.
        h.clock.advance(seconds=30)
        waiting = await service.unfinished("slack", older_than=timedelta(seconds=10))
        assert [(r.request_id, r.command, r.reply_to) for r in waiting] == [("r1", "open Leak --sev 1", '{"channel": "C1"}')]
        await service.run_accepted(waiting[0])
        await service.run_accepted(waiting[0])  # run again by a second sweep before it was finished
        await service.finish("r1")
        assert await service.unfinished("slack", older_than=timedelta(seconds=10)) == []

    asyncio.run(scenario())
    with h.dispatcher.uow_factory() as uow:
        assert [i.key for i in uow.incidents.list()] == ["CRI-1"]


def test_requests_accepted_moments_ago_are_left_to_the_process_running_them() -> None:
    h = Harness()

    async def scenario() -> list[object]:
        await h.service.accept(OpenIncident("Leak"), origin("r2"), reply_to="{}")
        return list(await h.service.unfinished("slack", older_than=timedelta(seconds=10)))

    assert asyncio.run(scenario()) == []
