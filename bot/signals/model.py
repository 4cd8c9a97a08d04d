"""Signals, watch topics and alerts as plain data."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from bot.plain_text import without_nul


def signal_id(source: str, url: str, text: str) -> str:
    """A stable id for a signal that came without one: the same item sent twice is one signal."""
    digest = hashlib.sha256("\x1f".join((source, url, text)).encode()).hexdigest()
    return f"h:{digest[:32]}"


@dataclass(frozen=True)
class Signal:
    """One public item: a post, a review, an article, something a colleague reported."""

    id: str
    source: str
    text: str
    received_at: datetime
    url: str = ""
    author: str = ""
    # Followers or views: how many people may have seen it.
    reach: int = 0
    language: str = ""
    published_at: datetime | None = None

    @classmethod
    def of(
        cls,
        text: str,
        received_at: datetime,
        source: str = "webhook",
        id: str = "",
        url: str = "",
        author: str = "",
        reach: int = 0,
        language: str = "",
        published_at: datetime | None = None,
    ) -> Signal:
        return without_nul(cls(
            id=id or signal_id(source, url, text),
            source=source,
            text=text,
            received_at=received_at,
            url=url,
            author=author,
            reach=max(reach, 0),
            language=language,
            published_at=published_at,
        ))

    @property
    def seen_at(self) -> datetime:
        """When it became public, as far as we know: what "first signal" figures count from."""
        return min(self.published_at, self.received_at) if self.published_at else self.received_at


@dataclass(frozen=True)
class Topic:
    name: str
    keywords: tuple[str, ...]
    excluded: tuple[str, ...] = ()


class AlertStatus(StrEnum):
    OPEN = "open"
    # Quiet until `snoozed_until`; alerts again after that if the volume grew.
    WATCHING = "watching"
    DISMISSED = "dismissed"
    # Became an incident (`Alert.incident`).
    OPENED = "opened"


@dataclass(frozen=True)
class Alert:
    number: int
    topic: str
    raised_at: datetime
    first_signal_at: datetime
    # Signals in the window and the highest reach among them, as of the latest update.
    count: int
    peak_reach: int
    severity: int
    updated_at: datetime
    status: AlertStatus = AlertStatus.OPEN
    snoozed_until: datetime | None = None
    # The count when it was snoozed: after the snooze it alerts again only above this.
    snoozed_count: int = 0
    decided_by: str = ""
    decided_at: datetime | None = None
    incident: str | None = None
    # Posted again as a new message (a second spike after a snooze): the card id changes so the new one is kept.
    round: int = 1

    @property
    def card_id(self) -> str:
        return f"alert:{self.number}:{self.round}"

    @property
    def is_live(self) -> bool:
        return self.status in (AlertStatus.OPEN, AlertStatus.WATCHING)
