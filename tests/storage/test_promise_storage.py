"""The update promised to the public survives a reload without history, so check-ins stay planned before it."""

from __future__ import annotations

from datetime import timedelta

from bot import events as ev
from bot.config import Settings
from bot.model import Conversation, Incident
from storage import SqlUnitOfWorkFactory
from tests.fakes import T0

SETTINGS = Settings(timezone="Europe/Paris")


def test_a_promise_is_stored_and_read_back(uow_factory: SqlUnitOfWorkFactory) -> None:
    with uow_factory() as uow:
        uow.incidents.add(Incident.open(1, "Outage", 2, "alice", T0, SETTINGS, conversation=Conversation("slack", "C1")))
        uow.commit()
    with uow_factory() as uow:
        incident = uow.incidents.get("CRI-1")
        assert incident is not None
        incident.post_update("Prochain point à 11 h 30", "alice", T0, SETTINGS)
        incident.hear_public_word("Prochain point à 11 h 30", "alice", T0, SETTINGS)
        uow.commit()

    uow_factory.cache.clear()  # read back from the rows, not from this process's copy of the incident
    with uow_factory() as uow:
        loaded = uow.incidents.get("CRI-1")
        whole = uow.incidents.get_whole("CRI-1")
    assert loaded is not None and whole is not None
    assert loaded.promised_update_at == T0 + timedelta(minutes=30)  # 11:30 in Paris is 10:30 UTC
    assert loaded.next_update_due == T0 + timedelta(minutes=15)
    [made] = [e.event for e in whole.timeline if isinstance(e.event, ev.PromiseMade)]
    assert made == ev.PromiseMade("2026-11-23T11:30:00+01:00", "Prochain point à 11 h 30")
