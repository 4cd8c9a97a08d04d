"""The watcher's one query notices every saved change, on SQLite and on PostgreSQL."""

from __future__ import annotations

from adapters.runtime import build_runtime
from adapters.web.watch import fingerprint_reader
from tests.web.crisis import say


def test_every_save_of_an_incident_changes_the_fingerprint(database_url: str) -> None:
    env = {"DATABASE_URL": database_url, "CRISISBOT_SCHEDULER": "off"}
    runtime = build_runtime(env)
    other = build_runtime(env)  # another process's engine, as the console's
    try:
        say(runtime, "help")  # the schema exists from the first unit of work on
        read = fingerprint_reader(runtime.uow_factory)
        seen = [read()]
        for text in ("open Outage --sev 2", "draft We are on it.", "update Still on it", "note nothing public"):
            say(other, text)
            seen.append(read())
        assert len(set(seen)) == len(seen), seen
        say(other, "status")  # reading changes nothing
        assert read() == seen[-1]
    finally:
        for each in (runtime, other):
            each.uow_factory.dispose()  # type: ignore[attr-defined]

def test_storage_without_sql_is_watched_through_the_port() -> None:
    from tests.harness import Harness

    harness = Harness()
    read = fingerprint_reader(harness.dispatcher.uow_factory)
    before = read()
    harness.say("open Outage")
    assert read() != before
