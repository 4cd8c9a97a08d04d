"""The signal store on SQLite and PostgreSQL: round trips, deduplication, windows, and the watch on real storage."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import timedelta

import pytest

from bot.config import Settings
from bot.signals.intake import SignalIntake
from bot.signals.model import Alert, AlertStatus, Signal, Topic
from bot.signals.rules import WatchSettings, parse_topics
from storage import SqlUnitOfWorkFactory, migrate, sql_uow_factory
from tests.fakes import T0
from tests.harness import Harness
from tests.pg import postgres_url  # noqa: F401 - a fixture, offered to these tests


@pytest.fixture
def uow_factory(database_url: str) -> Iterator[SqlUnitOfWorkFactory]:
    factory = sql_uow_factory(database_url)
    yield factory
    factory.dispose()


def test_signals_round_trip_once_per_id(uow_factory: SqlUnitOfWorkFactory) -> None:
    first = Signal.of("Livraison <b>ratée</b> & perdue", T0, source="x", url="https://x.com/1", author="@bob",
                      reach=1200, language="fr", published_at=T0 - timedelta(minutes=3))
    other = Signal.of("rien à voir", T0 + timedelta(minutes=1), id="given-1")
    with uow_factory() as uow:
        assert uow.signals.add([first, other, first], [("delivery",), (), ("delivery",)]) == [True, True, False]
        uow.commit()
    with uow_factory() as uow:
        assert uow.signals.add([first], [("delivery",)]) == [False]
        assert list(uow.signals.matching("delivery", T0)) == [first]
        assert uow.signals.count("delivery", T0, T0 + timedelta(seconds=1)) == 1
        assert uow.signals.count("delivery", T0 + timedelta(seconds=1), T0 + timedelta(hours=1)) == 0
        assert uow.signals.peak_reach("delivery", T0) == 1200
        assert uow.signals.first_at("delivery", T0) == T0 - timedelta(minutes=3)
        uow.signals.attach([first.id, other.id], "CRI-4")
        uow.commit()
    with uow_factory() as uow:
        assert [s.id for s in uow.signals.of_incident("CRI-4")] == ["given-1", first.id]
        assert uow.signals.times_of_incident("CRI-4") == [T0, T0 + timedelta(minutes=1)]


def test_a_signal_with_nul_characters_is_stored_without_them(uow_factory: SqlUnitOfWorkFactory) -> None:
    # PostgreSQL refuses NUL in text: one pasted in a webhook's body used to fail the whole batch there.
    signal = Signal.of("Livraison\x00 ratée", T0, source="x", url="https://x.com/\x002", author="@b\x00ob")
    with uow_factory() as uow:
        assert uow.signals.add([signal], [("delivery",)]) == [True]
        uow.commit()
    with uow_factory() as uow:
        [stored] = uow.signals.matching("delivery", T0)
    assert (stored.text, stored.url, stored.author) == ("Livraison ratée", "https://x.com/2", "@bob")


def test_a_rolled_back_batch_leaves_nothing(uow_factory: SqlUnitOfWorkFactory) -> None:
    with uow_factory() as uow:
        uow.signals.add([Signal.of("livraison", T0)], [("delivery",)])
        uow.rollback()
    with uow_factory() as uow:
        assert uow.signals.count("delivery", T0, T0 + timedelta(hours=1)) == 0


def test_topics_and_alerts_round_trip(uow_factory: SqlUnitOfWorkFactory) -> None:
    alert = Alert(1, "delivery", T0, T0 - timedelta(minutes=4), 12, 800, 3, T0)
    with uow_factory() as uow:
        uow.signals.put_topic(Topic("app", ("crash", "bug"), ("crash test",)), False, "alice", T0)
        uow.signals.put_topic(Topic("delivery", ()), True, "alice", T0)
        uow.signals.add_alert(alert)
        uow.commit()
    with uow_factory() as uow:
        assert list(uow.signals.topics()) == [(Topic("app", ("crash", "bug"), ("crash test",)), False),
                                              (Topic("delivery", (), ()), True)]
        assert uow.signals.alert(1) == alert
        assert uow.signals.next_alert_number() == 2
        decided = Alert(1, "delivery", T0, alert.first_signal_at, 12, 800, 3, T0, AlertStatus.OPENED,
                        decided_by="bob", decided_at=T0, incident="CRI-2")
        uow.signals.save_alert(decided)
        uow.commit()
    with uow_factory() as uow:
        assert uow.signals.latest_alert("delivery") == decided
        assert uow.signals.incident_alert("CRI-2") == decided


def test_watch_on_real_storage_alerts_and_opens(uow_factory: SqlUnitOfWorkFactory) -> None:
    watch = WatchSettings(topics=parse_topics("delivery: livraison"), channel=("console", "watch"), threshold=3)
    h = Harness(settings=Settings(watch=watch), uow_factory=uow_factory)
    intake = SignalIntake(h.dispatcher, h.service.gateways)
    batch = [Signal.of(f"livraison {i}", h.clock.now()) for i in range(3)]
    assert asyncio.run(intake.ingest(batch)).accepted == 3
    assert [c.id for p in h.gateway.posts if p.reply for c in p.reply.cards] == ["alert:1:1"]
    assert h.say("alert 1 open", conversation="watch").incident == "CRI-1"
    assert type(h.incident().timeline[-1].event).__name__ == "DetectedFromSignals"
    with uow_factory() as uow:
        assert len(uow.signals.of_incident("CRI-1")) == 3


def test_0012_upgrades_and_downgrades(database_url: str) -> None:
    migrate.upgrade(database_url, "0012")
    migrate.downgrade(database_url, "0009")
    migrate.upgrade(database_url, "head")
