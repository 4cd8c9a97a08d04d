"""On SQLite, this process's writers take turns in Python (`storage.turns`), never in SQLite's busy handler."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from sqlalchemy import event, text

from storage import SqlUnitOfWorkFactory, sql_uow_factory
from storage.turns import Turns
from tests.storage.test_inbox import LEASE, T0, request


@pytest.fixture
def factory(tmp_path: Path) -> SqlUnitOfWorkFactory:
    made = sql_uow_factory(f"sqlite:///{tmp_path}/turns.db")
    # No patience at all in SQLite: a writer that met the lock would fail at once ("database is locked").
    event.listen(made.engine, "connect", lambda dbapi, _: dbapi.execute("PRAGMA busy_timeout=0"))
    with made() as uow:  # the schema, before the connections that matter
        uow.commit()
    return made


def turn_taken(factory: SqlUnitOfWorkFactory) -> bool:
    lock = Turns(factory.engine).lock
    assert lock is not None
    return lock.locked()


def test_a_unit_of_work_takes_the_turn_at_its_first_write_and_gives_it_back_as_it_commits(
    factory: SqlUnitOfWorkFactory,
) -> None:
    with factory() as uow:
        uow.incidents.next_number()  # reading takes no turn
        assert not turn_taken(factory)
        uow.inbox.accept([request("r1", "note hello")], "me", T0 + LEASE)
        assert turn_taken(factory)
        uow.commit()
        assert not turn_taken(factory)


def test_a_unit_of_work_that_fails_after_writing_gives_the_turn_back(factory: SqlUnitOfWorkFactory) -> None:
    with pytest.raises(RuntimeError), factory() as uow:
        uow.inbox.accept([request("r1", "note hello")], "me", T0 + LEASE)
        raise RuntimeError("a bug after the write")
    assert not turn_taken(factory)
    with factory() as uow:  # and nothing of it was kept
        assert uow.connection.execute(text("SELECT count(*) FROM inbox")).scalar_one() == 0


def test_a_second_writer_waits_for_its_turn_and_then_writes(factory: SqlUnitOfWorkFactory) -> None:
    first_wrote, second_done = threading.Event(), threading.Event()
    failures: list[BaseException] = []

    def second() -> None:
        first_wrote.wait()
        try:
            with factory() as uow:
                uow.inbox.accept([request("r2", "note second")], "me", T0 + LEASE)
                uow.commit()
        except BaseException as error:
            failures.append(error)
        second_done.set()

    thread = threading.Thread(target=second)
    thread.start()
    with factory() as uow:
        uow.inbox.accept([request("r1", "note first")], "me", T0 + LEASE)
        first_wrote.set()
        assert not second_done.wait(0.2)  # waiting for the turn, not failing on SQLite's lock
        uow.commit()
    thread.join(5)
    assert failures == [] and second_done.is_set()
    with factory() as uow:
        ids = uow.connection.execute(text("SELECT request_id FROM inbox ORDER BY request_id")).scalars().all()
    assert ids == ["r1", "r2"]
