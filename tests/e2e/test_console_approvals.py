"""The approval rules through the console door, in process: one line per message, assertions on what is printed."""

from __future__ import annotations

import asyncio

import pytest

from adapters.console.session import ConsoleSession
from adapters.runtime import build_runtime
from tests.fakes import FakeClock, FakeUnitOfWork, Store


class Console:
    """A console session whose output is kept, so a test reads as the transcript of a crisis."""

    def __init__(self) -> None:
        store = Store()
        self.clock = FakeClock()
        env = {"CRISISBOT_LANGUAGE": "en", "CRISISBOT_SCHEDULER": "off"}
        runtime = build_runtime(env, uow_factory=lambda: FakeUnitOfWork(store), clock=self.clock)
        self.out: list[str] = []
        self.session = ConsoleSession(runtime, self.out.append)

    def run(self, *lines: str) -> str:
        """Runs the lines; returns what they printed."""
        start = len(self.out)
        for line in lines:
            self.clock.advance(minutes=1)
            asyncio.run(self.session.handle(line))
        return "\n".join(self.out[start:])


@pytest.fixture
def console() -> Console:
    c = Console()
    c.run("/as rita", "open Complaints about the new app --sev 3", "assign lead @alice", "assign legal @carol",
          "assign comms @bob", "assign support @sam", "/as sam", "draft We hear you and are on it.")
    return c


def test_escalation_sends_an_approved_draft_back_to_legal(console: Console) -> None:
    console.run("/as bob", "approve")
    out = console.run("/as alice", "severity 2")
    assert "CRI-1 · draft #1 now also needs legal: severity raised to 2" in out
    assert "│ State: pending" in out and "│ Approval: legal: waiting" in out and "│ Approval: comms: approved by @bob" in out
    assert "(only you) Only an approved draft can be published; #1 is pending." in console.run("/as bob", "publish 1 X")
    assert "published on X" in console.run("/as carol", "approve", "/as bob", "publish 1 X")


def test_an_objection_is_shown_sent_and_blocks_until_the_lead_overrides(console: Console) -> None:
    out = console.run("/as carol", "objection 1 Admits liability")
    assert "CRI-1 · objection to draft #1 v1: Admits liability" in out
    assert "[direct message to @sam]" in out and "[direct message to @alice]" in out
    assert "│ Objection: @carol: Admits liability" in out
    assert "(only you) Draft #1 has an open objection by @carol: Admits liability." in console.run("/as bob", "approve")
    assert "(only you) Only the lead (@alice) can override an objection." in console.run("/as bob", "override 1 Go")
    out = console.run("/as alice", "passer-outre 1 Counsel agreed by phone")
    assert "objection to draft #1 by @carol overridden by the lead: Counsel agreed by phone" in out
    assert "[direct message to @carol]" in out
    assert "fully approved" in console.run("/as bob", "approve")


def test_the_objector_withdraws_and_the_author_discards(console: Console) -> None:
    console.run("/as carol", "object 1 Too early")
    assert "(only you) You have no open objection to draft #1." in console.run("/as bob", "withdraw 1")
    assert "objection to draft #1 withdrawn" in console.run("/as carol", "retirer")
    assert "(only you) Only an author of draft #1 can discard it." in console.run("/as bob", "discard 1")
    out = console.run("/as sam", "discard 1")
    assert "draft #1 discarded by its author" in out and "│ State: discarded" in out


def test_publication_on_several_channels_and_the_reporter_may_record_one(console: Console) -> None:
    console.run("/as bob", "approve")
    assert "(only you) Where was it published?" in console.run("publish 1")
    console.run("publish 1 X")
    out = console.run("/as rita", "publish 1 press release")
    assert "CRI-1 · draft #1 v1 published on press release" in out
    assert "│ Published: X · @bob · 2026-11-23 10:12 UTC\n  │   press release · @rita · 2026-11-23 10:14 UTC" in out
    assert "(only you) Only the reporter or someone holding a role" in console.run("/as mallory", "publish 1 website")


def test_the_publish_button_asks_where(console: Console) -> None:
    out = console.run("/as bob", "approve")
    number = next(part for part in out.split("[")[1:] if "Mark published" in part).split("]")[0]
    assert "Where is it published?" in console.run(f"/click {number}")
    assert "published on website" in console.run(f"/click {number} website")


def test_a_published_draft_stays_published_but_goes_out_again_only_under_the_rules_in_force(console: Console) -> None:
    console.run("/as bob", "approve", "publish 1 X")
    out = console.run("/as alice", "severity 2")
    # Told, because publishing again needs legal now; the card refreshed in place offers no publication.
    assert "CRI-1 · draft #1 now also needs legal: severity raised to 2" in out
    assert "Mark published" not in out and "│ Publication: severity 2 requires approvals this version lacks" in out
    out = console.run("/as bob", "publish 1 website")
    assert "(only you) Draft #1 lacks the approval of legal, which severity 2 requires; start a new draft." in out
