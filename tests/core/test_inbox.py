"""Requests a door acknowledged are written down first, so none is lost if the process dies before running them."""

import asyncio
from datetime import timedelta

from bot.commands import ListIncidents, OpenIncident, Origin, from_record, to_record
from bot.grammar import parse
from tests.harness import Harness


def origin(request_id: str) -> Origin:
    return Origin("alice", "slack", "C1", None, request_id)


def test_commands_survive_being_written_down() -> None:
    command = OpenIncident("Leak of customer emails", 1, "Seen on X", "https://x.com/post/1")
    assert from_record(to_record(command)) == command


def test_an_accepted_request_is_found_again_until_answered_and_runs_once() -> None:
    h = Harness()
    service = h.service

    async def scenario() -> None:
        assert await service.accept(parse("open Leak --sev 1"), origin("r1"), reply_to='{"channel": "C1"}')
        assert not await service.accept(parse("open Leak --sev 1"), origin("r1"), reply_to='{"channel": "C1"}')
        # The process "dies" here: nothing ran. After a restart the request is still waiting.
        h.clock.advance(seconds=30)
        waiting = await service.unfinished("slack", older_than=timedelta(seconds=10))
        found = [(r.request_id, r.command, r.reply_to) for r in waiting]
        assert found == [("r1", OpenIncident("Leak", 1), '{"channel": "C1"}')]
        await service.run_accepted(waiting[0])
        # Answered now (its reply is in the request log): no sweep finds it again.
        assert await service.unfinished("slack", older_than=timedelta(seconds=10)) == []
        await service.run_accepted(waiting[0])  # a sweep that had already picked it up runs it again, harmlessly

    asyncio.run(scenario())
    with h.dispatcher.uow_factory() as uow:
        assert [i.key for i in uow.incidents.list()] == ["CRI-1"]


def test_requests_accepted_moments_ago_are_left_to_the_process_running_them() -> None:
    h = Harness()

    async def scenario() -> list[object]:
        await h.service.accept(OpenIncident("Leak"), origin("r2"), reply_to="{}")
        return list(await h.service.unfinished("slack", older_than=timedelta(seconds=10)))

    assert asyncio.run(scenario()) == []


def test_requests_arriving_together_are_written_in_few_transactions() -> None:
    from collections.abc import Sequence

    from bot.intake import Intake
    from bot.ports import AcceptedRequest

    written: list[list[str]] = []

    def write_many(requests: Sequence[AcceptedRequest]) -> list[bool]:
        seen = {rid for batch in written for rid in batch}
        written.append([r.request_id for r in requests])
        return [r.request_id not in seen for r in requests]

    intake = Intake(write_many)
    h = Harness()

    async def burst() -> list[bool]:
        requests = [
            AcceptedRequest(f"r{n % 40}", origin(f"r{n % 40}"), ListIncidents(), "{}", h.clock.now()) for n in range(40)
        ]
        first = await asyncio.gather(*(intake.accept(r) for r in requests))
        retried = await intake.accept(requests[0])
        return [*first, retried]

    results = asyncio.run(burst())
    assert results[:40] == [True] * 40 and results[40] is False
    assert len(written) < 10  # group commit: a burst of 40 costs a few writes, not 40
    assert sorted(rid for batch in written for rid in batch) == sorted([f"r{n}" for n in range(40)] + ["r0"])


def test_a_refused_request_is_answered_too_and_not_run_again() -> None:
    h = Harness()

    async def scenario() -> list[object]:
        await h.service.accept(parse("CRI-404 update hello"), origin("r3"), reply_to="{}")
        h.clock.advance(minutes=5)
        (waiting,) = await h.service.unfinished("slack", older_than=timedelta(seconds=10))
        reply = await h.service.run_accepted(waiting)
        assert reply.private and "CRI-404" in reply.text
        again = await h.service.run_accepted(waiting)
        assert again.text == reply.text  # the redelivery gets the same refusal
        return list(await h.service.unfinished("slack", older_than=timedelta(seconds=10)))

    assert asyncio.run(scenario()) == []
