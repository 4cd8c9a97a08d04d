"""An incident comes back from storage exactly as it was saved: every field, every child, UTC datetimes."""

from __future__ import annotations

from dataclasses import fields, is_dataclass
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from bot import events as ev
from bot.config import Settings
from bot.drafts import DraftState
from bot.model import Conversation, Incident, Status
from storage import SqlUnitOfWorkFactory
from tests.fakes import T0

PARIS = timezone(timedelta(hours=1))
SETTINGS = Settings(roster={"lead": ("alice",), "legal": ("carol",), "comms": ("bob",)})


def full_incident() -> Incident:
    """One incident that exercises every column and child table, written with the core's own rules."""
    at = T0.astimezone(PARIS)  # an offset other than UTC on the way in
    incident = Incident.open(
        1, "Bad buzz after the price change", 2, "alice", at, SETTINGS, description="Hundreds of posts\nsince 9:00",
        source_url="https://example.com/thread/1", conversation=Conversation("slack", "C123"),
    )
    incident.link(Conversation("teams", "19:abc@thread.tacv2"), "alice", at)
    incident.assign("support", "dan", "alice", at + timedelta(minutes=1), SETTINGS)
    incident.assign("support", "erin", "alice", at + timedelta(minutes=2), SETTINGS)
    incident.create_draft("We hear you.", "alice", at + timedelta(minutes=3), SETTINGS)
    incident.reject_draft(1, "Too short", "carol", at + timedelta(minutes=4), final=False)
    incident.revise_draft(1, "We hear you and are reviewing the prices.", "alice", at + timedelta(minutes=5))
    incident.record_approval_reminder(incident.drafts[0], ("legal",), ("carol",), False, at + timedelta(minutes=6))
    incident.record_approval_reminder(incident.drafts[0], ("legal",), ("carol",), True, at + timedelta(minutes=7))
    incident.approve_draft(1, "bob", at + timedelta(minutes=8, microseconds=123456))
    incident.approve_draft(1, "carol", at + timedelta(minutes=9))
    incident.object_to_draft(1, "Check the refund wording", "erin", at + timedelta(minutes=9, seconds=20))
    incident.withdraw_objection(1, "erin", at + timedelta(minutes=9, seconds=40))
    incident.publish_draft(1, "X", "bob", at + timedelta(minutes=10), SETTINGS)
    incident.publish_draft(1, "Instagram", "alice", at + timedelta(minutes=10, seconds=30), SETTINGS)
    incident.create_draft("Second statement", "bob", at + timedelta(minutes=11), SETTINGS)
    incident.reject_draft(2, "Not now", "carol", at + timedelta(minutes=12), final=True)
    incident.create_draft("Third statement", "bob", at + timedelta(minutes=13), SETTINGS)
    incident.object_to_draft(3, "Admits liability", "carol", at + timedelta(minutes=14))
    incident.override_objection(3, "Reviewed with counsel by phone", "alice", at + timedelta(minutes=15))
    incident.discard_draft(3, "bob", at + timedelta(minutes=16))
    incident.record_checkin_reminder(at + timedelta(minutes=40), SETTINGS)
    incident.post_update("Prices rolled back", "alice", at + timedelta(minutes=45), SETTINGS)
    incident.snooze(15, "alice", at + timedelta(minutes=46))
    incident.change_severity(3, "alice", at + timedelta(minutes=47), SETTINGS)
    incident.add_note("Press desk informed", "alice", at + timedelta(minutes=48))
    incident.set_status(Status.MONITORING, "alice", at + timedelta(minutes=49), SETTINGS)
    incident.release("support", "erin", at + timedelta(minutes=50), SETTINGS)
    incident.set_status(Status.RESOLVED, "alice", at + timedelta(minutes=60), SETTINGS, summary="Prices restored")
    return incident


def datetimes(value: Any) -> list[datetime]:
    """Every datetime reachable from a domain object."""
    if isinstance(value, datetime):
        return [value]
    if isinstance(value, list | tuple):
        return [d for item in value for d in datetimes(item)]
    if is_dataclass(value):
        return [d for f in fields(value) for d in datetimes(getattr(value, f.name))]
    return []


def test_a_full_incident_round_trips(uow_factory: SqlUnitOfWorkFactory) -> None:
    incident = full_incident()
    with uow_factory() as uow:
        uow.incidents.add(incident)
        uow.commit()
    assert incident.version == 1

    with uow_factory() as uow:
        loaded = uow.incidents.get_whole("CRI-1")

    assert loaded == incident
    assert loaded is not None and loaded.key == "CRI-1" and loaded.status is Status.RESOLVED
    assert [d.state for d in loaded.drafts] == [DraftState.PUBLISHED, DraftState.REJECTED, DraftState.DISCARDED]
    assert [(p.channel, p.person, p.severity) for p in loaded.drafts[0].publications] == [
        ("X", "bob", 2), ("Instagram", "alice", 2),
    ]
    assert loaded.drafts[0].published_under_severity == 2
    objection = loaded.drafts[2].objections[0]
    assert (objection.objector, objection.closed_by, objection.override_reason) == (
        "carol", "alice", "Reviewed with counsel by phone",
    )
    assert loaded.holder("support") is None
    assert [a.holder for a in loaded.assignments if a.role == "support"] == ["dan", "erin"]
    assert len(datetimes(loaded)) > 40
    assert all(d.tzinfo is UTC for d in datetimes(loaded))


def test_event_data_keeps_its_tuples(uow_factory: SqlUnitOfWorkFactory) -> None:
    with uow_factory() as uow:
        uow.incidents.add(full_incident())
        uow.commit()
    with uow_factory() as uow:
        loaded = uow.incidents.get_whole("CRI-1")
    assert loaded is not None
    reminders = [e.event for e in loaded.timeline if isinstance(e.event, ev.ApprovalReminderSent)]
    assert reminders[0] == ev.ApprovalReminderSent(1, 2, ("legal",), ("carol",), False)
    approvals = [e.event for e in loaded.timeline if isinstance(e.event, ev.ApprovalGiven)]
    assert [a.roles for a in approvals] == [("comms",), ("legal",)]
    assert [e.event for e in loaded.timeline if isinstance(e.event, ev.RoleAssigned)][-1].previous == "dan"


def test_changes_after_loading_are_saved_and_versioned(uow_factory: SqlUnitOfWorkFactory) -> None:
    at = T0 + timedelta(hours=1)
    with uow_factory() as uow:
        uow.incidents.add(Incident.open(1, "Outage", 2, "alice", T0, SETTINGS, conversation=Conversation("slack", "C1")))
        uow.commit()
    with uow_factory() as uow:
        incident = uow.incidents.get_whole("CRI-1")
        assert incident is not None
        incident.assign("comms", "zoe", "alice", at, SETTINGS)  # ends bob's assignment: a rewritten child row
        incident.create_draft("We are on it.", "alice", at, SETTINGS)
        incident.approve_draft(1, "zoe", at)
        incident.post_update("Still on it", "alice", at, SETTINGS)
        uow.commit()
        assert incident.version == 2
        incident.revise_draft(1, "We are on it, really.", "alice", at + timedelta(minutes=1))
        uow.commit()  # a second commit in the same unit of work writes only what changed since the first
        assert incident.version == 3

    with uow_factory() as uow:
        loaded = uow.incidents.get_whole("CRI-1")
    assert loaded == incident
    assert [(a.holder, a.ended_at) for a in loaded.assignments if a.role == "comms"] == [("bob", at), ("zoe", None)]


def test_reading_without_changing_writes_nothing(uow_factory: SqlUnitOfWorkFactory) -> None:
    with uow_factory() as uow:
        uow.incidents.add(full_incident())
        uow.commit()
    with uow_factory() as uow:
        assert uow.incidents.get("CRI-1") is not None
        uow.commit()
    with uow_factory() as uow:
        loaded = uow.incidents.get_whole("CRI-1")
    assert loaded is not None and loaded.version == 1


def test_a_unit_of_work_hands_out_one_object_per_incident(uow_factory: SqlUnitOfWorkFactory) -> None:
    with uow_factory() as uow:
        uow.incidents.add(Incident.open(1, "Outage", 2, "alice", T0, SETTINGS, conversation=Conversation("slack", "C1")))
        uow.commit()
    with uow_factory() as uow:
        assert uow.incidents.get("CRI-1") is uow.incidents.by_conversation(Conversation("slack", "C1"))


def test_uncommitted_changes_are_dropped(uow_factory: SqlUnitOfWorkFactory) -> None:
    with uow_factory() as uow:
        uow.incidents.add(Incident.open(1, "Outage", 2, "alice", T0, SETTINGS))
        uow.requests.remember("r1", "done")
        uow.cards.put("slack", "C1", "incident:CRI-1", "m1")
    with uow_factory() as uow:
        assert uow.incidents.get("CRI-1") is None
        assert uow.requests.reply_to("r1") is None
        assert uow.cards.get("slack", "C1", "incident:CRI-1") is None


def test_commands_load_without_history_and_append_after_it(uow_factory: SqlUnitOfWorkFactory) -> None:
    with uow_factory() as uow:
        uow.incidents.add(full_incident())
        uow.commit()
    with uow_factory() as uow:
        whole = uow.incidents.get_whole("CRI-1")
    assert whole is not None
    recorded = len(whole.timeline)
    uow_factory.cache.clear()  # the first light load reads the rows; the second gets this process's copy
    with uow_factory() as uow:
        light = uow.incidents.get("CRI-1")
        assert light is not None and light.timeline == [] and light.earlier_events == recorded
        light.add_note("Journalist called back", "bob", T0 + timedelta(days=1))
        uow.commit()
    with uow_factory() as uow:
        light = uow.incidents.get("CRI-1")
        assert light is not None
        light.add_note("Second call", "bob", T0 + timedelta(days=2))
        # Asking for the whole incident in the same unit of work completes the object already loaded.
        again = uow.incidents.get_whole("CRI-1")
        assert again is light and light.earlier_events == 0
        uow.commit()
    with uow_factory() as uow:
        after = uow.incidents.get_whole("CRI-1")
    assert after is not None
    assert after.timeline[:recorded] == whole.timeline
    notes = [ev.NoteAdded("Journalist called back"), ev.NoteAdded("Second call")]
    assert [e.event for e in after.timeline[recorded:]] == notes
