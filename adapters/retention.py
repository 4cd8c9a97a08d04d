"""The scheduler's retention job: every hour, the delivery records older than CRISISBOT_RETENTION are pruned.

`CRISISBOT_RETENTION` is a duration (default `30d`; `off` keeps everything). Far longer than any platform retries a
delivery (Slack: minutes; the Bot Connector: seconds) or than a reminder waits in the outbox (a few minutes of
back-off), so nothing still useful is deleted. Every replica may run it: deleting what another replica deleted
is harmless. What is pruned and what never is: `storage.retention`.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Engine

from adapters.runtime import Runtime
from adapters.server import StartupError
from bot.config import ConfigError, parse_duration
from bot.ports import Clock

log = logging.getLogger("crisisbot.retention")

DEFAULT_RETENTION = "30d"
EVERY = timedelta(hours=1)
OFF = ("off", "never", "0")


class RetentionError(StartupError):
    """CRISISBOT_RETENTION is not a duration."""


def retention_period(env: Mapping[str, str]) -> timedelta | None:
    """How long delivery records are kept; None when pruning is off."""
    text = env.get("CRISISBOT_RETENTION", "").strip().lower() or DEFAULT_RETENTION
    if text in OFF:
        return None
    try:
        period = parse_duration(text)
    except ConfigError:
        raise RetentionError(f"CRISISBOT_RETENTION={text!r}: use a duration such as 30d, 12h, or off.") from None
    if period < timedelta(days=1):
        # Shorter would delete request log rows a platform retry or the recovery sweep may still need.
        raise RetentionError(f"CRISISBOT_RETENTION={text!r}: keep delivery records one day (1d) at least.")
    return period


@dataclass
class Pruner:
    engine: Engine
    period: timedelta
    clock: Clock
    # The first run waits a little: a starting process has its backlog to catch up on first.
    first_delay: timedelta = timedelta(minutes=1)

    @classmethod
    def for_runtime(cls, runtime: Runtime, clock: Clock) -> Pruner | None:
        period = retention_period(runtime.env)
        engine = getattr(runtime.uow_factory, "engine", None)
        if period is None or not isinstance(engine, Engine):
            return None
        return cls(engine, period, clock)

    async def run(self) -> None:
        from storage.retention import prune

        try:
            await asyncio.to_thread(prune, self.engine, self.clock.now() - self.period)
        except Exception:  # logged; the next run tries again
            log.exception("retention: pruning failed")

    def schedule(self, apscheduler: Any) -> None:
        from apscheduler.triggers.interval import IntervalTrigger

        apscheduler.add_job(self.run, IntervalTrigger(seconds=EVERY.total_seconds()), id="crisisbot-retention",
                            coalesce=True, max_instances=1, misfire_grace_time=None,
                            next_run_time=datetime.now(UTC) + self.first_delay)
        log.info("retention: delivery records older than %s are pruned every hour", self.period)
