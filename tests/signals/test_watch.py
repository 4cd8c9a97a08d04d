"""The spike rule and the alert's life, with a fake clock: one alert per spike, updated in place, snoozed, closed."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from bot.config import Settings
from bot.reminders import Reminders
from bot.replies import Card
from bot.signals.intake import SignalIntake
from bot.signals.model import Signal
from bot.signals.rules import Volume, WatchConfigError, WatchSettings, is_spike, parse_topics, suggested_severity
from tests.harness import Harness

WATCH = WatchSettings(topics=parse_topics("delivery: livraison, late delivery"), channel=("console", "watch"))


def harness(**changes: object) -> Harness:
    watch = WatchSettings(**{**WATCH.__dict__, **changes})
    return Harness(settings=Settings(watch=watch))


def send(h: Harness, *texts: str, reach: int = 0) -> tuple[int, int]:
    intake = SignalIntake(h.dispatcher, h.service.gateways, service=h.service)
    signals = [Signal.of(text, h.clock.now(), source="x", reach=reach) for text in texts]

    async def ingest() -> tuple[int, int]:
        recorded = await intake.ingest(signals)
        await h.service.drain()
        return recorded.accepted, recorded.duplicates

    return asyncio.run(ingest())


def alerts(h: Harness) -> list[str]:
    posted = [c.id for p in h.gateway.posts if p.conversation == "watch" and p.reply for c in p.reply.cards]
    return [card for card in posted if card.startswith("alert:")]


def complaints(n: int, start: int = 0) -> list[str]:
    return [f"Livraison en retard, commande {i}" for i in range(start, start + n)]


def test_no_alert_below_the_threshold_one_at_it_then_updated_in_place() -> None:
    h = harness()
    for text in complaints(9):
        send(h, text)
        h.clock.advance(seconds=30)
    assert alerts(h) == []
    send(h, *complaints(1, 9))
    assert alerts(h) == ["alert:1:1"]
    send(h, *complaints(1, 10))
    assert h.gateway.updates == []  # redrawn at most every 10 s
    h.clock.advance(seconds=10)
    send(h, *complaints(2, 11))
    assert alerts(h) == ["alert:1:1"]
    assert h.gateway.updates[-1].ref == h.gateway.posts[-1].ref
    assert h.gateway.updates[-1].card is not None
    assert "13 in the last 10 min" in h.gateway.updates[-1].card.fields[0].value


def test_signals_spread_beyond_the_window_raise_nothing() -> None:
    h = harness()
    for text in complaints(20):
        send(h, text)
        h.clock.advance(minutes=2)
    assert alerts(h) == []


def test_the_same_signal_twice_is_one_signal() -> None:
    h = harness()
    assert send(h, "livraison perdue", "livraison perdue") == (1, 1)
    assert send(h, "livraison perdue") == (0, 1)


def test_unmatched_signals_are_kept_but_raise_nothing() -> None:
    h = harness(threshold=1)
    assert send(h, "le chat est sur le toit") == (1, 0)
    assert alerts(h) == []


def test_one_wide_reach_alerts_at_once_with_a_high_severity() -> None:
    h = harness()
    send(h, "A late delivery, again", reach=60_000)
    assert alerts(h) == ["alert:1:1"]
    card = h.gateway.posts[-1].reply.cards[0]  # type: ignore[union-attr]
    assert "2 · high" in [f.value for f in card.fields]


def test_a_busy_topic_needs_k_times_its_baseline() -> None:
    h = harness()
    # 15 a window for the past days: 20 in the window is no spike at factor 3, 45 is.
    for _ in range(7 * 24 * 6 - 1):
        h.dispatcher.clock.advance(minutes=10)  # type: ignore[attr-defined]
    rule = WATCH
    assert not is_spike(rule, Volume(in_window=20, before=15 * (7 * 24 * 6 - 1), peak_reach=0))
    assert is_spike(rule, Volume(in_window=45, before=15 * (7 * 24 * 6 - 1), peak_reach=0))
    assert is_spike(rule, Volume(in_window=10, before=0, peak_reach=0))
    assert suggested_severity(rule, Volume(in_window=100, before=0, peak_reach=0)) == 1


def test_baseline_learnt_from_stored_signals() -> None:
    h = harness(threshold=3, baseline=timedelta(hours=2))
    for i in range(11):  # 11 windows of 10 minutes with 5 signals each: usual rate 5
        send(h, *complaints(5, i * 5))
        h.clock.advance(minutes=10)
    assert alerts(h) == ["alert:1:1"]  # the very first window had no baseline yet
    h.say("alert 1 false-alarm", conversation="watch")
    h.clock.advance(minutes=10)
    send(h, *complaints(12, 100))
    assert alerts(h) == ["alert:1:1"]  # 12 < 3 x 5
    send(h, *complaints(4, 200))
    assert alerts(h) == ["alert:1:1", "alert:2:1"]  # 16 >= 3 x 5


def test_watch_snoozes_then_alerts_again_only_if_it_grew() -> None:
    h = harness(threshold=3)
    send(h, *complaints(3))
    reply = h.say("alert 1 watch", person="bob", conversation="watch")
    assert "watching" in reply.text
    card = h.gateway.updates[-1].card
    assert card is not None and "<@bob>" in card.fields[-1].value
    h.clock.advance(minutes=5)
    send(h, *complaints(2, 3))
    assert alerts(h) == ["alert:1:1"]
    h.clock.advance(minutes=56)
    send(h, *complaints(2, 10))  # after the hour, but 2 in the window: not grown
    assert alerts(h) == ["alert:1:1"]
    send(h, *complaints(5, 20))
    assert alerts(h) == ["alert:1:1", "alert:1:2"]


def test_false_alarm_closes_and_a_later_spike_alerts_anew() -> None:
    h = harness(threshold=3)
    send(h, *complaints(3))
    h.say("alert 1 false-alarm", person="bob", conversation="watch")
    assert h.gateway.updates[-1].card is not None and h.gateway.updates[-1].card.buttons == ()
    h.clock.advance(minutes=1)
    send(h, *complaints(1, 3))
    assert alerts(h) == ["alert:1:1"]
    refused = h.say("alert 1 open", conversation="watch")
    assert "false alarm" in refused.text and refused.private
    send(h, *complaints(3, 10))
    assert alerts(h) == ["alert:1:1", "alert:2:1"]


def test_open_crisis_from_the_alert() -> None:
    h = harness(threshold=3)
    send(h, *complaints(4))
    reply = h.say("alert 1 open", person="carol", conversation="watch")
    assert reply.incident == "CRI-1"
    incident = h.incident()
    assert incident.title == "Signals on delivery"
    assert incident.severity == 3
    assert incident.reporter == "carol"
    assert [type(e.event).__name__ for e in incident.timeline][-1] == "DetectedFromSignals"
    assert any(c.id.startswith("incident:CRI-1") for p in h.gateway.posts if p.reply for c in p.reply.cards)
    assert h.gateway.updates[-1].card is not None and "CRI-1" in h.gateway.updates[-1].card.fields[-1].value
    # Later signals of the topic belong to the crisis: no new alert.
    send(h, *complaints(10, 50))
    assert alerts(h) == ["alert:1:1"]
    card = h.say("signals", conversation="watch").cards[0]
    assert card.id == "signals:CRI-1" and "14" in card.fields[0].value
    again = h.say("alert 1 open", conversation="watch")
    assert "already opened as CRI-1" in again.text


def test_unknown_alert_is_refused() -> None:
    h = harness()
    assert h.say("alert 7 open").text == "There is no signal alert #7."


def test_topics_from_chat_in_english_and_french() -> None:
    h = harness(threshold=1)
    assert h.say("watch app crash, bug, -crash test").text == "Watching app: crash, bug, except crash test."
    listed = h.say("veille").cards[0]
    assert [f.label for f in listed.fields] == ["app", "delivery"]
    send(h, "The app crash test went fine")
    assert alerts(h) == []
    send(h, "The APP keeps crashing: crash!")
    assert alerts(h) == ["alert:1:1"]
    h.say("fin-veille delivery")
    assert [f.label for f in h.say("watch").cards[0].fields] == ["app"]
    assert "No topic nope" in h.say("unwatch nope").text
    h.language = "fr"
    assert h.say("veille appli plantage, -test").text == "Veille sur appli\u00a0: plantage, sauf test."


def test_signal_from_chat_records_the_speaker() -> None:
    h = harness(threshold=1)
    reply = h.say("signaler vu sur X: livraison catastrophique https://x.com/p/1", person="dan")
    assert "delivery" in reply.text
    [stored] = h.store.signals.signals.values()
    assert stored.author == "dan" and stored.source == "chat" and stored.url == "https://x.com/p/1"
    assert "already" in h.say("signal vu sur X: livraison catastrophique https://x.com/p/1").text


def test_settings_from_the_environment() -> None:
    watch = WatchSettings.from_env({
        "CRISISBOT_WATCH_TOPICS": "delivery: livraison, retard, -relais; App: crash",
        "CRISISBOT_WATCH_CHANNEL": "slack:C123", "CRISISBOT_SPIKE": "5/15m", "CRISISBOT_SPIKE_FACTOR": "2",
        "CRISISBOT_SPIKE_REACH": "1000",
    })
    assert [t.name for t in watch.topics] == ["delivery", "app"]
    assert watch.topics[0].excluded == ("relais",)
    assert watch.channel == ("slack", "C123")
    assert (watch.threshold, watch.window, watch.factor, watch.reach) == (5, timedelta(minutes=15), 2.0, 1000)
    for bad in ({"CRISISBOT_SPIKE": "ten"}, {"CRISISBOT_WATCH_TOPICS": "nokeywords"}, {"CRISISBOT_WATCH_CHANNEL": "C1"}):
        with pytest.raises(WatchConfigError):
            WatchSettings.from_env(bad)


def test_the_report_starts_with_detection_figures() -> None:
    h = harness(threshold=3)
    send(h, *complaints(1))
    h.clock.advance(minutes=4)
    send(h, *complaints(2, 1))
    h.clock.advance(minutes=6)
    h.say("alert 1 open", person="carol", conversation="watch")
    for minutes in (5, 10, 20, 40):
        h.clock.advance(minutes=minutes)
        send(h, *complaints(minutes // 5, 100 + minutes))
    h.say("assign comms @bob", conversation="watch")
    h.say("draft We are sorry for the delays.", person="dan", conversation="watch")
    h.say("approve", person="bob", conversation="watch")
    document = h.say("export", conversation="watch").file
    assert document is not None
    text = document.content
    detection = text.split("## Detection", 1)[1].split("\n## ", 1)[0]
    assert text.index("## Detection") < text.index("## ", text.index("## Detection") + 3)
    assert "- First signal: 2026-11-23 10:00 UTC" in detection
    assert "- First signal → alert: 4m" in detection
    assert "- Alert → crisis opened: 6m" in detection
    assert "- First signal → first approved public statement: 1h25" in detection
    assert "- Signals linked to the crisis: 18" in detection
    assert "- Volume per 15 min: `" in detection


def incident_cards(h: Harness) -> list[Card]:
    updated = [u.card for u in h.gateway.updates if u.card is not None]
    posted = [c for p in h.gateway.posts if p.reply for c in p.reply.cards]
    return [c for c in posted + updated if c.id == "incident:CRI-1"]


def test_the_crisis_card_shows_the_volume_and_the_check_in_hints_at_calm() -> None:
    h = harness(threshold=3)
    send(h, *complaints(4))
    h.say("alert 1 open", conversation="watch")
    h.clock.advance(minutes=5)
    send(h, *complaints(6, 10))
    volume = {f.label: f.value for f in incident_cards(h)[-1].fields}["Signals"]
    assert volume == "10 in the last hour · rising"
    h.clock.advance(hours=3, minutes=10)  # 3h15 after opening: a last burst, then silence
    send(h, *complaints(5, 30))
    h.clock.advance(minutes=50)
    Reminders(h.dispatcher.uow_factory, h.settings).wake(h.clock.now())  # type: ignore[arg-type]
    [checkin] = [m for m in h.store.unsent() if ":checkin" in m.id or "checkin" in m.id]
    assert "Signals have been falling for 30 min (5 → 0): time to `monitor`?" in checkin.reply.text


def test_no_calm_hint_while_signals_keep_coming() -> None:
    h = harness(threshold=3)
    send(h, *complaints(4))
    h.say("alert 1 open", conversation="watch")
    for n in range(8):
        h.clock.advance(minutes=30)
        send(h, *complaints(5, 100 + 10 * n))
    Reminders(h.dispatcher.uow_factory, h.settings).wake(h.clock.now())  # type: ignore[arg-type]
    [checkin] = [m for m in h.store.unsent() if "checkin" in m.id]
    assert "falling" not in checkin.reply.text
