"""An alert card to post or update in the watch channel: what the core hands the delivery step."""

from __future__ import annotations

from dataclasses import dataclass

from bot.replies import Card


@dataclass(frozen=True)
class AlertNotice:
    platform: str
    conversation: str
    card: Card
    # A fresh message (a new alert, or one alerting again after its snooze) rather than an update in place.
    repost: bool = False
