"""The SQL inbox keeps acknowledged requests until they are finished, once per request id, each held by one process."""

from __future__ import annotations

import asyncio
import json
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, text

from bot.commands import Command, OpenIncident, Origin
from bot.config import Settings
from bot.grammar import parse
from bot.ports import AcceptedRequest
from bot.service import CrisisService, Dispatcher
from storage import SqlUnitOfWorkFactory, make_engine, migrate, presence, sql_uow_factory
from storage import inbox as storage_inbox
from storage.inbox import inbox
from storage.statements import counting
from tests.fakes import FakeClock

T0 = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
LEASE = timedelta(seconds=15)


def request(rid: str, command: Command | str, at: datetime = T0) -> AcceptedRequest:
    """A request as a door writes it down: typed text parsed first, as every door does."""
    wanted = parse(command) if isinstance(command, str) else command
    return AcceptedRequest(rid, Origin("U1", "slack", "C1", "fr", rid), wanted, '{"response_url": "https://x"}', at)


def accept(uow_factory: SqlUnitOfWorkFactory, claimant: str, *requests: AcceptedRequest, at: datetime = T0) -> None:
    with uow_factory() as uow:
        uow.inbox.accept(requests, claimant, at + LEASE)
        uow.commit()


def claim(uow_factory: SqlUnitOfWorkFactory, claimant: str, at: datetime, limit: int = 100,
          starting: bool = False) -> list[str]:
    with uow_factory() as uow:
        claimed = [r.request_id for r in uow.inbox.claim("slack", claimant, at, at + LEASE, limit, starting)]
        uow.commit()
    return claimed


def holders(uow_factory: SqlUnitOfWorkFactory) -> dict[str, tuple[str | None, datetime | None]]:
    with uow_factory() as uow:
        rows = uow.connection.execute(select(inbox.c.request_id, inbox.c.claimed_by, inbox.c.lease_until)).all()
    return {r.request_id: (r.claimed_by, r.lease_until) for r in rows}


def test_accepted_requests_round_trip_until_finished(uow_factory: SqlUnitOfWorkFactory) -> None:
    modal = OpenIncident("Leak", 1, "Seen on X", "https://x.com/1")
    with uow_factory() as uow:
        first = uow.inbox.accept([request("a", modal), request("b", "update hello", T0 + timedelta(seconds=1))], "p1", T0)
        assert first == [True, True]
        again = uow.inbox.accept([request("a", modal), request("c", "list"), request("c", "list")], "p1", T0)
        assert again == [False, True, False]
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


def test_a_request_held_by_a_live_lease_is_left_to_its_holder_until_the_lease_lapses(
    uow_factory: SqlUnitOfWorkFactory,
) -> None:
    accept(uow_factory, "p1", request("a", "list"), request("b", "list", T0 + timedelta(seconds=1)))
    assert claim(uow_factory, "p2", T0 + timedelta(seconds=5)) == []
    assert claim(uow_factory, "p2", T0 + LEASE) == ["a", "b"]
    assert holders(uow_factory)["a"] == ("p2", T0 + 2 * LEASE)
    assert claim(uow_factory, "p1", T0 + LEASE + timedelta(seconds=1)) == []  # p2 holds them now


def test_a_renewed_lease_keeps_the_request_and_only_its_holder_renews(uow_factory: SqlUnitOfWorkFactory) -> None:
    accept(uow_factory, "p1", request("a", "list"), request("b", "list"))
    later = T0 + timedelta(seconds=10)
    with uow_factory() as uow:
        uow.inbox.renew(["a"], "p1", later + LEASE)
        uow.inbox.renew(["b"], "intruder", later + LEASE)
        uow.commit()
    assert claim(uow_factory, "p2", T0 + LEASE) == ["b"]
    assert holders(uow_factory)["a"] == ("p1", later + LEASE)


def test_a_process_starting_on_sqlite_takes_every_unfinished_request_but_its_own(
    uow_factory: SqlUnitOfWorkFactory, database_url: str
) -> None:
    accept(uow_factory, "dead", request("a", "list"), request("b", "list", T0 + timedelta(seconds=1)))
    accept(uow_factory, "me", request("mine", "list"))
    claimed = claim(uow_factory, "me", T0 + timedelta(seconds=1), starting=True)
    if database_url.startswith("sqlite"):
        assert claimed == ["a", "b"]  # one process per SQLite file: "dead" is gone, whatever its leases say
    else:
        assert claimed == []  # on PostgreSQL "dead" is a live replica (this process keeps it present)


@pytest.mark.postgres
def test_on_postgresql_a_dead_holders_requests_are_free_at_once(postgres_url: str) -> None:
    factory = sql_uow_factory(postgres_url)
    try:
        accept(factory, "replica-1", request("a", "list"), request("b", "list", T0 + timedelta(seconds=1)))
        accept(factory, "replica-2", request("c", "list"))
        assert claim(factory, "me", T0 + timedelta(seconds=1)) == []  # both alive, leases running
        presence.leave(factory.engine, "replica-1")  # as if killed: its session and lock are gone
        assert claim(factory, "me", T0 + timedelta(seconds=1)) == ["a", "b"]
    finally:
        factory.dispose()


def test_claims_come_in_batches_oldest_first_and_skip_answered_requests(uow_factory: SqlUnitOfWorkFactory) -> None:
    accept(uow_factory, "dead", *[request(f"r{n:02}", "list", T0 + timedelta(seconds=n)) for n in range(5)])
    with uow_factory() as uow:
        uow.requests.remember("r01", "done")  # answered before the core marked requests finished
        uow.inbox.finish("r03", T0)
        uow.commit()
    after = T0 + timedelta(minutes=1)
    assert claim(uow_factory, "me", after, limit=2) == ["r00", "r02"]
    assert claim(uow_factory, "me", after, limit=2) == ["r04"]


@pytest.mark.parametrize("claimers", [2, 4])
def test_concurrent_claimers_never_take_the_same_request(uow_factory: SqlUnitOfWorkFactory, claimers: int) -> None:
    total = 200
    accept(uow_factory, "dead", *[request(f"r{n:03}", "list", T0 + timedelta(milliseconds=n)) for n in range(total)])
    after = T0 + timedelta(minutes=1)

    def drain(name: str) -> list[str]:
        taken: list[str] = []
        while batch := claim(uow_factory, name, after, limit=7):
            taken += batch
        return taken

    with ThreadPoolExecutor(claimers) as pool:
        shares = list(pool.map(drain, [f"p{n}" for n in range(claimers)]))
    everything = [rid for share in shares for rid in share]
    assert len(everything) == len(set(everything)) == total
    assert all(holders(uow_factory)[rid][0] == f"p{n}" for n, share in enumerate(shares) for rid in share)


def test_the_core_marks_a_request_finished_as_it_answers_it(uow_factory: SqlUnitOfWorkFactory) -> None:
    clock = FakeClock(T0)
    dispatcher = Dispatcher(uow_factory, Settings(), clock)
    assert dispatcher.accept(request("slack:1", "open Leak --sev 1"))
    dispatcher.dispatch(parse("open Leak --sev 1"), request("slack:1", "").origin)
    with uow_factory() as uow:
        finished = uow.connection.execute(select(inbox.c.finished_at)).scalar_one()
    assert finished == T0


def test_a_request_run_twice_after_a_crash_has_one_effect(uow_factory: SqlUnitOfWorkFactory) -> None:
    clock = FakeClock(T0)
    dead = Dispatcher(uow_factory, Settings(), clock)
    service = CrisisService(Dispatcher(uow_factory, Settings(), clock), {})
    origin = Origin("U1", "slack", "C1", None, "slack:command:t1")

    async def scenario() -> None:
        assert await CrisisService(dead, {}).accept(parse("open Leak --sev 1"), origin, "{}")
        clock.advance(minutes=1)
        (waiting,) = service.dispatcher.claim("slack", 100)
        await service.run_accepted(waiting)
        await service.run_accepted(waiting)
        await service.finish(waiting.request_id)
        assert await service.unfinished("slack", older_than=timedelta(seconds=30)) == []

    asyncio.run(scenario())
    with uow_factory() as uow:
        assert [i.key for i in uow.incidents.list()] == ["CRI-1"]


def test_the_lease_migration_marks_requests_answered_before_it_finished(database_url: str) -> None:
    migrate.upgrade(database_url, "0004")
    engine = make_engine(database_url)
    try:
        with engine.begin() as connection:
            for rid in ("answered", "open"):
                connection.execute(
                    text("INSERT INTO inbox (request_id, platform, person, conversation, command, reply_to, accepted_at)"
                         " VALUES (:rid, 'slack', 'U1', 'C1', '{}', '{}', :at)"),
                    {"rid": rid, "at": T0},
                )
            connection.execute(text("INSERT INTO request_log VALUES ('answered', 'ok', :at)"), {"at": T0})
        migrate.upgrade(database_url)
        with engine.connect() as connection:
            rows = connection.execute(text("SELECT request_id, finished_at IS NOT NULL FROM inbox ORDER BY 1")).all()
        assert [tuple(r) for r in rows] == [("answered", True), ("open", False)]
    finally:
        engine.dispose()


def test_a_request_written_as_text_by_an_older_version_still_runs_after_an_upgrade(
    uow_factory: SqlUnitOfWorkFactory,
) -> None:
    clock = FakeClock(T0)
    with uow_factory() as uow:
        # Exactly what the previous version wrote for a typed `/crisis ouvrir Fuite --gravite 2` it acknowledged.
        uow.connection.execute(inbox.insert().values(
            request_id="slack:command:old", platform="slack", person="U1", conversation="C1", language=None,
            command=json.dumps({"text": "ouvrir Fuite --gravite 2"}), reply_to="{}", accepted_at=T0,
        ))
        uow.commit()
    service = CrisisService(Dispatcher(uow_factory, Settings(), clock), {})
    (waiting,) = service.dispatcher.claim("slack", 100, starting=True)
    assert waiting.command == OpenIncident("Fuite", 2)
    reply = asyncio.run(service.run_accepted(waiting))
    assert reply.incident == "CRI-1"
    with uow_factory() as uow:
        assert [(i.key, i.title, i.severity) for i in uow.incidents.list()] == [("CRI-1", "Fuite", 2)]
    assert service.dispatcher.unfinished("slack", T0 + timedelta(hours=1)) == []


def test_requests_are_written_down_as_commands_only(uow_factory: SqlUnitOfWorkFactory) -> None:
    accept(uow_factory, "p1", request("a", "CRI-1 note Press desk called"))
    with uow_factory() as uow:
        stored = json.loads(uow.connection.execute(select(inbox.c.command)).scalar_one())
    assert stored == {"command": {"type": "AddNote", "text": "Press desk called", "incident": "CRI-1"}}


def finished_at(uow_factory: SqlUnitOfWorkFactory) -> dict[str, datetime | None]:
    with uow_factory() as uow:
        return {r.request_id: r.finished_at for r in uow.connection.execute(select(inbox.c.request_id, inbox.c.finished_at))}


def test_a_request_that_never_went_through_the_inbox_costs_no_inbox_statement(
    uow_factory: SqlUnitOfWorkFactory,
) -> None:
    dispatcher = Dispatcher(uow_factory, Settings(), FakeClock(T0))
    dispatcher.dispatch(parse("open Warm-up"), Origin("alice", "console", "other", request_id="console:0"))
    console = Origin("alice", "console", "room", request_id="console:1")
    with counting(uow_factory.engine) as counted:
        dispatcher.dispatch(parse("open Leak --sev 1"), console)
    assert counted.statements and not [s for s in counted.texts if "inbox" in s.lower()]
    with uow_factory() as uow:
        assert uow.requests.reply_to("console:1") is not None  # answered all the same


def test_a_request_another_process_accepted_is_marked_finished_by_the_process_that_claims_it(
    uow_factory: SqlUnitOfWorkFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock = FakeClock(T0)
    accept(uow_factory, "gone", request("slack:2", "open Leak --sev 1"))
    monkeypatch.setattr(storage_inbox, "_MAY_BE_IN_INBOX", set())  # this process is another one: it never saw it
    clock.advance(minutes=1)
    (claimed,) = Dispatcher(uow_factory, Settings(), clock).claim("slack", 10, starting=True)
    Dispatcher(uow_factory, Settings(), clock).dispatch(claimed.command, claimed.origin)
    assert finished_at(uow_factory)["slack:2"] == clock.now()


def test_a_request_answered_by_a_process_that_never_saw_its_inbox_row_is_done_all_the_same(
    uow_factory: SqlUnitOfWorkFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    # No door runs a request it did not accept or claim; were one to, the request log row would still say it is done.
    accept(uow_factory, "gone", request("slack:3", "open Leak --sev 1"))
    monkeypatch.setattr(storage_inbox, "_MAY_BE_IN_INBOX", set())
    dispatcher = Dispatcher(uow_factory, Settings(), FakeClock(T0 + timedelta(minutes=1)))
    dispatcher.dispatch(parse("open Leak --sev 1"), request("slack:3", "").origin)
    assert finished_at(uow_factory)["slack:3"] is None
    assert dispatcher.unfinished("slack", T0 + timedelta(hours=1)) == []
    assert dispatcher.claim("slack", 10, starting=True) == []


def test_a_retried_delivery_is_not_kept_as_a_request_to_mark(
    uow_factory: SqlUnitOfWorkFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    accept(uow_factory, "p1", request("slack:4", "list"))
    assert storage_inbox.may_be_in_inbox("slack:4")
    monkeypatch.setattr(storage_inbox, "_MAY_BE_IN_INBOX", set())  # as once it was answered and marked
    accept(uow_factory, "p1", request("slack:4", "list"))  # Slack delivers it again: not run, so never marked
    assert not storage_inbox.may_be_in_inbox("slack:4")
