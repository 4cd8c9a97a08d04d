"""An in-memory signal store, committed with the fake unit of work (`tests.fakes.FakeUnitOfWork.signals`)."""

from __future__ import annotations

import copy
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from bot.signals.model import Alert, Signal, Topic


@dataclass
class SignalState:
    signals: dict[str, Signal] = field(default_factory=dict)
    topics_of: dict[str, tuple[str, ...]] = field(default_factory=dict)
    incident_of: dict[str, str] = field(default_factory=dict)
    topics: dict[str, tuple[Topic, bool]] = field(default_factory=dict)
    alerts: dict[int, Alert] = field(default_factory=dict)


class FakeSignals:
    def __init__(self, committed: SignalState) -> None:
        self.committed = committed
        self.state = copy.deepcopy(committed)

    def commit(self) -> None:
        # Merged, not replaced: concurrent units of work (feeds polled side by side) each add their own rows.
        mine = copy.deepcopy(self.state)
        for name in ("signals", "topics_of", "incident_of", "topics", "alerts"):
            getattr(self.committed, name).update(getattr(mine, name))

    def rollback(self) -> None:
        self.state = copy.deepcopy(self.committed)

    def add(self, signals: Sequence[Signal], topics: Sequence[tuple[str, ...]]) -> list[bool]:
        fresh = []
        for signal, names in zip(signals, topics, strict=True):
            new = signal.id not in self.state.signals
            if new:
                self.state.signals[signal.id] = signal
                self.state.topics_of[signal.id] = names
            fresh.append(new)
        return fresh

    def _of(self, topic: str, since: datetime, until: datetime | None = None) -> list[Signal]:
        found = [
            s for s in self.state.signals.values()
            if topic in self.state.topics_of[s.id] and since <= s.received_at and (until is None or s.received_at < until)
        ]
        return sorted(found, key=lambda s: s.received_at, reverse=True)

    def count(self, topic: str, since: datetime, until: datetime) -> int:
        return len(self._of(topic, since, until))

    def peak_reach(self, topic: str, since: datetime) -> int:
        return max((s.reach for s in self._of(topic, since)), default=0)

    def window(self, topics: Sequence[str], since: datetime, until: datetime) -> dict[str, tuple[int, int]]:
        found = {t: self._of(t, since, until) for t in topics}
        return {t: (len(s), max(x.reach for x in s)) for t, s in found.items() if s}

    def latest_alerts(self, topics: Sequence[str]) -> dict[str, Alert]:
        found = {t: self.latest_alert(t) for t in topics}
        return {t: a for t, a in found.items() if a is not None}

    def first_at(self, topic: str, since: datetime) -> datetime | None:
        return min((s.seen_at for s in self._of(topic, since)), default=None)

    def matching(self, topic: str, since: datetime, limit: int = 500) -> Sequence[Signal]:
        return self._of(topic, since)[:limit]

    def attach(self, signal_ids: Sequence[str], incident: str) -> None:
        self.state.incident_of.update({i: incident for i in signal_ids})

    def of_incident(self, incident: str, since: datetime | None = None, limit: int = 500) -> Sequence[Signal]:
        found = [
            s for s in self.state.signals.values()
            if self.state.incident_of.get(s.id) == incident and (since is None or s.received_at >= since)
        ]
        return sorted(found, key=lambda s: s.received_at, reverse=True)[:limit]

    def times_of_incident(self, incident: str) -> Sequence[datetime]:
        return sorted(s.received_at for s in self.of_incident(incident, limit=1_000_000))

    def topics(self) -> Sequence[tuple[Topic, bool]]:
        return list(self.state.topics.values())

    def put_topic(self, topic: Topic, removed: bool, by: str, at: datetime) -> None:
        self.state.topics[topic.name] = (topic, removed)

    def alert(self, number: int) -> Alert | None:
        return self.state.alerts.get(number)

    def latest_alert(self, topic: str) -> Alert | None:
        mine = [a for a in self.state.alerts.values() if a.topic == topic]
        return max(mine, key=lambda a: a.number) if mine else None

    def incident_alert(self, incident: str) -> Alert | None:
        return next((a for a in self.state.alerts.values() if a.incident == incident), None)

    def next_alert_number(self) -> int:
        return max(self.state.alerts, default=0) + 1

    def add_alert(self, alert: Alert) -> None:
        self.state.alerts[alert.number] = alert

    def save_alert(self, alert: Alert) -> None:
        self.state.alerts[alert.number] = alert
