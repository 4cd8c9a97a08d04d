"""What a batch of arriving signals changes: stored once, matched, attached to a crisis, or raising/updating alerts.

Runs inside one unit of work; returns the alert cards to deliver (`AlertNotice`), sent afterwards by
`bot.signals.delivery`. Pure apart from the store it is given, so a fake clock and fake store test it whole.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from functools import lru_cache

from bot.config import Settings
from bot.i18n import Translator, translator
from bot.model import Status
from bot.ports import UnitOfWork
from bot.replies import Card
from bot.signals import views
from bot.signals.model import Alert, AlertStatus, Signal, Topic
from bot.signals.notices import AlertNotice
from bot.signals.rules import Volume, WatchSettings, is_spike, suggested_severity
from bot.signals.text import Matcher

# Counts are over [since, until): a signal received at `now` is inside the window ending now.
TICK = timedelta(microseconds=1)
# An open alert's card is redrawn at most this often (sooner when it turns more severe).
ALERT_REFRESH = timedelta(seconds=10)


@dataclass(frozen=True)
class Recorded:
    accepted: int
    duplicates: int
    # Topics each accepted signal matched, in order (duplicates get ()).
    matched: tuple[tuple[str, ...], ...] = ()
    notices: tuple[AlertNotice, ...] = ()
    # Signals attached to crises already open: incident key -> how many.
    attached: tuple[tuple[str, int], ...] = ()


def effective_topics(watch: WatchSettings, uow: UnitOfWork) -> tuple[Topic, ...]:
    """The configured topics, overlaid by those set or removed from chat."""
    topics = {t.name: t for t in watch.topics}
    for topic, removed in uow.signals.topics():
        if removed:
            topics.pop(topic.name, None)
        else:
            topics[topic.name] = topic
    return tuple(sorted(topics.values(), key=lambda t: t.name))


@lru_cache(maxsize=8)
def matcher(topics: tuple[Topic, ...]) -> Matcher:
    return Matcher(topics)


def active_incident(uow: UnitOfWork, alert: Alert | None) -> str | None:
    """The unresolved incident opened from the topic's latest alert, which its new signals now belong to."""
    if alert is None or alert.status is not AlertStatus.OPENED or alert.incident is None:
        return None
    incident = uow.incidents.get(alert.incident)
    return incident.key if incident is not None and incident.status is not Status.RESOLVED else None


def record(uow: UnitOfWork, signals: Sequence[Signal], settings: Settings, now: datetime) -> Recorded:
    watch = settings.watch
    match = matcher(effective_topics(watch, uow))
    topics = [match.topics_of(s.text) for s in signals]
    fresh = uow.signals.add(signals, topics)
    by_topic: dict[str, list[Signal]] = {}
    for signal, names, new in zip(signals, topics, fresh, strict=True):
        for name in names if new else ():
            by_topic.setdefault(name, []).append(signal)
    notices: list[AlertNotice] = []
    attached: list[tuple[str, int]] = []
    t = translator(settings.language)
    # A few statements for the whole batch, whatever the number of topics it touches.
    alerts = uow.signals.latest_alerts(list(by_topic))
    judged: list[str] = []
    for topic, arrived in by_topic.items():
        incident = active_incident(uow, alerts.get(topic))
        if incident is not None:
            uow.signals.attach([s.id for s in arrived], incident)
            attached.append((incident, len(arrived)))
        else:
            judged.append(topic)
    current = uow.signals.window(judged, now - watch.window, now + TICK)
    usual = uow.signals.window(judged, now - watch.baseline, now - watch.window)
    for topic in judged:
        alert = alerts.get(topic)
        since = window_start(watch, alert, now)
        count, peak = current.get(topic, (0, 0))
        if since != now - watch.window:
            count, peak = uow.signals.count(topic, since, now + TICK), uow.signals.peak_reach(topic, since)
        seen = Volume(in_window=count, before=usual.get(topic, (0, 0))[0], peak_reach=peak)
        notice = _judge(uow, topic, alert, since, seen, settings, now, t)
        if notice is not None:
            notices.append(notice)
    accepted = sum(fresh)
    matched = tuple(names if new else () for names, new in zip(topics, fresh, strict=True))
    return Recorded(accepted, len(signals) - accepted, matched, tuple(notices), tuple(attached))


def window_start(watch: WatchSettings, alert: Alert | None, now: datetime) -> datetime:
    """Where the topic's current window starts: a false alarm or a crisis since closed ends the previous spike, so
    the signals before it do not raise it again."""
    since = now - watch.window
    if alert is not None and not alert.is_live and alert.decided_at is not None:
        since = max(since, alert.decided_at + TICK)
    return since


def _judge(
    uow: UnitOfWork, topic: str, alert: Alert | None, since: datetime, seen: Volume, settings: Settings,
    now: datetime, t: Translator,
) -> AlertNotice | None:
    watch = settings.watch
    severity = suggested_severity(watch, seen)
    if alert is not None and alert.status is AlertStatus.OPEN:
        # One alert per spike: it follows the volume in place, never lowering the severity it suggested, and at
        # most every ALERT_REFRESH unless it turns more severe (a card redrawn for every batch helps nobody).
        if now - alert.updated_at < ALERT_REFRESH and severity >= alert.severity:
            return None
        alert = replace(alert, count=seen.in_window, peak_reach=max(alert.peak_reach, seen.peak_reach),
                        severity=min(alert.severity, severity), updated_at=now)
        repost = False
    elif alert is not None and alert.status is AlertStatus.WATCHING:
        assert alert.snoozed_until is not None
        if now < alert.snoozed_until or not is_spike(watch, seen) or seen.in_window <= alert.snoozed_count:
            return None
        alert = replace(alert, status=AlertStatus.OPEN, count=seen.in_window, updated_at=now, round=alert.round + 1,
                        peak_reach=max(alert.peak_reach, seen.peak_reach), severity=min(alert.severity, severity),
                        snoozed_until=None, decided_by="", decided_at=None)
        repost = True
    else:
        if not is_spike(watch, seen):
            return None
        first = uow.signals.first_at(topic, since) or now
        alert = Alert(uow.signals.next_alert_number(), topic, now, first, seen.in_window, seen.peak_reach, severity, now)
        uow.signals.add_alert(alert)
        return notice(uow, alert, settings, now, t, repost=True)
    uow.signals.save_alert(alert)
    return notice(uow, alert, settings, now, t, repost)


def notice(
    uow: UnitOfWork, alert: Alert, settings: Settings, now: datetime, t: Translator, repost: bool = False
) -> AlertNotice | None:
    """The alert's card as it now stands, for the watch channel (None when no channel is set)."""
    watch = settings.watch
    if watch.channel is None:
        return None
    platform, conversation = watch.channel
    return AlertNotice(platform, conversation, alert_card(uow, alert, settings, now, t), repost)


def alert_card(uow: UnitOfWork, alert: Alert, settings: Settings, now: datetime, t: Translator) -> Card:
    watch = settings.watch
    since = now - watch.window
    recent = uow.signals.matching(alert.topic, min(since, alert.raised_at - watch.window), limit=200)
    previous = uow.signals.count(alert.topic, since - watch.window, since)
    current = uow.signals.count(alert.topic, since, now + TICK)
    topic = next((tp for tp in effective_topics(watch, uow) if tp.name == alert.topic), None)
    keywords = topic.keywords if topic else ()
    return views.alert_card(alert, recent, keywords, current, previous, watch, t, settings.timezone)
