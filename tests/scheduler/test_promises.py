"""Check-ins planned before the update promised to the public, and the reminder that says so (fake clock)."""

import asyncio
from datetime import UTC, datetime, timedelta

from bot import events as ev
from bot.commands import Origin
from bot.config import Settings
from bot.grammar import parse
from bot.promises_kept import PromiseState, promises_kept_and_missed
from tests.fakes import T0
from tests.scheduler.crisis import Crisis

ROSTER = {"lead": ("lea",), "comms": ("bob",), "legal": ("carol",)}
TEAM = Settings(roster=ROSTER)


def opened(severity: int = 2, settings: Settings = TEAM) -> Crisis:
    crisis = Crisis(settings)
    crisis.say(f"open Wave of complaints --sev {severity}", person="rita")
    return crisis


def test_a_promise_earlier_than_the_cadence_brings_the_checkin_before_it() -> None:
    crisis = opened(2)  # cadence 1 h: the next check-in would be at 11:05
    crisis.clock.advance(minutes=5)
    crisis.say("update Carrier located. Next update in 30 minutes.", person="lea")
    assert crisis.incident().promised_update_at == T0 + timedelta(minutes=35)
    assert crisis.incident().next_update_due == T0 + timedelta(minutes=20)
    crisis.wake(minutes=15, seconds=-1)
    assert crisis.reminders_posted() == []
    crisis.wake(seconds=1)
    [reminder] = crisis.reminders_posted()
    assert "You promised the public an update at 10:35." in reminder.text


def test_a_promise_later_than_the_cadence_leaves_the_cadence() -> None:
    crisis = opened(2)
    crisis.clock.advance(minutes=5)
    crisis.say("update Next update at 18:00", person="lea")
    assert crisis.incident().next_update_due == T0 + timedelta(hours=1, minutes=5)
    crisis.wake(hours=1)
    [reminder] = crisis.reminders_posted()
    assert "You promised the public an update at 18:00." in reminder.text
    # The following check-in keeps the cadence too: 17:45 is still further than an hour away.
    assert crisis.incident().next_update_due == T0 + timedelta(hours=2, minutes=5)


def test_the_cadence_reminder_replans_before_a_nearer_promise() -> None:
    crisis = opened(1)  # cadence 30 min
    crisis.say("update Next update within 45 minutes", person="lea")
    crisis.wake(minutes=30)
    assert len(crisis.reminders_posted()) == 1
    # The next cadence would be 11:00; within the margin of the promise, the next check-in is at 10:45 itself.
    assert crisis.incident().next_update_due == T0 + timedelta(minutes=45)
    crisis.wake(minutes=15)
    assert "You promised the public an update at 10:45." in crisis.reminders_posted()[-1].text
    assert crisis.incident().next_update_due == T0 + timedelta(minutes=75)  # promise passed: the cadence again


def test_a_promise_inside_the_margin_is_checked_at_its_time() -> None:
    crisis = opened(2)
    crisis.say("update Next update in 10 minutes", person="lea")
    assert crisis.incident().next_update_due == T0 + timedelta(minutes=10)


def test_an_update_in_time_keeps_the_promise_and_ends_its_reminders() -> None:
    crisis = opened(2)
    crisis.say("update Next update in 30 minutes", person="lea")
    crisis.clock.advance(minutes=10)
    crisis.say("update Refunds approved", person="lea")
    incident = crisis.incident()
    assert incident.promised_update_at is None
    assert incident.next_update_due == T0 + timedelta(minutes=70)
    crisis.wake(minutes=60)
    [reminder] = crisis.reminders_posted()
    assert "promised" not in reminder.text
    [kept] = promises_kept_and_missed(crisis.incident(), crisis.clock.now())
    assert kept.state is PromiseState.KEPT and kept.followed_at == T0 + timedelta(minutes=10)


def test_a_promise_nobody_honours_is_missed() -> None:
    crisis = opened(2)
    crisis.say("update Next update in 30 minutes", person="lea")
    crisis.wake(minutes=15)
    assert len(crisis.reminders_posted()) == 1
    crisis.wake(minutes=20)  # 10:35 passes in silence
    [missed] = promises_kept_and_missed(crisis.incident(), crisis.clock.now())
    assert missed.state is PromiseState.MISSED and missed.followed_at is None
    # A late update does not turn it into a kept one.
    crisis.say("update Back to normal", person="lea")
    [late] = promises_kept_and_missed(crisis.incident(), crisis.clock.now())
    assert late.state is PromiseState.MISSED and late.followed_at == T0 + timedelta(minutes=35)


def test_a_draft_promises_once_it_is_published() -> None:
    crisis = opened(3)
    crisis.say("draft We know you are waiting. We will update you by 6 pm.", person="rita")
    crisis.say("approve", person="bob")
    assert crisis.incident().promised_update_at is None  # not public yet
    crisis.clock.advance(minutes=30)
    crisis.say("publish 1 X", person="bob")
    incident = crisis.incident()
    assert incident.promised_update_at == T0.replace(hour=18)
    [made] = [e.event for e in incident.timeline if isinstance(e.event, ev.PromiseMade)]
    assert made.excerpt == "We will update you by 6 pm." and made.due == "2026-11-23T18:00:00+00:00"


def test_promises_are_read_in_the_incident_time_zone() -> None:
    crisis = opened(2, Settings(roster=ROSTER, timezone="Europe/Paris"))
    reply = crisis.say("update Prochain point à 12 h", person="lea")  # noon in Paris, 11:00 UTC
    assert crisis.incident().promised_update_at == T0 + timedelta(hours=1)
    assert "public promise: next update by 2026-11-23 12:00 (UTC+01:00) (“Prochain point à 12 h”)" in reply.text
    crisis.wake(minutes=45)
    [reminder] = crisis.reminders_posted()
    assert "You promised the public an update at 12:00." in reminder.text


def test_resolving_plans_no_checkin_despite_a_promise() -> None:
    crisis = opened(2)
    crisis.say("update Next update in 30 minutes", person="lea")
    crisis.say("resolve Deliveries back to normal", person="lea")
    assert crisis.incident().next_update_due is None
    crisis.wake(minutes=30)
    assert crisis.reminders_posted() == []


def test_quiet_hours_do_not_hold_back_the_checkin_before_a_promise() -> None:
    crisis = Crisis(TEAM, T0.replace(hour=17))  # Monday 17:00 UTC, business hours end at 18:00
    crisis.say("open Some complaints --sev 3", person="rita")
    crisis.say("update Next update at 18:30", person="lea")
    crisis.wake(minutes=75)  # 18:15, after hours: a severity 3 check-in would wait for the morning
    [reminder] = crisis.reminders_posted()
    assert "You promised the public an update at 18:30." in reminder.text
    crisis.wake(minutes=15)  # 18:30, the promised time itself
    assert len(crisis.reminders_posted()) == 2
    # The promise passed: cadence check-ins wait for business hours again.
    crisis.wake(hours=5)
    assert len(crisis.reminders_posted()) == 2


def test_a_promise_is_read_in_the_speakers_own_time_zone() -> None:
    crisis = opened(2)  # the incident's zone is UTC; the speaker is in New York (UTC-5 in November)
    speaker = Origin("lea", "console", "war-room", timezone="America/New_York")
    asyncio.run(crisis.harness.service.handle(parse("update Next update at 6 am"), speaker))  # 11:00 UTC
    assert crisis.incident().promised_update_at == T0 + timedelta(hours=1)
    crisis.wake(minutes=45)
    # The room reads the incident's clock.
    assert "You promised the public an update at 11:00." in crisis.reminders_posted()[0].text


def test_the_reminder_speaks_french() -> None:
    crisis = opened(2, Settings(roster=ROSTER, language="fr", timezone="Europe/Paris"))
    crisis.say("update Prochain point dans 30 minutes", person="lea")
    crisis.wake(minutes=15)
    assert "Vous avez promis au public un point à 11:30." in crisis.reminders_posted()[0].text


def test_a_time_said_with_its_zone_is_read_in_that_zone_not_the_speakers() -> None:
    # The team works on UTC, but the statement told the public "17:00 CET": 16:00 UTC. Read as 17:00 UTC, the
    # check-in would come at 16:45 UTC, three quarters of an hour after the promised update was due.
    crisis = opened(2)
    crisis.say("update Carrier located. Next update at 17:00 CET.", person="lea")
    assert crisis.incident().promised_update_at == T0.replace(hour=16)
    crisis.say("update Carrier located. Next update at 19:00 UTC+1.", person="lea")
    assert crisis.incident().promised_update_at == T0.replace(hour=18)


def test_a_time_said_in_utc_by_a_speaker_in_paris_is_utc() -> None:
    crisis = opened(2, Settings(roster=ROSTER, timezone="Europe/Paris"))
    crisis.say("update Nous reviendrons vers vous à 18 h UTC.", person="lea")
    assert crisis.incident().promised_update_at == T0.replace(hour=18)
    crisis.say("update Next update at 6 pm GMT.", person="lea")
    assert crisis.incident().promised_update_at == T0.replace(hour=18)
    crisis.say("update Prochain point à 18 h et nous restons joignables.", person="lea")  # "et": French, not a zone
    assert crisis.incident().promised_update_at == T0.replace(hour=17)


def test_a_time_written_with_a_dot_is_a_promise_too() -> None:
    # "9.30 am", "18.00": how many British and Nordic statements write the time.
    crisis = opened(2)
    crisis.say("update Carrier located. We will update you at 6.30 pm.", person="lea")
    assert crisis.incident().promised_update_at == T0.replace(hour=18, minute=30)
    crisis.say("update Next update at 17.15.", person="lea")
    assert crisis.incident().promised_update_at == T0.replace(hour=17, minute=15)
    crisis.say("update Version 2.10 of the app is out; next update at noon.", person="lea")
    assert crisis.incident().promised_update_at == T0.replace(hour=12)


def test_quiet_hours_do_not_put_a_checkin_off_past_a_promise() -> None:
    # Severity 3 on a Friday evening: the cadence's check-in falls in quiet hours and waits for Monday 09:00, but
    # the public was told "tomorrow at 10:00"; the check-in before that promise must still come on Saturday.
    friday_5pm = datetime(2026, 11, 27, 17, tzinfo=UTC)
    crisis = Crisis(TEAM, friday_5pm)
    crisis.say("open Wave of complaints --sev 3", person="rita")
    crisis.say("update Carrier located. Next update tomorrow at 10:00.", person="lea")
    crisis.wake(hours=4)  # Friday 21:00: the cadence's check-in, in quiet hours
    assert crisis.reminders_posted() == []
    assert crisis.incident().next_update_due == datetime(2026, 11, 28, 9, 45, tzinfo=UTC)
    crisis.clock.at = datetime(2026, 11, 28, 9, 45, tzinfo=UTC)
    crisis.wake()
    [reminder] = crisis.reminders_posted()
    assert "You promised the public an update at 10:00." in reminder.text


def test_tomorrow_said_of_something_else_does_not_move_todays_promise_to_tomorrow() -> None:
    # "deliveries resume tomorrow … update you at 18:00" promises 18:00 today: read as tomorrow, the check-in
    # before it would never come and the report would judge the promise a day late.
    crisis = opened(2)
    crisis.say("update We expect deliveries to resume tomorrow and will update you at 18:00.", person="lea")
    assert crisis.incident().promised_update_at == T0.replace(hour=18)
    crisis.say("update Les livraisons reprennent demain, prochain point à 17 h.", person="lea")
    assert crisis.incident().promised_update_at == T0.replace(hour=17)
    crisis.say("update Next update at 16:00, and a full report tomorrow.", person="lea")
    assert crisis.incident().promised_update_at == T0.replace(hour=16)
    crisis.say("update We will update you at 15:00 tomorrow.", person="lea")
    assert crisis.incident().promised_update_at == T0.replace(day=24, hour=15)
    crisis.say("update Tomorrow, we will update you at 11:00.", person="lea")
    assert crisis.incident().promised_update_at == T0.replace(day=24, hour=11)
    crisis.say("update Nous reviendrons vers vous demain à 12 h.", person="lea")
    assert crisis.incident().promised_update_at == T0.replace(day=24, hour=12)
