"""Approval reminders follow the crisis: none while an objection blocks a draft; a fresh deadline after a raise."""

from __future__ import annotations

from bot import events as ev
from bot.config import Settings
from tests.scheduler.crisis import Crisis

ROSTER = {"lead": ("lea",), "comms": ("bob", "bert"), "legal": ("carol", "cleo")}


def opened(severity: int) -> Crisis:
    crisis = Crisis(Settings(roster=ROSTER))
    crisis.say(f"open Wave of complaints --sev {severity}", person="rita")
    return crisis


def asked(crisis: Crisis) -> list[ev.ApprovalReminderSent]:
    return [e.event for e in crisis.incident().timeline if isinstance(e.event, ev.ApprovalReminderSent)]


def test_nobody_is_nagged_about_a_draft_blocked_by_an_objection() -> None:
    crisis = opened(2)  # comms and legal approve; deadline 30 min
    crisis.say("draft We are aware of the delays.", person="lea")
    crisis.clock.advance(minutes=5)
    crisis.say("object 1 Wait for the carrier's figures", person="carol")
    told = len(crisis.direct())  # the author and the lead heard of the objection
    for _ in range(4):
        crisis.wake(minutes=30)  # past the deadline and twice it: still nothing
    assert asked(crisis) == [] and len(crisis.direct()) == told
    crisis.say("withdraw 1", person="carol")
    crisis.wake(seconds=1)  # the deadline long passed: the next wake-up asks, and escalates, at once
    [fact] = asked(crisis)
    assert fact.escalated and set(fact.people) >= {"bob", "carol"}
    assert {p for p, text in crisis.direct()[told:] if "has waited" in text} >= {"bob", "carol"}


def test_an_overridden_objection_lets_the_reminders_resume() -> None:
    crisis = opened(2)
    crisis.say("draft We are aware of the delays.", person="lea")
    crisis.say("object 1 Too early", person="carol")
    crisis.wake(minutes=20)
    crisis.say("override 1 The press already has it", person="lea")
    crisis.wake(minutes=10)  # 30 minutes since the draft: the plain reminder
    [fact] = asked(crisis)
    assert not fact.escalated and fact.roles == ("comms", "legal")


def test_a_draft_sent_back_by_a_raise_gets_its_own_deadline_counted_from_the_raise() -> None:
    crisis = opened(3)  # comms alone approves; deadline 2 h
    crisis.say("draft We are aware of the delays.", person="lea")
    crisis.wake(hours=2)  # bob was reminded about version 1 already
    assert [f.roles for f in asked(crisis)] == [("comms",)]
    crisis.clock.advance(minutes=5)
    crisis.say("approve", person="bob")
    crisis.clock.advance(minutes=5)
    crisis.say("severity 2", person="lea")  # 2h10: pending again for legal; severity 2's deadline is 30 min
    crisis.wake(minutes=29)
    assert len(asked(crisis)) == 1  # not at once: the deadline counts from the raise
    crisis.wake(minutes=1)
    second = asked(crisis)[1]
    assert (second.roles, second.people, second.escalated) == (("legal",), ("carol",), False)
    [(person, text)] = [(p, t) for p, t in crisis.direct() if "legal" in t]
    assert person == "carol" and "has waited 30m for your approval (legal)" in text
    crisis.wake(minutes=30)  # twice the deadline since the raise: legal's backup is asked
    third = asked(crisis)[2]
    assert third.escalated and third.people == ("carol", "cleo")
    crisis.wake(minutes=60)
    assert len(asked(crisis)) == 3  # once each


def test_a_raise_on_a_draft_still_waiting_asks_the_new_roles_after_the_first_reminder() -> None:
    crisis = opened(3)
    crisis.say("draft We are aware of the delays.", person="lea")
    crisis.wake(hours=2)  # comms reminded
    crisis.say("severity 2", person="lea")
    crisis.wake(minutes=29)
    assert len(asked(crisis)) == 1
    crisis.wake(minutes=1)
    assert [(f.roles, f.escalated) for f in asked(crisis)] == [(("comms",), False), (("comms", "legal"), False)]
