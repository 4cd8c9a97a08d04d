"""The watch settings and the spike rule: when does a topic's volume deserve an alert, and how severe it looks.

A spike is at least `threshold` matching signals within `window` arriving at least `factor` times faster than the
topic's usual rate (its baseline over the previous `baseline` period, so an always-busy topic does not alert every
hour), or a single matching signal reaching at least `reach` people.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta

from bot.errors import CrisisError
from bot.i18n import N_
from bot.signals.model import Topic

_SPIKE = re.compile(r"^\s*(\d+)\s*/\s*(\d+\s*[smhd]?)\s*$")
_DURATION = re.compile(r"^\s*(\d+)\s*([smhd]?)\s*$")
_UNITS = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400}
_NAME = re.compile(r"^[\w][\w.-]{0,39}$")


class WatchConfigError(CrisisError):
    message = "Invalid configuration: {detail}"


def _duration(text: str, name: str) -> timedelta:
    match = _DURATION.match(text.lower())
    if not match or int(match.group(1)) == 0:
        raise WatchConfigError(detail=f"{name}={text!r} is not a duration such as 10m, 1h or 7d")
    return timedelta(seconds=int(match.group(1)) * _UNITS[match.group(2)])


def topic_name_ok(name: str) -> bool:
    return bool(_NAME.match(name))


def parse_keywords(text: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """`livraison, retard, -relais colis` into keywords and excluded keywords (those written with a leading `-`)."""
    keywords: list[str] = []
    excluded: list[str] = []
    for item in filter(None, (" ".join(part.split()) for part in text.split(","))):
        if item.startswith("-"):
            if item[1:].strip():
                excluded.append(item[1:].strip())
        else:
            keywords.append(item)
    return tuple(dict.fromkeys(keywords)), tuple(dict.fromkeys(excluded))


def parse_topics(text: str) -> tuple[Topic, ...]:
    """`delivery: livraison, retard; app: crash, bug` (CRISISBOT_WATCH_TOPICS)."""
    topics: dict[str, Topic] = {}
    for item in filter(None, (part.strip() for part in text.split(";"))):
        name, colon, rest = item.partition(":")
        keywords, excluded = parse_keywords(rest)
        if not colon or not topic_name_ok(name.strip()) or not keywords:
            raise WatchConfigError(detail=f"CRISISBOT_WATCH_TOPICS: {item!r} should look like delivery: late, lost")
        topics[name.strip().lower()] = Topic(name.strip().lower(), keywords, excluded)
    return tuple(topics.values())


@dataclass(frozen=True)
class WatchSettings:
    topics: tuple[Topic, ...] = ()
    # `platform:conversation` where alerts are posted; none: alerts are only recorded.
    channel: tuple[str, str] | None = None
    threshold: int = 10
    window: timedelta = timedelta(minutes=10)
    factor: float = 3.0
    reach: int = 50_000
    baseline: timedelta = timedelta(days=7)
    snooze: timedelta = timedelta(hours=1)
    # How long the volume must have been falling before the check-in reminder hints at `monitoring`.
    calm_after: timedelta = timedelta(minutes=30)

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> WatchSettings:
        spike = env.get("CRISISBOT_SPIKE", "").strip() or "10/10m"
        match = _SPIKE.match(spike.lower())
        if not match or int(match.group(1)) < 1:
            raise WatchConfigError(detail=f"CRISISBOT_SPIKE={spike!r} should look like 10/10m (signals per window)")
        try:
            factor = float(env.get("CRISISBOT_SPIKE_FACTOR", "").strip() or 3)
            reach = int(env.get("CRISISBOT_SPIKE_REACH", "").strip() or 50_000)
        except ValueError:
            raise WatchConfigError(detail="CRISISBOT_SPIKE_FACTOR and CRISISBOT_SPIKE_REACH must be numbers") from None
        channel = None
        where = env.get("CRISISBOT_WATCH_CHANNEL", "").strip()
        if where:
            platform, colon, conversation = where.partition(":")
            if not colon or not platform.strip() or not conversation.strip():
                detail = f"CRISISBOT_WATCH_CHANNEL={where!r} should look like slack:C123 or teams:<conversation id>"
                raise WatchConfigError(detail=detail)
            channel = (platform.strip().lower(), conversation.strip())
        return cls(
            topics=parse_topics(env.get("CRISISBOT_WATCH_TOPICS", "")),
            channel=channel,
            threshold=int(match.group(1)),
            window=_duration(match.group(2), "CRISISBOT_SPIKE"),
            factor=max(factor, 0.0),
            reach=max(reach, 1),
            baseline=_duration(env.get("CRISISBOT_SPIKE_BASELINE", "").strip() or "7d", "CRISISBOT_SPIKE_BASELINE"),
            snooze=_duration(env.get("CRISISBOT_WATCH_SNOOZE", "").strip() or "1h", "CRISISBOT_WATCH_SNOOZE"),
            calm_after=_duration(env.get("CRISISBOT_SIGNALS_CALM", "").strip() or "30m", "CRISISBOT_SIGNALS_CALM"),
        )


@dataclass(frozen=True)
class Volume:
    """What the rule looks at for one topic at one moment."""

    in_window: int
    # Matching signals in the baseline period before the window.
    before: int
    peak_reach: int


def baseline_rate(settings: WatchSettings, before: int) -> float:
    """The usual number of signals per window, over the baseline period."""
    windows = max((settings.baseline - settings.window) / settings.window, 1.0)
    return before / windows


def is_spike(settings: WatchSettings, volume: Volume) -> bool:
    if volume.peak_reach >= settings.reach:
        return True
    if volume.in_window < settings.threshold:
        return False
    return volume.in_window >= settings.factor * baseline_rate(settings, volume.before)


def suggested_severity(settings: WatchSettings, volume: Volume) -> int:
    """1 critical to 4 watch: a very wide reach or a flood says critical; a bare threshold says moderate."""
    if volume.peak_reach >= 10 * settings.reach or volume.in_window >= 10 * settings.threshold:
        return 1
    if volume.peak_reach >= settings.reach or volume.in_window >= 3 * settings.threshold:
        return 2
    if volume.in_window >= settings.threshold:
        return 3
    return 4


def trend(current: int, previous: int) -> str:
    """`rising`, `stable` or `falling` (a msgid): a change of a fifth or more, and at least two signals, counts."""
    if current - previous >= 2 and current >= 1.2 * previous:
        return N_("rising")
    if previous - current >= 2 and current <= 0.8 * previous:
        return N_("falling")
    return N_("stable")
