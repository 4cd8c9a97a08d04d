from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot import events as ev
from bot import promises
from bot.config import Settings
from bot.model import Incident
from bot.promises_kept import PromiseState, promises_kept_and_missed

# Monday 23 November 2026, 10:00 UTC: 11:00 in Paris, 05:00 in New York.
NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)


def utc(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "due"),
    [
        ("Next update at 18:00.", utc(23, 18)),
        ("next update at 6 pm", utc(23, 18)),
        ("Next update at 6:30 p.m. Thank you for your patience.", utc(23, 18, 30)),
        ("We will update you by 6pm.", utc(23, 18)),
        ("We will post an update before 17:30", utc(23, 17, 30)),
        ("Next update: 18:00", utc(23, 18)),
        ("We will update you within 2 hours.", utc(23, 12)),
        ("Next update in 30 minutes", utc(23, 10, 30)),
        ("We'll get back to you in an hour", utc(23, 11)),
        ("More information in half an hour.", utc(23, 10, 30)),
        ("We will update this post within the hour", utc(23, 11)),
        ("Next update tomorrow at 9:00", utc(24, 9)),
        ("We will share news at noon", utc(23, 12)),
        ("Deliveries stopped at 08:00; we will update you at 18:00.", utc(23, 18)),
        ("Prochain point à 18 h", utc(23, 18)),
        ("Prochain point à 18h30", utc(23, 18, 30)),
        ("Prochain point à 18 h 30.", utc(23, 18, 30)),
        ("Nous reviendrons vers vous d'ici 2 heures.", utc(23, 12)),
        ("Nous reviendrons vers vous d’ici 2 heures.", utc(23, 12)),
        ("Prochain point dans 30 minutes", utc(23, 10, 30)),
        ("Nouvelles informations dans une demi-heure.", utc(23, 10, 30)),
        ("Nous vous tiendrons informés avant 18 h.", utc(23, 18)),
        ("Mise à jour d'ici 18 h", utc(23, 18)),
        ("Prochain point demain à 9 h", utc(24, 9)),
        ("Nous reviendrons vers vous dans 2 h", utc(23, 12)),
        ("Prochain point à midi.", utc(23, 12)),
        ("Plus d'informations à 17 h.", utc(23, 17)),
        ("Nous communiquerons à nouveau vers 16 h 45", utc(23, 16, 45)),
        # A time already past today is tomorrow's.
        ("Next update at 9:00", utc(24, 9)),
    ],
)
def test_a_promise_of_the_next_update_is_read(text: str, due: datetime) -> None:
    assert promises.parse(text, NOW) == due


@pytest.mark.parametrize(
    "text",
    [
        "Deliveries stopped at 14:00.",
        "The warehouse has been closed since 18 h.",
        "We are sorry for the delay.",
        "We will update you soon.",
        "Update: carriers are back at 100%",
        "We updated the FAQ at 09:00 and will keep going.",
        "Our teams were informed at 8:00.",
        "Les informations reçues à 9 h confirment le retard.",
        "Next update in 0 minutes",
        "Next update at 25:00",
        "Next update in 900 hours",
        "",
    ],
)
def test_no_promise_without_an_update_and_a_time(text: str) -> None:
    assert promises.parse(text, NOW) is None


def test_clock_times_are_read_in_the_speakers_time_zone() -> None:
    # 18:00 in Paris is 17:00 UTC in November; in New York it is 23:00 UTC.
    assert promises.parse("Prochain point à 18 h", NOW, "Europe/Paris") == utc(23, 17)
    assert promises.parse("Next update at 6 pm", NOW, "America/New_York") == utc(23, 23)
    # Durations do not depend on the zone.
    assert promises.parse("Next update within 2 hours", NOW, "Asia/Tokyo") == utc(23, 12)


def test_tomorrow_follows_the_local_calendar() -> None:
    # 23:30 UTC on Monday is already Tuesday 00:30 in Paris: "tomorrow" is Wednesday there.
    late = datetime(2026, 11, 23, 23, 30, tzinfo=UTC)
    assert promises.parse("Prochain point demain à 9 h", late, "Europe/Paris") == utc(25, 8)


def test_the_excerpt_is_the_sentence_as_typed() -> None:
    found = promises.find("Sorry for the wait. We will update you by 6 PM! Thanks.", NOW)
    assert found is not None and found.excerpt == "We will update you by 6 PM!"


@given(st.text(), st.sampled_from(["UTC", "Europe/Paris", "Pacific/Kiritimati", "Not/AZone"]))
def test_the_parser_never_raises(text: str, tz: str) -> None:
    due = promises.parse(text, NOW, tz)
    assert due is None or NOW < due <= NOW + promises.HORIZON


@given(st.lists(st.sampled_from(["next update", "at", "18:00", "dans", "2", "heures", "by", "6", "pm", "d'ici", ".", "h"])))
def test_the_parser_never_raises_on_near_promises(words: list[str]) -> None:
    due = promises.parse(" ".join(words), NOW, "Europe/Paris")
    assert due is None or due > NOW


def test_clock_shows_the_day_only_when_it_is_not_today() -> None:
    assert promises.clock(utc(23, 17), NOW, "Europe/Paris") == "18:00"
    assert promises.clock(utc(24, 8), NOW, "Europe/Paris") == "2026-11-24 09:00"


def _incident() -> Incident:
    return Incident.open(1, "Late deliveries", 2, "rita", NOW, Settings())


def _update(incident: Incident, text: str, at: datetime) -> None:
    """What the `update` command does: post it, then read any promise it makes."""
    incident.post_update(text, "rita", at, Settings())
    incident.hear_public_word(text, "rita", at, Settings())


def test_a_promise_followed_in_time_is_kept_and_one_followed_late_is_missed() -> None:
    incident = _incident()
    _update(incident, "Next update in 30 minutes", NOW)
    _update(incident, "Carrier found. Next update within 1 hour.", NOW + timedelta(minutes=20))
    _update(incident, "Deliveries resumed", NOW + timedelta(minutes=95))
    outcomes = promises_kept_and_missed(incident, NOW + timedelta(hours=3))
    assert [o.state for o in outcomes] == [PromiseState.KEPT, PromiseState.MISSED]
    assert outcomes[0].due == NOW + timedelta(minutes=30)
    assert outcomes[0].followed_at == NOW + timedelta(minutes=20)
    assert outcomes[1].excerpt == "Next update within 1 hour."


def test_a_promise_with_no_follow_up_is_pending_then_missed() -> None:
    incident = _incident()
    _update(incident, "Next update in 30 minutes", NOW)
    [pending] = promises_kept_and_missed(incident, NOW + timedelta(minutes=29))
    [missed] = promises_kept_and_missed(incident, NOW + timedelta(minutes=31))
    assert (pending.state, missed.state) == (PromiseState.PENDING, PromiseState.MISSED)
    assert missed.followed_at is None and missed.made_by == "rita"



def test_publishing_the_same_version_again_is_not_news() -> None:
    incident = _incident()
    _update(incident, "Next update at 18:00", NOW)
    # What publishing one draft version on two channels records.
    incident._record(NOW + timedelta(minutes=5), "bob", ev.DraftPublished(1, 1, "X"))
    incident._record(NOW + timedelta(hours=9), "bob", ev.DraftPublished(1, 1, "Facebook"))
    [outcome] = promises_kept_and_missed(incident, NOW + timedelta(hours=10))
    assert outcome.state is PromiseState.KEPT and outcome.followed_at == NOW + timedelta(minutes=5)
    _update(incident, "Next update in 30 minutes", NOW + timedelta(hours=9, minutes=10))
    incident._record(NOW + timedelta(hours=9, minutes=20), "bob", ev.DraftPublished(1, 1, "website"))
    assert promises_kept_and_missed(incident, NOW + timedelta(hours=10))[-1].state is PromiseState.MISSED
