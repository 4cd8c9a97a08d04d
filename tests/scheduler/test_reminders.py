from datetime import UTC, datetime, time, timedelta

import pytest

from bot import events as ev
from bot.config import Settings
from bot.reminders import Courier
from bot.replies import Reply
from tests.fakes import FakeGateway
from tests.scheduler.crisis import Crisis

ROSTER = {"lead": ("lea",), "comms": ("bob", "bert"), "legal": ("carol", "cleo")}
TEAM = Settings(roster=ROSTER, escalation_contacts=("ceo",))


def opened(severity: int, settings: Settings = TEAM, at: datetime | None = None) -> Crisis:
    crisis = Crisis(settings, at)
    crisis.say(f"open Wave of complaints --sev {severity}", person="rita")
    return crisis


def reminder_count(crisis: Crisis) -> int:
    return sum(isinstance(e.event, ev.CheckInReminderSent) for e in crisis.incident().timeline)


@pytest.mark.parametrize(("severity", "minutes"), [(1, 30), (2, 60), (3, 240), (4, 1440)])
def test_checkin_comes_due_after_the_cadence_of_its_severity(severity: int, minutes: int) -> None:
    crisis = opened(severity)
    crisis.wake(minutes=minutes, seconds=-1)
    assert crisis.reminders_posted() == []
    crisis.wake(seconds=1)
    [reminder] = crisis.reminders_posted()
    assert "CRI-1" in reminder.text and "<@lea>" in reminder.text
    assert ("<@bob>" in reminder.text) == (severity <= 2)  # comms is asked too at severity 1-2
    labels = [b.label for b in reminder.cards[0].buttons]
    assert labels == ["Post update", "Snooze 15 min", "Snooze 30 min", "Snooze 60 min"]


def test_reminder_says_how_long_since_the_last_update() -> None:
    crisis = opened(2)
    crisis.clock.advance(minutes=20)
    crisis.say("update Carrier confirmed the delay", person="lea")
    crisis.wake(minutes=60)
    [reminder] = crisis.reminders_posted()
    assert "the last one was 1h00 ago" in reminder.text


def test_an_update_replans_the_next_checkin() -> None:
    crisis = opened(2)
    crisis.clock.advance(minutes=50)
    crisis.say("update Carrier confirmed the delay", person="lea")
    crisis.wake(minutes=10)
    assert crisis.reminders_posted() == []
    crisis.wake(minutes=50)
    assert len(crisis.reminders_posted()) == 1


def test_raising_severity_brings_the_checkin_closer() -> None:
    crisis = opened(4)
    crisis.clock.advance(minutes=10)
    crisis.say("severity 1", person="lea")
    crisis.wake(minutes=20)
    assert len(crisis.reminders_posted()) == 1


def test_monitoring_slows_the_cadence() -> None:
    crisis = opened(1)
    crisis.clock.advance(minutes=10)
    crisis.say("monitor", person="lea")
    crisis.wake(minutes=50)
    assert crisis.reminders_posted() == []
    crisis.wake(hours=3)
    assert len(crisis.reminders_posted()) == 1


def test_resolving_stops_every_reminder() -> None:
    crisis = opened(1)
    crisis.say("draft We are on it.", person="lea")
    crisis.say("resolve Fixed", person="lea")
    for _ in range(5):
        crisis.wake(hours=2)
    assert crisis.reminders_posted() == [] and crisis.direct() == []
    assert crisis.incident().next_update_due is None


def test_snooze_button_postpones_the_checkin() -> None:
    crisis = opened(1)
    crisis.wake(minutes=30)
    [reminder] = crisis.reminders_posted()
    snooze_15 = reminder.cards[0].buttons[1].command
    assert snooze_15 == "CRI-1 snooze 15"
    crisis.say(snooze_15, person="lea", conversation="elsewhere")
    crisis.wake(minutes=14)
    assert len(crisis.reminders_posted()) == 1
    crisis.wake(minutes=1)
    assert len(crisis.reminders_posted()) == 2


def test_missed_checkins_escalate_to_every_role_holder_and_contacts() -> None:
    crisis = opened(2)
    crisis.wake(hours=1)
    crisis.wake(hours=1)
    first, second = crisis.reminders_posted()
    assert "<@carol>" not in first.text and "<@ceo>" not in first.text
    assert "2 check-ins missed in a row" in second.text
    assert {"lea", "bob", "carol", "ceo"} <= set(second.mentions)
    facts = [e.event for e in crisis.incident().timeline if isinstance(e.event, ev.CheckInReminderSent)]
    assert facts == [ev.CheckInReminderSent(1, False), ev.CheckInReminderSent(2, True)]


def test_an_update_ends_the_escalation() -> None:
    crisis = opened(2)
    crisis.wake(hours=1)
    crisis.wake(hours=1)
    crisis.say("update Back on track", person="lea")
    crisis.wake(hours=1)
    assert "missed" not in crisis.reminders_posted()[-1].text


def test_restart_after_downtime_fires_each_overdue_reminder_once() -> None:
    crisis = opened(1)
    crisis.say("draft We are aware of the delays.", person="lea")
    # Ten hours without a single wake-up: twenty check-in intervals and several approval deadlines passed.
    crisis.wake(hours=10)
    crisis.wake()
    crisis.wake(seconds=1)
    assert len(crisis.reminders_posted()) == 2  # one check-in, one "held by" notice
    assert reminder_count(crisis) == 1
    assert sorted(person for person, _ in crisis.direct()) == ["bert", "bob", "carol", "cleo"]
    assert crisis.incident().next_update_due == crisis.clock.at - timedelta(seconds=1) + timedelta(minutes=30)


def test_approval_reminder_goes_to_missing_approvers_at_the_deadline() -> None:
    crisis = opened(2)
    crisis.say("draft We are aware of the delays.", person="lea")
    crisis.say("approve", person="bob")
    crisis.wake(minutes=29)
    assert crisis.direct() == []
    crisis.wake(minutes=1)
    [(person, text)] = crisis.direct()
    assert person == "carol" and "your approval (legal)" in text
    [dm] = crisis.gateway.direct
    assert dm[1].cards[0].buttons[0].label == "Approve"
    crisis.wake(minutes=10)
    assert len(crisis.direct()) == 1


def test_backups_are_asked_at_twice_the_deadline_and_the_channel_is_told() -> None:
    crisis = opened(2)
    crisis.say("draft We are aware of the delays.", person="lea")
    crisis.wake(minutes=30)
    assert sorted(p for p, _ in crisis.direct()) == ["bob", "carol"]
    crisis.wake(minutes=30)
    later = crisis.direct()[2:]
    assert sorted(p for p, _ in later) == ["bert", "bob", "carol", "cleo"]
    [held] = [r for r in crisis.reminders_posted() if "held by" in r.text]
    assert "held by comms (<@bob>), legal (<@carol>)" in held.text and "<@bert>" in held.text
    crisis.wake(hours=3)
    assert len(crisis.direct()) == 6
    facts = [e.event for e in crisis.incident().timeline if isinstance(e.event, ev.ApprovalReminderSent)]
    assert [f.escalated for f in facts] == [False, True]


def test_a_revised_draft_gets_a_fresh_deadline() -> None:
    crisis = opened(2)
    crisis.say("draft v1", person="lea")
    crisis.wake(minutes=30)
    crisis.say("revise 1 v2", person="lea")
    crisis.wake(minutes=29)
    assert len(crisis.direct()) == 2
    crisis.wake(minutes=1)
    assert len(crisis.direct()) == 4


def test_a_role_nobody_holds_is_flagged_to_the_lead() -> None:
    crisis = opened(2, Settings(roster={"lead": ("lea",), "comms": ("bob",)}))
    crisis.say("draft We are aware.", person="lea")
    crisis.wake(minutes=30)
    text = "CRI-1 · draft #1 has waited 30m for approval, but nobody holds legal: assign someone."
    assert ("lea", text) in crisis.direct()


def test_low_severity_waits_for_monday_while_critical_fires_at_night() -> None:
    friday_4pm = datetime(2026, 11, 27, 16, tzinfo=UTC)
    crisis = opened(3, at=friday_4pm)
    crisis.say("open Leaked memo --sev 1", person="rita", conversation="press")
    crisis.wake(hours=4)  # Friday 20:00
    assert [r.incident for r in crisis.reminders_posted()] == ["CRI-2"]
    assert crisis.incident().next_update_due == datetime(2026, 11, 30, 9, tzinfo=UTC)
    crisis.wake(hours=36)  # Sunday 08:00
    assert "CRI-1" not in [r.incident for r in crisis.reminders_posted()]
    crisis.wake(hours=25)  # Monday 09:00
    assert [r.incident for r in crisis.reminders_posted()].count("CRI-1") == 1
    assert reminder_count(crisis) == 1


def test_quiet_hours_follow_the_local_clock_across_a_dst_change() -> None:
    paris = Settings(roster=ROSTER, timezone="Europe/Paris")
    friday_3pm_paris = datetime(2026, 10, 23, 13, tzinfo=UTC)
    crisis = opened(3, paris, at=friday_3pm_paris)
    crisis.wake(hours=4)  # due 19:00 in Paris: after hours
    assert crisis.reminders_posted() == []
    assert crisis.incident().next_update_due == datetime(2026, 10, 26, 8, tzinfo=UTC)  # 09:00 CET, winter time
    crisis.clock.at = datetime(2026, 10, 26, 7, 59, tzinfo=UTC)
    crisis.wake()
    assert crisis.reminders_posted() == []
    crisis.wake(minutes=1)
    assert len(crisis.reminders_posted()) == 1


def test_approval_deadline_of_a_low_severity_draft_waits_for_business_hours() -> None:
    crisis = opened(3, at=datetime(2026, 11, 27, 17, tzinfo=UTC))  # Friday 17:00; comms has 2 h
    crisis.say("draft Low-key reply", person="lea")
    crisis.wake(hours=2)
    assert crisis.direct() == []
    crisis.clock.at = datetime(2026, 11, 30, 9, tzinfo=UTC)
    crisis.wake()
    # The weekend made both deadlines pass: the backups are asked at once, and once.
    assert sorted(p for p, _ in crisis.direct()) == ["bert", "bob"]
    crisis.wake(hours=1)
    assert len(crisis.direct()) == 2


class FlakyGateway(FakeGateway):
    def __init__(self, failures: int) -> None:
        super().__init__("console")
        self.failures = failures

    async def post(self, conversation: str, reply: Reply) -> str | None:
        if self.failures and reply.cards and reply.cards[0].id.startswith("checkin:"):
            self.failures -= 1
            raise ConnectionError("platform unavailable")
        return await super().post(conversation, reply)


def test_failed_delivery_is_retried_and_arrives_once() -> None:
    crisis = opened(1)
    flaky = FlakyGateway(failures=2)
    crisis.courier.gateways = {"console": flaky}
    crisis.gateway = flaky
    crisis.wake(minutes=30)
    assert crisis.reminders_posted() == []
    crisis.wake(seconds=1)  # the first retry waits 2 s
    assert crisis.reminders_posted() == []
    crisis.wake(seconds=2)
    crisis.wake(seconds=4)
    crisis.wake(seconds=8)
    assert len(crisis.reminders_posted()) == 1
    assert crisis.store.unsent() == []


def test_messages_wait_for_a_process_that_has_their_platform() -> None:
    crisis = opened(1)
    crisis.courier.gateways = {}
    crisis.wake(minutes=30)
    assert len(crisis.store.unsent()) == 1
    crisis.courier.gateways = {"console": crisis.gateway}
    crisis.wake()
    assert len(crisis.reminders_posted()) == 1 and crisis.store.unsent() == []


def test_a_claimed_message_is_not_sent_again_by_another_courier_until_its_claim_lapses() -> None:
    crisis = opened(1)
    crisis.courier.gateways = {}
    crisis.wake(minutes=30)
    died = Courier(crisis.uow, {"console": crisis.gateway})  # a replica that claims, then dies before sending
    assert len(died.claim(crisis.clock.now())) == 1
    crisis.courier.gateways = {"console": crisis.gateway}
    crisis.wake(seconds=30)
    assert crisis.reminders_posted() == []
    crisis.wake(minutes=2)
    assert len(crisis.reminders_posted()) == 1


def test_a_checkin_reminder_left_unsent_while_the_process_was_down_is_not_sent_beside_the_current_one() -> None:
    # Recorded, then the process died before delivering it; five hours later it would say "30m ago" right next
    # to the reminder that says "5h30": the team would be reminded twice, once with stale news.
    crisis = opened(1)
    crisis.clock.advance(minutes=30)
    crisis.reminders.wake(crisis.clock.now())  # no courier ran
    crisis.wake(hours=5)
    [reminder] = crisis.reminders_posted()
    assert "5h30" in reminder.text
    assert crisis.wake(minutes=1).checkins == 0
    assert len(crisis.reminders_posted()) == 1  # the stale one is settled, not retried later


def test_a_low_severity_checkin_fires_in_a_night_shift_window() -> None:
    night = Settings(roster=ROSTER, business_hours=(time(22), time(6)))
    crisis = opened(3, night, at=datetime(2026, 11, 23, 10, tzinfo=UTC))  # Monday 10:00; due 14:00
    crisis.wake(hours=4)
    assert crisis.reminders_posted() == []
    crisis.clock.at = datetime(2026, 11, 23, 22, tzinfo=UTC)
    crisis.wake()
    assert len(crisis.reminders_posted()) == 1


def test_approval_reminders_left_unsent_are_dropped_once_the_draft_no_longer_waits() -> None:
    # Recorded, then hours with no courier (a crash, no process with the platform): meanwhile the draft was approved.
    crisis = opened(1)
    crisis.say("draft We know.", person="lea")
    crisis.clock.advance(minutes=30)
    crisis.reminders.wake(crisis.clock.now())  # recorded, never delivered
    crisis.clock.advance(hours=5)
    crisis.say("approve", person="bob")
    crisis.say("approve", person="carol")
    crisis.wake()
    stale = [text for _, text in crisis.direct() if "waited" in text] + [
        r.text for r in crisis.reminders_posted() if "for approval" in r.text]
    assert stale == []  # nobody is asked for an approval already given
    assert crisis.incident().drafts[0].state.value == "approved"
    with crisis.uow() as uow:
        assert uow.outbox.claim(["console"], crisis.clock.now() + timedelta(hours=1), timedelta(minutes=2), 100) == []
