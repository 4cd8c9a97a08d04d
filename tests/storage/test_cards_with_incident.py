"""The cards posted in an incident's conversations come with the command that loads it (on SQLite in the incident's
own row), whoever posted them: another unit of work, or another process (here, a factory of its own)."""

from __future__ import annotations

import pytest

from bot.commands import Command, Origin
from bot.config import Settings
from bot.grammar import parse
from bot.service import Dispatcher
from storage import SqlUnitOfWorkFactory, repository, sql_uow_factory
from storage.statements import counting
from tests.fakes import T0, FakeClock


def said(text: str) -> tuple[Command, Origin]:
    return parse(text), Origin("alice", "console", "room", request_id=text)


def test_cards_another_process_posted_come_with_the_next_command(
    uow_factory: SqlUnitOfWorkFactory, database_url: str
) -> None:
    dispatcher = Dispatcher(uow_factory, Settings(), FakeClock(T0))
    dispatcher.dispatch(*said("open Leak --sev 1"))
    dispatcher.dispatch(*said("note warming the cache"))  # this process now keeps the incident
    other = sql_uow_factory(database_url)
    try:
        Dispatcher(other, Settings(), FakeClock(T0)).remember_cards({("console", "room", "status"): "m-1"})
    finally:
        other.dispose()
    outcome = dispatcher.dispatch(*said("note after the card"))
    assert outcome.card_refs == {("console", "room", "status"): "m-1"}
    assert ("console", "room") in outcome.places


def test_only_the_incidents_own_conversations_cards_come_with_it(uow_factory: SqlUnitOfWorkFactory) -> None:
    dispatcher = Dispatcher(uow_factory, Settings(), FakeClock(T0))
    dispatcher.dispatch(*said("open Leak --sev 1"))
    dispatcher.remember_cards({("console", "room", "status"): "m-1", ("console", "elsewhere", "status"): "m-2"})
    outcome = dispatcher.dispatch(*said("note hello"))
    assert outcome.card_refs == {("console", "room", "status"): "m-1"}


def test_on_sqlite_the_cards_cost_no_statement_of_their_own(uow_factory: SqlUnitOfWorkFactory) -> None:
    dispatcher = Dispatcher(uow_factory, Settings(), FakeClock(T0))
    dispatcher.dispatch(*said("open Leak --sev 1"))
    with counting(uow_factory.engine) as counted:
        dispatcher.dispatch(*said("note hello"))
    reads = [s for s in counted.texts if s.lstrip().upper().startswith("SELECT")]
    if uow_factory.engine.dialect.name == "sqlite":
        assert len(reads) == 1 and "card_refs" in reads[0]
    else:
        assert any("card_refs" in s for s in reads)  # in the same pipeline as the incident's row


def test_without_sqlites_json_functions_the_cards_are_read_on_their_own(
    uow_factory: SqlUnitOfWorkFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(repository, "SQLITE_HAS_JSON", False)
    dispatcher = Dispatcher(uow_factory, Settings(), FakeClock(T0))
    dispatcher.dispatch(*said("open Leak --sev 1"))
    dispatcher.remember_cards({("console", "room", "status"): "m-1"})
    outcome = dispatcher.dispatch(*said("note hello"))
    assert outcome.card_refs == {("console", "room", "status"): "m-1"}
