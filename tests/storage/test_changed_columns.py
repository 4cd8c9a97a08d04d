"""An incident's row is saved with the columns that changed only: the version check makes the rest equal already."""

from __future__ import annotations

from datetime import timedelta

from bot import commands as c
from bot.config import Settings
from bot.service import Dispatcher
from storage import SqlUnitOfWorkFactory
from storage.statements import counting
from tests.fakes import FakeClock

SETTINGS = Settings(card_refresh=timedelta(0))


def origin(request_id: str) -> c.Origin:
    return c.Origin("alice", "console", "general", request_id=request_id)


def incident_updates(texts: list[str]) -> list[str]:
    return [text for text in texts if text.lstrip().upper().startswith("UPDATE INCIDENTS")]


def test_a_severity_change_writes_the_severity_and_not_the_unchanged_key_title_or_status(
    uow_factory: SqlUnitOfWorkFactory,
) -> None:
    dispatcher = Dispatcher(uow_factory, SETTINGS, FakeClock())
    dispatcher.dispatch(c.OpenIncident("Late deliveries", 2), origin("open"))
    with counting(uow_factory.engine) as counted:
        outcome = dispatcher.dispatch(c.ChangeSeverity(3), origin("sev"))
    assert not outcome.refused
    [update] = incident_updates(counted.texts)
    written = update.split(" WHERE ")[0]
    assert "severity" in written and "version" in written
    assert "title" not in written and "key" not in written and "status" not in written
    with uow_factory() as uow:
        stored = uow.incidents.get("CRI-1")
    assert stored is not None and stored.severity == 3 and stored.title == "Late deliveries" and stored.version == 2
