"""Handlers of the watch's commands: topics from chat, signals reported by people, decisions on alerts."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from bot import commands as c
from bot import events as ev
from bot.errors import InvalidState, UnknownAlert
from bot.handlers import Context, Outcome, handles, open_incident
from bot.model import TimelineEntry
from bot.replies import Reply
from bot.signals import watch
from bot.signals.model import Alert, AlertStatus, Signal, Topic
from bot.signals.views import per_quarter, signals_card, topics_card


@handles(c.ShowTopics)
def show_topics(cmd: c.ShowTopics, ctx: Context) -> Outcome:
    topics = watch.effective_topics(ctx.settings.watch, ctx.uow)
    return Outcome(Reply(cards=(topics_card(topics, ctx.t),), private=True))


@handles(c.WatchTopic)
def watch_topic(cmd: c.WatchTopic, ctx: Context) -> Outcome:
    ctx.uow.signals.put_topic(Topic(cmd.name, tuple(cmd.keywords), tuple(cmd.excluded)), False, ctx.origin.person, ctx.now)
    t, keywords = ctx.t, ", ".join(cmd.keywords)
    text = (t("Watching {topic}: {keywords}, except {excluded}.", topic=cmd.name, keywords=keywords,
              excluded=", ".join(cmd.excluded))
            if cmd.excluded else t("Watching {topic}: {keywords}.", topic=cmd.name, keywords=keywords))
    return Outcome(Reply(text=text))


@handles(c.UnwatchTopic)
def unwatch_topic(cmd: c.UnwatchTopic, ctx: Context) -> Outcome:
    known = {t.name for t in watch.effective_topics(ctx.settings.watch, ctx.uow)}
    if cmd.name not in known:
        raise InvalidState("No topic {topic} is watched. Try `watch`.", topic=cmd.name)
    ctx.uow.signals.put_topic(Topic(cmd.name, ()), True, ctx.origin.person, ctx.now)
    return Outcome(Reply(text=ctx.t("No longer watching {topic}.", topic=cmd.name)))


@handles(c.ReportSignal)
def report_signal(cmd: c.ReportSignal, ctx: Context) -> Outcome:
    signal = Signal.of(cmd.text, ctx.now, source="chat", url=cmd.url, author=ctx.origin.person)
    recorded = watch.record(ctx.uow, [signal], ctx.configured or ctx.settings, ctx.now)
    if recorded.duplicates:
        text = ctx.t("This signal was already recorded.")
    elif recorded.matched and recorded.matched[0]:
        text = ctx.t("Signal recorded, on {topics}.", topics=", ".join(recorded.matched[0]))
    else:
        text = ctx.t("Signal recorded; it matches no watched topic (`watch` lists them).")
    return Outcome(Reply(text=text, private=True), alerts=recorded.notices)


@handles(c.ShowSignals)
def show_signals(cmd: c.ShowSignals, ctx: Context) -> Outcome:
    incident = ctx.incident(cmd.incident)
    latest = ctx.uow.signals.of_incident(incident.key, ctx.now - timedelta(hours=2))
    quarters = per_quarter([s.received_at for s in latest], ctx.now)
    card = signals_card(incident.key, latest, quarters, ctx.t, ctx.settings.timezone)
    return Outcome(Reply(cards=(card,), private=True, incident=incident.key))


def _live(ctx: Context, number: int) -> Alert:
    alert = ctx.uow.signals.alert(number)
    if alert is None:
        raise UnknownAlert(number=number)
    if alert.status is AlertStatus.OPENED:
        raise InvalidState("Alert #{number} was already opened as {key}.", number=number, key=alert.incident or "-")
    if alert.status is AlertStatus.DISMISSED:
        raise InvalidState("Alert #{number} was closed as a false alarm.", number=number)
    return alert


def _decided(ctx: Context, alert: Alert, text: str) -> Outcome:
    ctx.uow.signals.save_alert(alert)
    notice = watch.notice(ctx.uow, alert, ctx.configured or ctx.settings, ctx.now, ctx.t)
    # The clicked card, as the click left it, so the door updates the very message at once.
    refreshed = (notice.card,) if notice else ()
    return Outcome(Reply(text=text, refreshed=refreshed), alerts=(notice,) if notice else ())


@handles(c.WatchAlert)
def watch_alert(cmd: c.WatchAlert, ctx: Context) -> Outcome:
    alert = _live(ctx, cmd.alert)
    if alert.status is AlertStatus.WATCHING:
        raise InvalidState("Alert #{number} is already being watched.", number=alert.number)
    until = ctx.now + ctx.settings.watch.snooze
    alert = replace(alert, status=AlertStatus.WATCHING, snoozed_until=until, snoozed_count=alert.count,
                    decided_by=ctx.origin.person, decided_at=ctx.now)
    return _decided(ctx, alert, ctx.t("Alert #{number}: watching; it alerts again if it grows after {minutes} min.",
                                      number=alert.number, minutes=int(ctx.settings.watch.snooze.total_seconds() // 60)))


@handles(c.DismissAlert)
def dismiss_alert(cmd: c.DismissAlert, ctx: Context) -> Outcome:
    alert = replace(_live(ctx, cmd.alert), status=AlertStatus.DISMISSED, decided_by=ctx.origin.person,
                    decided_at=ctx.now)
    return _decided(ctx, alert, ctx.t("Alert #{number} closed as a false alarm.", number=alert.number))


@handles(c.OpenFromAlert)
def open_from_alert(cmd: c.OpenFromAlert, ctx: Context) -> Outcome:
    """Everything `open` does, titled after the topic at the suggested severity, with the window's signals linked."""
    alert = _live(ctx, cmd.alert)
    description = ctx.t("Opened from signal alert #{number}: {count} signals on {topic}.",
                        number=alert.number, count=alert.count, topic=alert.topic)
    title = ctx.t("Signals on {topic}", topic=alert.topic)
    opened = open_incident(c.OpenIncident(title, alert.severity, description), ctx)
    incident = opened.incident
    assert incident is not None
    since = min(alert.first_signal_at, alert.raised_at - ctx.settings.watch.window)
    linked = [s.id for s in ctx.uow.signals.matching(alert.topic, since, limit=10_000)]
    ctx.uow.signals.attach(linked, incident.key)
    detected = ev.DetectedFromSignals(alert.topic, alert.number, alert.first_signal_at.isoformat(),
                                      alert.raised_at.isoformat(), len(linked))
    incident.timeline.append(TimelineEntry(ctx.now, ctx.origin.person, detected))
    alert = replace(alert, status=AlertStatus.OPENED, incident=incident.key, decided_by=ctx.origin.person,
                    decided_at=ctx.now)
    ctx.uow.signals.save_alert(alert)
    notice = watch.notice(ctx.uow, alert, ctx.configured or ctx.settings, ctx.now, ctx.t)
    return replace(opened, events=[*opened.events, detected], alerts=(notice,) if notice else ())
