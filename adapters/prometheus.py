"""The Prometheus side of `adapters.metrics`: the counters, the database gauges and the registry `/metrics` reads.

Imported only when CRISISBOT_METRICS=on (by `adapters.metrics.install`), so a server without metrics never loads
prometheus_client. The counters are the process's own, registered in each server's registry (see `registry_for`).
"""

from __future__ import annotations

import logging
from collections.abc import Collection, Iterable, Sequence
from datetime import datetime
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Histogram
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.exposition import choose_encoder
from prometheus_client.registry import Collector
from sqlalchemy import Engine

from adapters.runtime import Runtime
from bot.ports import Outgoing
from bot.reminders import Courier

log = logging.getLogger("crisisbot.metrics")

SEVERITIES = (1, 2, 3, 4)

# Not in prometheus_client's global registry: each server registers them in its own (see `registry_for`).
REQUESTS = Counter("crisisbot_requests", "Requests each door received, by outcome (ok, refused, malformed, error).",
                   ["door", "outcome"], registry=None)
# Slack wants its acknowledgement within 3 seconds: a bucket boundary there.
ACK_SECONDS = Histogram("crisisbot_ack_seconds", "Time from a door's request to its acknowledgement.", ["door"],
                        buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 3, 5, 10), registry=None)
COMMANDS = Counter("crisisbot_commands", "Commands the core handled, by type and outcome (ok, refused, conflict, error).",
                   ["command", "outcome"], registry=None)
REMINDERS = Counter("crisisbot_reminders_sent", "Reminders and notices the scheduler delivered, by kind.", ["kind"],
                    registry=None)
REMINDER_DELAY = Histogram("crisisbot_reminder_delay_seconds",
                           "Time from a reminder coming due (recorded at the scheduler's wake-up) to its delivery.",
                           ["kind"], buckets=(1, 2, 5, 10, 30, 60, 120, 300, 900, 3600), registry=None)
SIGNALS = Counter("crisisbot_signals_received", "Signals received from outside sources, by source.", ["source"],
                  registry=None)
EVERY_METRIC = (REQUESTS, ACK_SECONDS, COMMANDS, REMINDERS, REMINDER_DELAY, SIGNALS)

# `labels()` validates and locks at every call: the children are looked up once, then kept (few label values).
_requests: dict[tuple[str, str], Any] = {}
_acks: dict[str, Any] = {}
_commands: dict[tuple[str, str], Any] = {}


def request_seen(door: str, outcome: str, seconds: float) -> None:
    counter = _requests.get((door, outcome))
    if counter is None:
        counter = _requests[(door, outcome)] = REQUESTS.labels(door=door, outcome=outcome)
    histogram = _acks.get(door)
    if histogram is None:
        histogram = _acks[door] = ACK_SECONDS.labels(door=door)
    counter.inc()
    histogram.observe(seconds)


def signal_received(source: str) -> None:
    SIGNALS.labels(source=source).inc()


class CommandCounter:
    """The core's command meter (`bot.ports.CommandMeter`) as a Prometheus counter."""

    def command(self, name: str, outcome: str) -> None:
        counter = _commands.get((name, outcome))
        if counter is None:
            counter = _commands[(name, outcome)] = COMMANDS.labels(command=name, outcome=outcome)
        counter.inc()


def reminder_kind(message_id: str) -> str:
    # Outbox ids read "<key>#<n>:<kind>:<platform>:<target>" (bot.reminders): the kind is a short fixed word.
    parts = message_id.split(":")
    return parts[1] if len(parts) > 2 else "other"


class MeteredCourier(Courier):
    """The scheduler's courier, counting what it delivered once the delivery is recorded."""

    def settle(
        self, outcomes: Sequence[tuple[Outgoing, str | None]], at: datetime, dropped: Sequence[Outgoing] = ()
    ) -> None:
        super().settle(outcomes, at, dropped)  # what was dropped was not delivered: not counted
        for message, error in outcomes:
            if error is None:
                kind = reminder_kind(message.id)
                REMINDERS.labels(kind=kind).inc()
                REMINDER_DELAY.labels(kind=kind).observe(max(0.0, (at - message.created_at).total_seconds()))


class DatabaseGauges(Collector):
    """Backlogs and open crises, asked of the database when Prometheus scrapes."""

    NAMES = ("crisisbot_database_up", "crisisbot_outbox_backlog", "crisisbot_inbox_backlog", "crisisbot_active_incidents")

    def __init__(self, engine: Engine, platforms: Collection[str] = ()) -> None:
        self.engine = engine
        # The platforms this process serves (the runtime's gateways, filled as the doors open): listed at zero too.
        self.platforms = platforms

    def describe(self) -> Iterable[GaugeMetricFamily]:
        # The names alone, so registering asks nothing of the database.
        return [GaugeMetricFamily(name, "") for name in self.NAMES]

    def collect(self) -> Iterable[GaugeMetricFamily]:
        from storage.gauges import OPEN_STATUSES, read_backlog

        up = GaugeMetricFamily("crisisbot_database_up", "1 when the last scrape could read the database.")
        try:
            backlog = read_backlog(self.engine)
        except Exception as error:  # a scrape reports the failure, it does not fail
            log.warning("metrics could not read the database: %s", type(error).__name__)
            up.add_metric([], 0)
            yield up
            return
        up.add_metric([], 1)
        yield up
        for name, help_text, counts in (
            ("crisisbot_outbox_backlog", "Reminders waiting to be delivered, by platform.", backlog.outbox),
            ("crisisbot_inbox_backlog", "Accepted requests not yet answered, by platform.", backlog.inbox),
        ):
            family = GaugeMetricFamily(name, help_text, labels=["platform"])
            for platform in sorted({*self.platforms, *counts}):
                family.add_metric([platform], counts.get(platform, 0))
            yield family
        crises = GaugeMetricFamily("crisisbot_active_incidents", "Active and monitored incidents, by severity and status.",
                                   labels=["severity", "status"])
        # Every severity listed, zeros included, so an alert on one never sees the series vanish.
        for severity in SEVERITIES:
            for status in OPEN_STATUSES:
                crises.add_metric([str(severity), status], backlog.open_incidents.get((severity, status), 0))
        yield crises


def registry_for(runtime: Runtime) -> CollectorRegistry:
    registry = CollectorRegistry(auto_describe=True)
    for metric in EVERY_METRIC:
        registry.register(metric)
    engine = getattr(runtime.uow_factory, "engine", None)
    if isinstance(engine, Engine):
        registry.register(DatabaseGauges(engine, runtime.gateways.keys()))
    return registry


def exposition(registry: CollectorRegistry, accept: str) -> tuple[bytes, str]:
    """The registry in Prometheus' classic text format, or in OpenMetrics when the scraper's Accept asks for it."""
    encode, content_type = choose_encoder(accept)
    return encode(registry), content_type
