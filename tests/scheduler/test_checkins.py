from datetime import UTC, datetime, time, timedelta

from bot.checkins import checkin_mentions, is_business_time, next_business_opening
from bot.config import Settings
from bot.model import Conversation, Incident

PARIS = Settings(timezone="Europe/Paris")


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def test_inside_business_hours_fires_at_once() -> None:
    monday_ten = utc(2026, 11, 23, 10)
    assert is_business_time(monday_ten, Settings())
    assert next_business_opening(monday_ten, Settings()) == monday_ten


def test_friday_evening_waits_for_monday_morning() -> None:
    assert next_business_opening(utc(2026, 11, 27, 18), Settings()) == utc(2026, 11, 30, 9)
    assert next_business_opening(utc(2026, 11, 28, 12), Settings()) == utc(2026, 11, 30, 9)


def test_before_opening_waits_for_the_same_morning() -> None:
    assert next_business_opening(utc(2026, 11, 24, 6, 30), Settings()) == utc(2026, 11, 24, 9)


def test_opening_follows_local_time_across_the_autumn_dst_change() -> None:
    # Paris leaves summer time on Sunday 25 October 2026: 09:00 is 07:00 UTC on Friday, 08:00 UTC on Monday.
    friday_evening = utc(2026, 10, 23, 17)  # 19:00 in Paris
    assert next_business_opening(friday_evening, PARIS) == utc(2026, 10, 26, 8)
    assert next_business_opening(utc(2026, 10, 23, 6), PARIS) == utc(2026, 10, 23, 7)


def test_opening_follows_local_time_across_the_spring_dst_change() -> None:
    # Summer time starts Sunday 29 March 2026: Monday 09:00 in Paris is 07:00 UTC.
    assert next_business_opening(utc(2026, 3, 27, 18), PARIS) == utc(2026, 3, 30, 7)


def test_custom_business_week() -> None:
    settings = Settings(business_days=(6, 0, 1, 2, 3), business_hours=(time(8), time(16)))  # Sunday to Thursday
    friday = utc(2026, 11, 27, 9)
    assert not is_business_time(friday, settings)
    assert next_business_opening(friday, settings) == utc(2026, 11, 29, 8)


def _incident(severity: int) -> Incident:
    roster = {"lead": ("lea",), "comms": ("bob",), "legal": ("carol",)}
    settings = Settings(roster=roster, escalation_contacts=("ceo",))
    room = Conversation("console", "c")
    return Incident.open(1, "Outage", severity, "rita", utc(2026, 11, 23, 10), settings, conversation=room)


def test_lead_and_comms_are_mentioned_at_high_severity_only() -> None:
    settings = Settings(escalation_contacts=("ceo",))
    assert checkin_mentions(_incident(1), settings, escalated=False) == ("lea", "bob")
    assert checkin_mentions(_incident(3), settings, escalated=False) == ("lea",)


def test_escalation_mentions_every_role_holder_and_the_contacts() -> None:
    settings = Settings(escalation_contacts=("ceo",))
    assert set(checkin_mentions(_incident(3), settings, escalated=True)) == {"lea", "bob", "carol", "ceo"}


def test_reporter_is_asked_while_nobody_leads() -> None:
    incident = Incident.open(1, "Outage", 3, "rita", utc(2026, 11, 23, 10), Settings())
    assert checkin_mentions(incident, Settings(), escalated=False) == ("rita",)
    assert incident.next_update_due == utc(2026, 11, 23, 10) + timedelta(hours=4)


NIGHT_SHIFT = Settings(business_hours=(time(22), time(6)))


def test_a_night_shift_window_is_open_across_midnight() -> None:
    # CRISISBOT_BUSINESS_HOURS=22:00-06:00 is accepted; read as a daytime window it was never open, and every
    # severity 3-4 check-in was put off to the next opening, then again, for ever.
    assert is_business_time(utc(2026, 11, 23, 23), NIGHT_SHIFT)  # Monday 23:00
    assert is_business_time(utc(2026, 11, 24, 5, 59), NIGHT_SHIFT)  # Tuesday 05:59, Monday's shift
    assert not is_business_time(utc(2026, 11, 24, 6), NIGHT_SHIFT)
    assert not is_business_time(utc(2026, 11, 23, 12), NIGHT_SHIFT)
    assert not is_business_time(utc(2026, 11, 23, 2), NIGHT_SHIFT)  # Monday 02:00 is Sunday night's shift
    assert next_business_opening(utc(2026, 11, 23, 12), NIGHT_SHIFT) == utc(2026, 11, 23, 22)
    assert next_business_opening(utc(2026, 11, 23, 22), NIGHT_SHIFT) == utc(2026, 11, 23, 22)
    assert next_business_opening(utc(2026, 11, 28, 1), NIGHT_SHIFT) == utc(2026, 11, 28, 1)  # Friday's shift
