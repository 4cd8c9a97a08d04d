"""Cards of the watch: the alert, the topics, the signals of a crisis. Signal texts are hostile public text: they
go in as plain strings, which every door escapes, never as markup."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import datetime, timedelta

from bot.describe import mention, when
from bot.i18n import Translator
from bot.plain_text import inert
from bot.replies import Button, Card, Field
from bot.signals.model import Alert, AlertStatus, Signal, Topic
from bot.signals.rules import WatchSettings, trend
from bot.signals.text import top_words
from bot.views import severity_label

CUT = 140
SPARKS = "▁▂▃▄▅▆▇█"


def cut(text: str, limit: int = CUT) -> str:
    flat = " ".join(text.split())
    # Public text is hostile: a post quoting `<@U123>` pings no one.
    return inert(flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…")


def minutes(delta: timedelta) -> str:
    return str(int(delta.total_seconds() // 60))


def signal_line(signal: Signal, t: Translator) -> str:
    parts = [f"“{cut(signal.text)}”"]
    if signal.author:
        parts.append(cut(signal.author, 60))
    parts.append(t("reach {reach}", reach=f"{signal.reach:,}".replace(",", " ")))
    if signal.url:
        parts.append(cut(signal.url, 200))
    return " · ".join(parts)


def words_line(signals: Sequence[Signal], skip: Sequence[str] = ()) -> str:
    found = top_words((s.text for s in signals), limit=8, skip=skip)
    return ", ".join(f"{word} ({count})" for word, count in found) or "-"


def alert_card(
    alert: Alert,
    recent: Sequence[Signal],
    keywords: Sequence[str],
    current: int,
    previous: int,
    watch: WatchSettings,
    t: Translator,
    tz: str = "UTC",
) -> Card:
    top = sorted(recent, key=lambda s: (-s.reach, s.received_at))[:3]
    fields = [
        Field(t("Signals"), t("{count} in the last {minutes} min · {trend}", count=current,
                              minutes=minutes(watch.window), trend=t(trend(current, previous)))),
        Field(t("First signal"), when(alert.first_signal_at, tz)),
        Field(t("Suggested severity"), severity_label(alert.severity, t)),
        Field(t("Most frequent words"), words_line(recent, keywords)),
        *(Field(t("Top reach #{rank}", rank=rank), signal_line(s, t)) for rank, s in enumerate(top, 1)),
    ]
    decided = _decision(alert, t, tz)
    if decided:
        fields.append(Field(t("Decision"), decided))
    buttons: tuple[Button, ...] = ()
    if alert.is_live:
        number = alert.number
        buttons = (
            Button(t("Open crisis"), f"alert {number} open", style="primary"),
            Button(t("Watch"), f"alert {number} watch"),
            Button(t("False alarm"), f"alert {number} false-alarm", style="danger"),
        )
        if alert.status is AlertStatus.WATCHING:
            buttons = (buttons[0], buttons[2])
    title = t("Signal alert #{number} · {topic}", number=alert.number, topic=alert.topic)
    return Card(id=alert.card_id, title=title, fields=tuple(fields), buttons=buttons)


def _decision(alert: Alert, t: Translator, tz: str) -> str:
    by, at = mention(alert.decided_by), when(alert.decided_at, tz)
    match alert.status:
        case AlertStatus.WATCHING:
            return t("watched by {person} at {at}: quiet until {until}", person=by, at=at,
                     until=when(alert.snoozed_until, tz))
        case AlertStatus.DISMISSED:
            return t("false alarm, said {person} at {at}", person=by, at=at)
        case AlertStatus.OPENED:
            return t("opened as {key} by {person} at {at}", key=alert.incident or "-", person=by, at=at)
    return ""


def topics_card(topics: Sequence[Topic], t: Translator) -> Card:
    if not topics:
        return Card(id="watch", title=t("Watched topics"), text=t("No topic is watched: `watch <name> <kw1, kw2>`."),
                    markup=True)
    fields = []
    for topic in topics:
        value = ", ".join(topic.keywords)
        if topic.excluded:
            value += " · " + t("except {words}", words=", ".join(topic.excluded))
        fields.append(Field(topic.name, value))
    return Card(id="watch", title=t("Watched topics"), fields=tuple(fields))


def per_quarter(times: Sequence[datetime], now: datetime, quarters: int = 8) -> list[int]:
    """Counts per 15 minutes, oldest first, over the last `quarters` quarters ending now."""
    ago = Counter(int((now - at) // timedelta(minutes=15)) for at in times if at <= now)
    return [ago.get(i, 0) for i in reversed(range(quarters))]


def sparkline(counts: Sequence[int]) -> str:
    if not counts:
        return ""
    top = max(counts) or 1
    return "".join(SPARKS[min(len(SPARKS) - 1, round(c / top * (len(SPARKS) - 1)))] if c else " " for c in counts)


def signals_card(key: str, latest: Sequence[Signal], quarters: Sequence[int], t: Translator, tz: str = "UTC") -> Card:
    lines = [f"{when(s.received_at, tz)} · {signal_line(s, t)}" for s in latest[:10]]
    fields = (
        Field(t("Per 15 min (last 2 h)"), f"{sparkline(quarters)} {' '.join(str(c) for c in quarters)}"),
        Field(t("Most frequent words"), words_line(latest)),
    )
    text = "\n".join(lines) if lines else t("No signal attached to this crisis yet.")
    return Card(id=f"signals:{key}", title=t("{key} · signals", key=key), text=text, fields=fields)
