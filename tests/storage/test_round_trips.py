"""What a command costs the database, counted with SQLAlchemy's own events: a regression in statements fails here.

Each test runs on SQLite and on PostgreSQL. The bounds are the statements (and, on PostgreSQL, the round trips) the
hot path needs today; raise one only with a reason.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from bot import commands as c
from bot import events as ev
from bot.broadcast import known_refs
from bot.config import Settings
from bot.model import Conversation
from bot.service import CrisisService, Dispatcher
from storage import SqlUnitOfWorkFactory, sql_uow_factory
from storage.statements import counting
from tests.fakes import FakeClock, FakeGateway
from tests.storage.wire import relayed

SETTINGS = Settings(card_refresh=timedelta(0))  # every card goes out at once, so each command's sends are counted


def service_on(factory: SqlUnitOfWorkFactory) -> tuple[CrisisService, FakeGateway]:
    gateway = FakeGateway("console")
    return CrisisService(Dispatcher(factory, SETTINGS, FakeClock()), {"console": gateway}), gateway


def origin(request_id: str, person: str = "alice", names: tuple[tuple[str, str], ...] = ()) -> c.Origin:
    return c.Origin(person, "console", "general", request_id=request_id, names=names)


def test_a_note_on_an_existing_incident_is_one_transaction_of_at_most_six_statements(
    uow_factory: SqlUnitOfWorkFactory,
) -> None:
    service, gateway = service_on(uow_factory)

    async def scenario() -> None:
        await service.handle(c.OpenIncident("Late deliveries", 2), origin("r1"))
        with counting(uow_factory.engine) as counted:
            await service.handle(c.AddNote("Press desk informed"), origin("r2"))
        # The command, its reply, the inbox row and the card refs read in one transaction; the card posted by the
        # opening is updated in place, which needs no second read nor a write.
        assert (counted.begins, counted.commits) == (1, 1), counted.texts
        # Its row (the incident as this process committed it is reused while the version is the same), the card
        # refs; then the request log, the version-checked update, the timeline entry, the inbox row.
        assert counted.statements <= 6, counted.texts
        if uow_factory.engine.dialect.name == "postgresql":
            # The row and the card refs in one pipeline with the BEGIN; the four writes in a second one; COMMIT.
            assert counted.round_trips <= 3, counted
        assert [u.ref for u in gateway.updates] == ["m1"]

    asyncio.run(scenario())


def test_loaded_from_storage_with_a_draft_a_note_costs_at_most_fifteen_statements(
    uow_factory: SqlUnitOfWorkFactory,
) -> None:
    dispatcher = Dispatcher(uow_factory, SETTINGS, FakeClock())
    dispatcher.dispatch(c.OpenIncident("Late deliveries", 2), origin("r1"))
    dispatcher.dispatch(c.CreateDraft("We are on it."), origin("r2"))
    uow_factory.cache.clear()  # as another process would: every child table is read
    with counting(uow_factory.engine) as counted:
        outcome = dispatcher.dispatch(c.AddNote("Press desk informed"), origin("r3"))
    assert outcome.events and counted.commits == 1
    assert counted.statements <= 15, counted.texts
    if uow_factory.engine.dialect.name == "postgresql":
        # The row and card refs; the ten child tables together; the writes; COMMIT.
        assert counted.round_trips <= 4, counted


def test_the_outcome_carries_the_card_refs_of_every_conversation_of_the_incident(
    uow_factory: SqlUnitOfWorkFactory,
) -> None:
    dispatcher = Dispatcher(uow_factory, SETTINGS, FakeClock())
    dispatcher.dispatch(c.OpenIncident("Late deliveries", 2), origin("r1"))
    dispatcher.remember_cards({("console", "general", "incident:CRI-1"): "m7", ("console", "elsewhere", "x"): "m8"})
    outcome = dispatcher.dispatch(c.AddNote("Press desk informed"), origin("r2"))
    assert outcome.card_refs == {("console", "general", "incident:CRI-1"): "m7"}
    dispatcher.link("CRI-1", Conversation("teams", "19:room"), "alice")
    dispatcher.remember_cards({("teams", "19:room", "incident:CRI-1"): "a1", ("teams", "general", "y"): "a2"})
    both = dispatcher.dispatch(c.AddNote("Twice"), origin("r3"))
    assert both.card_refs == {("console", "general", "incident:CRI-1"): "m7", ("teams", "19:room", "incident:CRI-1"): "a1"}
    wanted = [("console", "general", "incident:CRI-1"), ("console", "general", "draft:CRI-1:1"), ("teams", "g", "x")]
    known, missing = known_refs(outcome, wanted)
    # A card never posted where the command read is known to be absent; a place it did not read is looked up.
    assert known == {("console", "general", "incident:CRI-1"): "m7"} and missing == [("teams", "g", "x")]


def test_a_delivery_answered_already_gets_its_reply_again_and_changes_nothing(uow_factory: SqlUnitOfWorkFactory) -> None:
    dispatcher = Dispatcher(uow_factory, SETTINGS, FakeClock())
    dispatcher.dispatch(c.OpenIncident("Late deliveries", 2), origin("r1"))
    first = dispatcher.dispatch(c.AddNote("Press desk informed"), origin("r2"))
    again = dispatcher.dispatch(c.AddNote("Press desk informed"), origin("r2"))
    assert again.reply.text == first.reply.text and not again.events
    with uow_factory() as uow:
        incident = uow.incidents.get_whole("CRI-1")
    assert incident is not None
    assert sum(isinstance(e.event, ev.NoteAdded) for e in incident.timeline) == 1


def test_names_already_stored_are_not_written_again(uow_factory: SqlUnitOfWorkFactory) -> None:
    dispatcher = Dispatcher(uow_factory, SETTINGS, FakeClock())
    names = (("U1", "Alice Martin"),)
    dispatcher.dispatch(c.OpenIncident("Late deliveries", 2), origin("r1", "U1", names))
    with counting(uow_factory.engine) as same:
        dispatcher.dispatch(c.AddNote("one"), origin("r2", "U1", names))
    with counting(uow_factory.engine) as renamed:
        dispatcher.dispatch(c.AddNote("two"), origin("r3", "U1", (("U1", "Alice M."),)))
    assert not [s for s in same.texts if "people" in s]
    assert len([s for s in renamed.texts if "people" in s]) == 1
    with uow_factory() as uow:
        assert uow.people.names({"U1"}) == {"U1": "Alice M."}


def test_a_change_made_elsewhere_is_seen_by_the_next_command(uow_factory: SqlUnitOfWorkFactory) -> None:
    here = Dispatcher(uow_factory, SETTINGS, FakeClock())
    elsewhere = Dispatcher(SqlUnitOfWorkFactory(uow_factory.engine), SETTINGS, FakeClock())  # its own cache
    here.dispatch(c.OpenIncident("Late deliveries", 2), origin("r1"))
    elsewhere.dispatch(c.AssignRole("legal", "carol"), origin("r2"))
    outcome = here.dispatch(c.AddNote("Press desk informed"), origin("r3"))
    assert outcome.incident is not None
    assert [(a.role, a.holder) for a in outcome.incident.assignments if a.role == "legal"] == [("legal", "carol")]
    assert outcome.incident.version == 3  # saved over the version written elsewhere


def test_a_refused_command_leaves_nothing_of_its_changes_behind(uow_factory: SqlUnitOfWorkFactory) -> None:
    dispatcher = Dispatcher(uow_factory, SETTINGS, FakeClock())
    dispatcher.dispatch(c.OpenIncident("Late deliveries", 2), origin("r1"))
    refused = dispatcher.dispatch(c.ChangeSeverity(9), origin("r2"))
    assert refused.reply.private and not refused.events
    outcome = dispatcher.dispatch(c.AddNote("Press desk informed"), origin("r3"))
    assert outcome.incident is not None and outcome.incident.severity == 2 and outcome.incident.version == 2


@pytest.mark.postgres
def test_on_the_wire_a_command_costs_postgresql_at_most_five_round_trips(postgres_url: str) -> None:
    """Counted by a relay on the socket, not by the model in `storage.statements`: whatever the driver does."""
    with relayed(postgres_url) as (url, relay):
        factory = sql_uow_factory(url)
        try:
            dispatcher = Dispatcher(factory, SETTINGS, FakeClock())
            dispatcher.dispatch(c.OpenIncident("Late deliveries", 2), origin("r1"))
            before = relay.turns
            commands = [c.AssignRole("legal", "carol"), c.CreateDraft("We are on it."), c.AddNote("Press desk informed")]
            for n, command in enumerate(commands):
                assert dispatcher.dispatch(command, origin(f"r{n + 2}")).events
            # Three each (a fourth when the server answers a pipeline before the relay has passed all of it on).
            assert relay.turns - before <= 5 * len(commands)
        finally:
            factory.dispose()
