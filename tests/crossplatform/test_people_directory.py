"""The people directory and the conversations an incident lives in, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import inspect, text

from bot.config import Settings
from bot.identities import People
from bot.model import Conversation, Incident
from storage import make_engine, migrate, sql_uow_factory
from tests.fakes import T0

SETTINGS = Settings()


def test_accounts_with_the_same_email_are_one_person_whose_id_never_changes(database_url: str) -> None:
    factory = sql_uow_factory(database_url)
    with factory() as uow:
        assert uow.people.identify("slack", "U1", "Rita@Acme.com", T0, True) == "U1"
        uow.commit()
    with factory() as uow:
        # Her Teams account, seen later: the same person, under the id she was first seen with.
        assert uow.people.identify("teams", "aad-rita", "rita@acme.com", T0 + timedelta(minutes=5), True) == "U1"
        # Someone else's account keeps its own id; an account without an address too.
        assert uow.people.identify("teams", "aad-sam", "sam@acme.com", T0, True) == "aad-sam"
        assert uow.people.identify("slack", "U9", None, T0, False) == "U9"
        uow.commit()
    with factory() as uow:
        accounts = uow.people.accounts({"U1", "aad-sam", "nobody"})
    assert sorted((a.platform, a.account) for a in accounts["U1"]) == [("slack", "U1"), ("teams", "aad-rita")]
    assert "nobody" not in accounts
    factory.dispose()


def test_a_person_named_by_email_before_being_seen_is_that_person_when_they_come(database_url: str) -> None:
    factory = sql_uow_factory(database_url)
    with factory() as uow:
        assert uow.people.by_email("Lina@Acme.com", T0) == "lina@acme.com"
        uow.commit()
    with factory() as uow:
        assert uow.people.by_email("lina@acme.com", T0) == "lina@acme.com"  # asked again: the same, stored once
        assert uow.people.accounts({"lina@acme.com"}) == {"lina@acme.com": []}  # known, by name only
        assert uow.people.identify("teams", "aad-lina", "LINA@acme.com", T0, True) == "lina@acme.com"
        uow.commit()
    with factory() as uow:
        [account] = uow.people.accounts({"lina@acme.com"})["lina@acme.com"]
    assert (account.platform, account.account, account.seen_at) == ("teams", "aad-lina", T0)
    factory.dispose()


def test_who_spoke_is_recorded_even_when_the_command_is_refused(database_url: str) -> None:
    factory = sql_uow_factory(database_url)
    with factory() as uow:
        uow.people.identify("slack", "U7", "ann@acme.com", T0, True)
        uow.rollback()  # what a refusal does before the request log is written
        uow.commit()
    with factory() as uow:
        assert uow.people.identify("teams", "aad-ann", "ann@acme.com", T0, True) == "U7"
    factory.dispose()


def test_the_last_activity_decides_where_a_direct_message_goes(database_url: str) -> None:
    factory = sql_uow_factory(database_url)
    with factory() as uow:
        uow.people.identify("slack", "U2", "bo@acme.com", T0, True)
        uow.people.identify("teams", "aad-bo", "bo@acme.com", T0 + timedelta(hours=1), True)
        uow.commit()
    with factory() as uow:
        people = People(uow.people.accounts({"U2"}))
    assert people.reach("U2", {"slack", "teams"}) == ("teams", "aad-bo")
    assert people.reach("U2", {"slack"}) == ("slack", "U2")  # a process without Teams falls back to Slack
    assert people.on("U2", "slack") == "U2" and people.on("U2", "console") is None
    factory.dispose()


def test_a_left_conversation_is_kept_named_and_no_longer_finds_the_incident(database_url: str) -> None:
    factory = sql_uow_factory(database_url)
    home, legal = Conversation("slack", "C1", "Slack › #crisis"), Conversation("teams", "19:x", "Teams › Legal")
    with factory() as uow:
        uow.incidents.add(Incident.open(1, "Outage", 2, "alice", T0, SETTINGS, conversation=home))
        uow.commit()
    with factory() as uow:
        incident = uow.incidents.get("CRI-1")
        assert incident is not None
        incident.join(legal, "alice", T0)
        uow.commit()
    with factory() as uow:
        found = uow.incidents.by_conversation(Conversation("teams", "19:x"))
        assert found is not None and [c.name for c in found.places] == ["Slack › #crisis", "Teams › Legal"]
        found.leave(Conversation("teams", "19:x"), "alice", T0)
        uow.commit()
    with factory() as uow:
        assert uow.incidents.by_conversation(Conversation("teams", "19:x")) is None
        again = uow.incidents.get("CRI-1")
        assert again is not None and [c.id for c in again.places] == ["C1"] and len(again.conversations) == 2
        again.join(Conversation("teams", "19:x"), "alice", T0)  # joined again: the same row, followed again
        uow.commit()
    with factory() as uow:
        assert uow.incidents.by_conversation(Conversation("teams", "19:x")) is not None
    factory.dispose()


def test_0011_round_trip_keeps_the_conversations_of_incidents(database_url: str) -> None:
    migrate.upgrade(database_url, "0009")
    engine = make_engine(database_url)
    try:
        with engine.begin() as connection:
            connection.execute(text(
                "INSERT INTO incidents (number, key, title, description, source_url, severity, status, reporter, "
                "created_at, summary, missed_checkins, version) "
                "VALUES (1, 'CRI-1', 'Buzz', '', '', 2, 'active', 'alice', :at, '', 0, 1)"), {"at": T0})
            connection.execute(text(
                "INSERT INTO incident_conversations (incident_number, seq, platform, conversation_id) "
                "VALUES (1, 1, 'slack', 'C1')"))
        migrate.upgrade(database_url, "0011")
        factory = sql_uow_factory(database_url)
        try:
            with factory() as uow:
                incident = uow.incidents.by_conversation(Conversation("slack", "C1"))
                assert incident is not None and [(c.id, c.name, c.left) for c in incident.places] == [("C1", "", False)]
                uow.people.identify("slack", "U1", "a@acme.com", T0, True)
                uow.commit()
        finally:
            factory.dispose()
        migrate.downgrade(database_url, "0009")
        with engine.connect() as connection:
            assert connection.execute(text("SELECT conversation_id FROM incident_conversations")).scalars().all() == ["C1"]
            tables = inspect(connection).get_table_names()
        assert "person_accounts" not in tables and "email_lookups" not in tables
        migrate.upgrade(database_url, "0011")
    finally:
        engine.dispose()


def test_an_account_learned_in_a_transaction_thrown_away_is_written_by_the_next(database_url: str) -> None:
    factory = sql_uow_factory(database_url)
    with factory() as uow:
        assert uow.people.identify("slack", "U5", "eve@acme.com", T0, True) == "U5"
        assert [a.account for a in uow.people.accounts({"U5"})["U5"]] == ["U5"]
        # No commit: a lost race or a batch thrown away; the command runs again in a new unit of work.
    with factory() as uow:
        assert uow.people.accounts({"U5"}) == {}  # nothing stored: not remembered as stored either
        assert uow.people.identify("slack", "U5", "eve@acme.com", T0 + timedelta(seconds=1), True) == "U5"
        uow.commit()
    engine = make_engine(database_url)
    with engine.connect() as connection:
        rows = connection.execute(text("select person_id, email from person_accounts where account = 'U5'")).all()
    engine.dispose()
    assert [tuple(r) for r in rows] == [("U5", "eve@acme.com")]
    factory.dispose()


def test_a_refused_command_records_who_spoke_and_no_one_it_named(database_url: str) -> None:
    from bot import commands as c
    from bot.service import Dispatcher
    from tests.fakes import FakeClock

    factory = sql_uow_factory(database_url)
    dispatcher = Dispatcher(factory, SETTINGS, FakeClock())
    origin = c.Origin("U8", "slack", "C1", request_id="r1")
    outcome = dispatcher.dispatch(c.AssignRole("legal", "nia@acme.com", "CRI-42"), origin)
    assert outcome.refused
    engine = make_engine(database_url)
    with engine.connect() as connection:
        rows = connection.execute(text("select platform, account from person_accounts order by platform")).all()
    engine.dispose()
    assert [tuple(r) for r in rows] == [("slack", "U8")]
    factory.dispose()


def test_acting_again_writes_the_last_activity_and_leaves_what_another_process_changed(database_url: str) -> None:
    factory = sql_uow_factory(database_url)
    with factory() as uow:
        assert uow.people.identify("slack", "U9", "gil@acme.com", T0, True) == "U9"
        uow.commit()
    # Another process learns meanwhile that this account belongs to someone it knew first (same address).
    engine = make_engine(database_url)
    with engine.begin() as connection:
        connection.execute(text("update person_accounts set person_id = 'gil-first' where account = 'U9'"))
    # This process still knows the account from its own write, and records only that Gil acted again.
    with factory() as uow:
        uow.people.identify("slack", "U9", "gil@acme.com", T0 + timedelta(minutes=5), True)
        uow.commit()
    with engine.connect() as connection:
        row = connection.execute(text("select person_id, seen_at from person_accounts where account = 'U9'")).one()
    engine.dispose()
    factory.dispose()
    assert row.person_id == "gil-first"
    assert str(row.seen_at).startswith(str((T0 + timedelta(minutes=5)).replace(tzinfo=None)))
