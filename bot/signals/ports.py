"""What the watch needs from storage, inside the same unit of work as the incidents (`UnitOfWork.signals`)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from bot.signals.model import Alert, Signal, Topic


class SignalStore(Protocol):
    def add(self, signals: Sequence[Signal], topics: Sequence[tuple[str, ...]]) -> list[bool]:
        """Stores the signals (each with the topics it matched); False for each whose id is known already (or
        repeated earlier in the batch): that one is not stored again."""

    def count(self, topic: str, since: datetime, until: datetime) -> int:
        """Signals of the topic received in [since, until)."""

    def peak_reach(self, topic: str, since: datetime) -> int: ...

    def window(self, topics: Sequence[str], since: datetime, until: datetime) -> dict[str, tuple[int, int]]:
        """For each topic with signals received in [since, until): how many, and the highest reach."""

    def first_at(self, topic: str, since: datetime) -> datetime | None:
        """When the earliest signal of the topic received since then was published (or received)."""

    def matching(self, topic: str, since: datetime, limit: int = 500) -> Sequence[Signal]:
        """The topic's latest signals received since then, newest first."""

    def attach(self, signal_ids: Sequence[str], incident: str) -> None: ...

    def of_incident(self, incident: str, since: datetime | None = None, limit: int = 500) -> Sequence[Signal]:
        """The incident's signals (received since then), newest first."""

    def times_of_incident(self, incident: str) -> Sequence[datetime]:
        """When each of the incident's signals was received, oldest first."""

    def topics(self) -> Sequence[tuple[Topic, bool]]:
        """Topics set from chat; True marks one removed (which hides a configured topic of that name)."""

    def put_topic(self, topic: Topic, removed: bool, by: str, at: datetime) -> None: ...

    def alert(self, number: int) -> Alert | None: ...

    def latest_alert(self, topic: str) -> Alert | None: ...

    def latest_alerts(self, topics: Sequence[str]) -> dict[str, Alert]:
        """The latest alert of each topic that has one."""

    def incident_alert(self, incident: str) -> Alert | None:
        """The alert the incident was opened from."""

    def next_alert_number(self) -> int: ...

    def add_alert(self, alert: Alert) -> None:
        """A new alert: a number taken meanwhile by a concurrent transaction fails its commit (ConcurrentChange)."""

    def save_alert(self, alert: Alert) -> None: ...
