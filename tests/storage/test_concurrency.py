"""Two people at the same instant, or one request delivered twice: one consistent state, on both databases."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import Engine

from bot import events as ev
from bot.commands import Origin
from bot.config import Settings
from bot.drafts import DraftState
from bot.errors import ConcurrentChange
from bot.grammar import parse
from bot.handlers import Outcome
from bot.model import Conversation, Incident
from bot.service import Dispatcher
from storage import SqlUnitOfWork, SqlUnitOfWorkFactory
from tests.fakes import T0, FakeClock

SETTINGS = Settings()


class Rendezvous:
    """Makes units of work from several threads meet before their first commit, so all loaded the same version.

    Records who lost a race, to prove the race really happened rather than the threads taking turns.
    """

    def __init__(self, engine: Engine, parties: int = 2) -> None:
        self.engine = engine
        self.barrier = threading.Barrier(parties, timeout=20)
        self.met: set[int] = set()
        self.lost = 0
        self.lock = threading.Lock()

    def __call__(self) -> SqlUnitOfWork:
        return MeetingUnitOfWork(self)


class MeetingUnitOfWork(SqlUnitOfWork):
    def __init__(self, rendezvous: Rendezvous) -> None:
        super().__init__(rendezvous.engine)
        self.rendezvous = rendezvous

    def commit(self) -> None:
        me = threading.get_ident()
        if me not in self.rendezvous.met:
            self.rendezvous.met.add(me)
            self.rendezvous.barrier.wait()
        try:
            super().commit()
        except ConcurrentChange:
            with self.rendezvous.lock:
                self.rendezvous.lost += 1
            raise


def run_together(*calls: Callable[[], Outcome]) -> list[Outcome]:
    with ThreadPoolExecutor(len(calls)) as pool:
        futures = [pool.submit(call) for call in calls]
        return [f.result(timeout=60) for f in futures]


def draft_waiting(factory: SqlUnitOfWorkFactory) -> Dispatcher:
    dispatcher = Dispatcher(factory, SETTINGS, FakeClock())
    for person, text in (
        ("alice", "open Wave of complaints --sev 2"), ("alice", "assign legal @carol"), ("alice", "assign comms @bob"),
        ("alice", "draft We are aware and on it."),
    ):
        dispatcher.dispatch(parse(text), Origin(person, "slack", "war-room"))
    return dispatcher


def test_second_of_two_concurrent_approvals_gets_concurrent_change(uow_factory: SqlUnitOfWorkFactory) -> None:
    draft_waiting(uow_factory)
    first, second = uow_factory(), uow_factory()
    with first, second:
        mine, theirs = first.incidents.get_whole("CRI-1"), second.incidents.get_whole("CRI-1")
        assert mine is not None and theirs is not None
        version = mine.version
        mine.approve_draft(1, "carol", T0)
        theirs.approve_draft(1, "bob", T0)
        first.commit()
        with pytest.raises(ConcurrentChange):
            second.commit()
    with uow_factory() as uow:
        stored = uow.incidents.get_whole("CRI-1")
    assert stored is not None and stored.version == version + 1 == mine.version
    assert [(a.role, a.approver) for a in stored.drafts[0].approvals] == [("legal", "carol")]
    assert stored.drafts[0].state is DraftState.PENDING
    assert stored == mine


def test_two_holders_approving_at_once_both_count_thanks_to_the_retry(uow_factory: SqlUnitOfWorkFactory) -> None:
    draft_waiting(uow_factory)
    rendezvous = Rendezvous(uow_factory.engine)
    racing = Dispatcher(rendezvous, SETTINGS, FakeClock())
    run_together(
        lambda: racing.dispatch(parse("approve"), Origin("carol", "slack", "war-room")),
        lambda: racing.dispatch(parse("approve"), Origin("bob", "slack", "war-room")),
    )
    assert rendezvous.lost == 1
    with uow_factory() as uow:
        stored = uow.incidents.get_whole("CRI-1")
    assert stored is not None
    draft = stored.drafts[0]
    assert draft.state is DraftState.APPROVED
    assert sorted((a.role, a.approver) for a in draft.approvals) == [("comms", "bob"), ("legal", "carol")]
    assert [type(e.event) for e in stored.timeline[-3:]] == [ev.ApprovalGiven, ev.ApprovalGiven, ev.DraftApproved]


def test_a_request_delivered_twice_at_once_has_one_effect(uow_factory: SqlUnitOfWorkFactory) -> None:
    draft_waiting(uow_factory)
    rendezvous = Rendezvous(uow_factory.engine)
    racing = Dispatcher(rendezvous, SETTINGS, FakeClock())
    origin = Origin("alice", "slack", "war-room", request_id="evt-42")
    replies = run_together(*[lambda: racing.dispatch(parse("note Press desk called"), origin)] * 2)
    assert rendezvous.lost == 1
    with uow_factory() as uow:
        stored = uow.incidents.get_whole("CRI-1")
        assert uow.requests.reply_to("evt-42") is not None
    assert stored is not None
    assert [e.event for e in stored.timeline].count(ev.NoteAdded("Press desk called")) == 1
    assert [r.reply.text for r in replies] == ["CRI-1 · note: Press desk called"] * 2


def test_a_request_delivered_again_later_has_one_effect(uow_factory: SqlUnitOfWorkFactory) -> None:
    dispatcher = Dispatcher(uow_factory, SETTINGS, FakeClock())
    origin = Origin("alice", "slack", "general", request_id="evt-1")
    first = dispatcher.dispatch(parse("open Wave of complaints"), origin)
    again = dispatcher.dispatch(parse("open Wave of complaints"), origin)
    assert again.reply.text == first.reply.text
    with uow_factory() as uow:
        assert [i.key for i in uow.incidents.list()] == ["CRI-1"]


def test_two_incidents_opened_at_once_get_different_numbers(uow_factory: SqlUnitOfWorkFactory) -> None:
    rendezvous = Rendezvous(uow_factory.engine)
    racing = Dispatcher(rendezvous, SETTINGS, FakeClock())
    run_together(
        lambda: racing.dispatch(parse("open Outage in Paris"), Origin("alice", "slack", "paris")),
        lambda: racing.dispatch(parse("open Outage in Lyon"), Origin("bob", "slack", "lyon")),
    )
    assert rendezvous.lost == 1
    with uow_factory() as uow:
        titles = {i.key: i.title for i in uow.incidents.list()}
    assert sorted(titles) == ["CRI-1", "CRI-2"] and sorted(titles.values()) == ["Outage in Lyon", "Outage in Paris"]


def test_a_duplicate_incident_number_is_a_concurrent_change(uow_factory: SqlUnitOfWorkFactory) -> None:
    with uow_factory() as uow:
        uow.incidents.add(Incident.open(1, "First", 2, "alice", T0, SETTINGS, conversation=Conversation("slack", "a")))
        uow.commit()
    with uow_factory() as uow:
        uow.incidents.add(Incident.open(1, "Second", 2, "bob", T0, SETTINGS, conversation=Conversation("slack", "b")))
        with pytest.raises(ConcurrentChange):
            uow.commit()
    with uow_factory() as uow:
        stored = uow.incidents.get_whole("CRI-1")
    assert stored is not None and stored.title == "First"


def test_a_batch_saving_many_incidents_fails_whole_when_one_was_changed_meanwhile(
    uow_factory: SqlUnitOfWorkFactory,
) -> None:
    with uow_factory() as uow:
        for number in (1, 2, 3):
            uow.incidents.add(Incident.open(number, f"Crisis {number}", 2, "alice", T0, SETTINGS))
        uow.commit()
    with uow_factory() as batch:
        for incident in batch.incidents.get_many(["CRI-1", "CRI-2", "CRI-3"]):
            incident.add_note("batch", "crisisbot", T0)
        with uow_factory() as other:
            meanwhile = other.incidents.get("CRI-2")
            assert meanwhile is not None
            meanwhile.add_note("someone else", "bob", T0)
            other.commit()
        with pytest.raises(ConcurrentChange):
            batch.commit()
    with uow_factory() as uow:
        notes = {
            key: [e.event for e in whole.timeline if isinstance(e.event, ev.NoteAdded)]
            for key in ("CRI-1", "CRI-2", "CRI-3")
            if (whole := uow.incidents.get_whole(key)) is not None
        }
    assert notes == {"CRI-1": [], "CRI-2": [ev.NoteAdded("someone else")], "CRI-3": []}
