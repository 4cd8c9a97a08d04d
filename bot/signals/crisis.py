"""Signals inside an open crisis: the volume its card shows, and the hint that it is calming down."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.i18n import Translator
from bot.model import Incident
from bot.signals.ports import SignalStore
from bot.signals.rules import trend

HOUR = timedelta(hours=1)


@dataclass(frozen=True)
class SignalVolume:
    """Signals attached to a crisis in the last hour and in the hour before."""

    last_hour: int
    previous_hour: int

    def line(self, t: Translator) -> str:
        return t("{count} in the last hour · {trend}", count=self.last_hour,
                 trend=t(trend(self.last_hour, self.previous_hour)))


def volume_of(signals: SignalStore, key: str, now: datetime) -> SignalVolume | None:
    """None for a crisis with no signal in the last two hours (its card then shows no volume line)."""
    times = [s.received_at for s in signals.of_incident(key, now - 2 * HOUR, limit=100_000)]
    if not times:
        return None
    recent = sum(1 for at in times if at > now - HOUR)
    return SignalVolume(recent, len(times) - recent)


def with_volume(incident: Incident, signals: SignalStore, now: datetime) -> Incident:
    incident.signal_volume = volume_of(signals, incident.key, now)
    return incident


def calm_hint(signals: SignalStore, incident: Incident, now: datetime, calm: timedelta, t: Translator) -> str:
    """A line for the check-in reminder when the crisis's signals fell over the last `calm` against the `calm`
    before (by half at least): a hint that it may move to `monitor`. Empty otherwise."""
    times = [s.received_at for s in signals.of_incident(incident.key, now - 2 * calm, limit=100_000)]
    recent = sum(1 for at in times if at >= now - calm)
    before = len(times) - recent
    if before < 4 or recent * 2 > before:
        return ""
    return t("Signals have been falling for {minutes} min ({before} → {recent}): time to `monitor`?",
             minutes=int(calm.total_seconds() // 60), before=before, recent=recent)
