"""`storage.changes`: what changed since a snapshot, including the shortcuts taken for what did not."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from bot.config import Settings
from bot.model import Incident
from storage.changes import changes, snapshot

T0 = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
SETTINGS = Settings()


def _with_draft() -> Incident:
    incident = Incident.open(7, "Late deliveries", 3, "alice", T0, SETTINGS)
    incident.create_draft("We are on it.", "alice", T0 + timedelta(minutes=1), SETTINGS)
    return incident


def test_an_untouched_draft_writes_nothing_and_keeps_its_snapshot() -> None:
    incident = _with_draft()
    before = snapshot(incident)
    incident.add_note("Press desk informed", "alice", T0 + timedelta(minutes=2))

    found = changes(incident, before)

    assert set(found.inserts) == {"timeline_entries"} and not found.updates
    assert found.after is not None and found.after.drafts == before.drafts
    assert found.after == snapshot(incident)


def test_a_draft_changed_after_an_untouched_command_is_written() -> None:
    incident = _with_draft()
    before = snapshot(incident)
    incident.add_note("Press desk informed", "alice", T0 + timedelta(minutes=2))
    after_note = changes(incident, before).after
    assert after_note is not None
    incident.revise_draft(1, "We are on it, deliveries resume tomorrow.", "alice", T0 + timedelta(minutes=3))

    found = changes(incident, after_note)

    assert [row["version"] for row in found.inserts["draft_versions"]] == [2]
    assert found.after == snapshot(incident)


def test_only_the_timeline_entries_since_the_snapshot_are_inserted() -> None:
    incident = _with_draft()
    before = snapshot(incident)
    for minute in (2, 3):
        incident.add_note(f"note {minute}", "alice", T0 + timedelta(minutes=minute))

    rows = changes(incident, before).inserts["timeline_entries"]

    assert [row["seq"] for row in rows] == [before.timeline + 1, before.timeline + 2]


def test_timeline_seqs_count_the_entries_not_loaded() -> None:
    # An incident loaded without its history: `timeline` holds only what was recorded since, after `earlier_events`.
    incident = replace(_with_draft(), timeline=[], earlier_events=5)
    before = snapshot(incident)
    incident.add_note("after loading", "alice", T0 + timedelta(minutes=2))

    rows = changes(incident, before).inserts["timeline_entries"]

    assert [row["seq"] for row in rows] == [6]
