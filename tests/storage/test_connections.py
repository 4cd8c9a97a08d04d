"""The SQLite connection each thread keeps between its units of work (`storage.connections`)."""

from __future__ import annotations

import threading
from pathlib import Path

from sqlalchemy import text

from storage import sql_uow_factory


def test_a_thread_runs_its_units_of_work_on_the_connection_it_kept(tmp_path: Path) -> None:
    factory = sql_uow_factory(f"sqlite:///{tmp_path}/kept.db")
    try:
        with factory() as uow:
            first = uow.connection
        with factory() as uow:
            assert uow.connection is first
            assert not uow.connection.in_transaction()
    finally:
        factory.dispose()
    assert first.closed


def test_a_unit_of_work_inside_another_has_its_own_connection_and_transaction(tmp_path: Path) -> None:
    factory = sql_uow_factory(f"sqlite:///{tmp_path}/nested.db")
    try:
        with factory() as outer:
            outer.connection.execute(text("CREATE TABLE marks (n INTEGER)"))
            outer.connection.execute(text("INSERT INTO marks VALUES (1)"))
            with factory() as inner:
                assert inner.connection is not outer.connection
                # The outer transaction is not committed: the inner one does not see (or end) it.
                assert inner.connection.execute(text("SELECT count(*) FROM marks")).scalar_one() == 0
            outer.connection.commit()
        with factory() as again:
            assert again.connection.execute(text("SELECT count(*) FROM marks")).scalar_one() == 1
    finally:
        factory.dispose()


def test_a_rolled_back_unit_of_work_leaves_nothing_pending_on_the_kept_connection(tmp_path: Path) -> None:
    factory = sql_uow_factory(f"sqlite:///{tmp_path}/rolled.db")
    try:
        with factory() as uow:
            uow.connection.execute(text("CREATE TABLE marks (n INTEGER)"))
            uow.commit()
        with factory() as uow:
            uow.connection.execute(text("INSERT INTO marks VALUES (1)"))  # never committed
        with factory() as uow:
            assert uow.connection.execute(text("SELECT count(*) FROM marks")).scalar_one() == 0
    finally:
        factory.dispose()


def test_threads_keep_their_own_connections_and_ended_threads_give_theirs_up(tmp_path: Path) -> None:
    factory = sql_uow_factory(f"sqlite:///{tmp_path}/threads.db")
    used: list[object] = []

    def work() -> None:
        with factory() as uow:
            used.append(uow.connection)

    try:
        with factory() as uow:
            mine = uow.connection
        for _ in range(8):  # one after the other: each thread has ended before the next starts
            thread = threading.Thread(target=work)
            thread.start()
            thread.join()
        assert all(connection is not mine for connection in used)
        assert len(factory.connections.kept) <= 2  # this thread's, and at most the last thread's
        with factory() as uow:
            assert uow.connection is mine
    finally:
        factory.dispose()
    assert not factory.connections.kept
