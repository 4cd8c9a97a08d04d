"""A pooled PostgreSQL connection that died (server restart, idle timeout) costs a retry, never a failed command.

The pool no longer pings each connection it hands out (a round trip per command); the unit of work instead turns
the first statement's failure on a dead connection into a retry of the whole command on a fresh one.
"""

from __future__ import annotations

import pytest
from sqlalchemy import text

from bot import commands as c
from bot import events as ev
from bot.config import Settings
from bot.service import Dispatcher
from storage import make_engine, sql_uow_factory
from tests.fakes import FakeClock


@pytest.mark.postgres
def test_a_command_on_a_connection_the_server_closed_runs_on_a_fresh_one(postgres_url: str) -> None:
    factory = sql_uow_factory(postgres_url)
    admin = make_engine(postgres_url)
    try:
        dispatcher = Dispatcher(factory, Settings(), FakeClock())
        opening = c.OpenIncident("Late deliveries", 2)
        dispatcher.dispatch(opening, c.Origin("alice", "console", "general", request_id="r1"))
        with factory() as uow:  # the connection the next command will be handed by the pool
            pid = uow.connection.execute(text("SELECT pg_backend_pid()")).scalar_one()
        with admin.begin() as connection:
            assert connection.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid}).scalar_one()

        note = c.AddNote("Press desk informed")
        outcome = dispatcher.dispatch(note, c.Origin("alice", "console", "general", request_id="r2"))

        assert outcome.events and not outcome.reply.private, outcome.reply.text
        with factory() as uow:
            incident = uow.incidents.get_whole("CRI-1")
            assert uow.connection.execute(text("SELECT pg_backend_pid()")).scalar_one() != pid
        assert incident is not None and [e.event for e in incident.timeline[-1:]] == [ev.NoteAdded("Press desk informed")]
    finally:
        admin.dispose()
        factory.dispose()
