"""A lost race met while a command runs (a signal or alert another process inserted first) is retried, as one met at
commit is: not answered as a refusal, which would be remembered for the request and leave the command undone."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select

from bot import commands as c
from bot.config import Settings
from bot.errors import ConcurrentChange
from bot.service import Dispatcher
from storage import SqlUnitOfWorkFactory
from storage import tables as t
from storage.signals import SqlSignals
from tests.fakes import FakeClock


def test_a_collision_while_recording_a_signal_is_retried(
    uow_factory: SqlUnitOfWorkFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    original = SqlSignals.add
    collisions = [ConcurrentChange()]

    def colliding_once(self: SqlSignals, *args: Any) -> list[bool]:
        fresh = original(self, *args)
        if collisions:
            raise collisions.pop()  # what the store raises when a concurrent insert took the same key
        return fresh

    monkeypatch.setattr(SqlSignals, "add", colliding_once)
    dispatcher = Dispatcher(uow_factory, Settings(), FakeClock())
    origin = c.Origin("alice", "console", "general", request_id="r1")

    outcome = dispatcher.dispatch(c.ReportSignal("Trucks stuck at the border"), origin)

    assert not outcome.refused and outcome.reply.text != ConcurrentChange.message
    with uow_factory.engine.connect() as connection:
        assert connection.execute(select(func.count()).select_from(t.signals)).scalar_one() == 1
        assert connection.execute(select(t.requests.c.reply)).scalar_one() == outcome.reply.text
