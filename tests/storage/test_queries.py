"""The repository's questions (by conversation, numbering, listing, due check-ins, open drafts), requests and cards."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta, timezone

from bot.config import Settings
from bot.model import Conversation, Incident, Status
from storage import SqlUnitOfWorkFactory
from tests.fakes import T0

SETTINGS = Settings()


def store(factory: SqlUnitOfWorkFactory, *incidents: Incident) -> None:
    with factory() as uow:
        for incident in incidents:
            uow.incidents.add(incident)
        uow.commit()


def opened(number: int, conversation: str = "general", due_in: timedelta | None = None) -> Incident:
    place = Conversation("slack", conversation)
    incident = Incident.open(number, f"Incident {number}", 2, "alice", T0, SETTINGS, conversation=place)
    if due_in is not None:
        incident.next_update_due = T0 + due_in
    return incident


def test_due_for_checkin_lists_unresolved_incidents_whose_update_is_due(uow_factory: SqlUnitOfWorkFactory) -> None:
    resolved = opened(4, due_in=timedelta(minutes=-10))
    resolved.set_status(Status.RESOLVED, "alice", T0, SETTINGS)
    resolved.next_update_due = T0 - timedelta(minutes=10)  # a stale deadline must not wake a resolved incident
    monitoring = opened(5, due_in=timedelta(minutes=-1))
    monitoring.set_status(Status.MONITORING, "alice", T0 - timedelta(hours=5), SETTINGS)
    monitoring.next_update_due = T0 - timedelta(minutes=1)
    store(
        uow_factory,
        opened(1, due_in=timedelta(minutes=-5)),
        opened(2, due_in=timedelta(0)),
        opened(3, due_in=timedelta(seconds=1)),
        resolved,
        monitoring,
    )
    with uow_factory() as uow:
        assert uow.incidents.due_for_checkin(T0) == ["CRI-1", "CRI-5", "CRI-2"]  # most overdue first
        # Any offset on the way in means the same instant.
        new_york = T0.astimezone(timezone(timedelta(hours=-5)))
        assert uow.incidents.due_for_checkin(new_york) == ["CRI-1", "CRI-5", "CRI-2"]
        assert uow.incidents.due_for_checkin(T0 - timedelta(hours=1)) == []


def test_with_open_drafts_names_unresolved_incidents_waiting_for_review(uow_factory: SqlUnitOfWorkFactory) -> None:
    waiting, approved, resolved, changes = opened(1), opened(2), opened(3), opened(4)
    waiting.create_draft("text", "alice", T0, SETTINGS)
    for incident in (approved, resolved, changes):
        incident.assign("comms", "bob", "alice", T0, SETTINGS)
        incident.create_draft("text", "alice", T0, SETTINGS)
    approved.assign("legal", "carol", "alice", T0, SETTINGS)
    approved.approve_draft(1, "bob", T0)
    approved.approve_draft(1, "carol", T0)
    resolved.set_status(Status.RESOLVED, "alice", T0, SETTINGS)
    changes.reject_draft(1, "shorter", "bob", T0, final=False)
    store(uow_factory, waiting, approved, resolved, changes, opened(5))
    with uow_factory() as uow:
        assert uow.incidents.with_open_drafts() == ["CRI-1", "CRI-4"]


def test_by_conversation_finds_the_latest_incident_there(uow_factory: SqlUnitOfWorkFactory) -> None:
    store(uow_factory, opened(1, "war-room"), opened(2, "war-room"), opened(3, "elsewhere"))
    with uow_factory() as uow:
        found = uow.incidents.by_conversation(Conversation("slack", "war-room"))
        assert found is not None and found.key == "CRI-2"
        assert uow.incidents.by_conversation(Conversation("teams", "war-room")) is None


def test_next_number_counts_stored_and_added_incidents(uow_factory: SqlUnitOfWorkFactory) -> None:
    with uow_factory() as uow:
        assert uow.incidents.next_number() == 1
        uow.incidents.add(opened(1))
        assert uow.incidents.next_number() == 2
        uow.commit()
    with uow_factory() as uow:
        assert uow.incidents.next_number() == 2
        assert uow.incidents.get("CRI-9") is None


def test_list_hides_resolved_unless_asked(uow_factory: SqlUnitOfWorkFactory) -> None:
    resolved = opened(2)
    resolved.create_draft("text", "alice", T0, SETTINGS)
    resolved.set_status(Status.RESOLVED, "alice", T0, SETTINGS)
    store(uow_factory, opened(1), resolved, opened(3))
    with uow_factory() as uow:
        assert [i.key for i in uow.incidents.list()] == ["CRI-1", "CRI-3"]
        everything = uow.incidents.list(include_resolved=True)
    assert [i.key for i in everything] == ["CRI-1", "CRI-2", "CRI-3"]
    # With its draft and resolution, as stored; a listing leaves the history out, counting it.
    assert everything[1] == replace(resolved, timeline=[], earlier_events=len(resolved.timeline))


def test_request_log_remembers_replies_once_committed(uow_factory: SqlUnitOfWorkFactory) -> None:
    with uow_factory() as uow:
        uow.requests.remember("evt-1", "CRI-1 opened")
        assert uow.requests.reply_to("evt-1") == "CRI-1 opened"
        uow.commit()
    with uow_factory() as uow:
        assert uow.requests.reply_to("evt-1") == "CRI-1 opened"
        assert uow.requests.reply_to("evt-2") is None


def test_card_refs_keep_the_latest_message(uow_factory: SqlUnitOfWorkFactory) -> None:
    with uow_factory() as uow:
        uow.cards.put("slack", "C1", "incident:CRI-1", "1700000000.0001")
        uow.commit()
    with uow_factory() as uow:
        uow.cards.put("slack", "C1", "incident:CRI-1", "1700000000.0002")
        uow.cards.put("teams", "C1", "incident:CRI-1", "act-9")
        uow.commit()
    with uow_factory() as uow:
        assert uow.cards.get("slack", "C1", "incident:CRI-1") == "1700000000.0002"
        assert uow.cards.get("teams", "C1", "incident:CRI-1") == "act-9"
        assert uow.cards.get("slack", "C2", "incident:CRI-1") is None


def test_get_many_loads_a_batch_like_get_and_saves_what_changed(uow_factory: SqlUnitOfWorkFactory) -> None:
    first = opened(1)
    first.create_draft("We are on it.", "alice", T0, SETTINGS)
    store(uow_factory, first, opened(2), opened(3))
    with uow_factory() as uow:
        one_by_one = [uow.incidents.get(key) for key in ("CRI-1", "CRI-3")]
    with uow_factory() as uow:
        batch = uow.incidents.get_many(["CRI-3", "CRI-1", "CRI-404"])
        assert batch == one_by_one  # same aggregates, drafts included; unknown keys left out
        assert uow.incidents.get("CRI-3") is batch[1]  # tracked: one object per incident in a unit of work
        batch[0].add_note("batch note", "bob", T0)
        uow.commit()
    with uow_factory() as uow:
        stored = uow.incidents.get_whole("CRI-1")
        assert stored is not None and stored.timeline[-1].actor == "bob"


def test_people_keep_their_latest_display_name(uow_factory: SqlUnitOfWorkFactory) -> None:
    with uow_factory() as uow:
        uow.people.remember({"U1": "Carol", "U2": "Bob", "alice": "alice"})
        assert uow.people.names({"U1", "U3"}) == {"U1": "Carol"}  # seen before the commit too
        uow.commit()
    with uow_factory() as uow:
        uow.people.remember({"U1": "Carol Legal"})
        uow.commit()
    with uow_factory() as uow:
        assert uow.people.names({"U1", "U2", "alice", "U3"}) == {"U1": "Carol Legal", "U2": "Bob"}
