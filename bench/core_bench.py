"""Storage and core throughput on SQLite (a temporary file unless --url says otherwise).

    python bench/core_bench.py [--lifecycles 300] [--incidents 10000] [--due 100] [--url postgresql+psycopg://...]

Prints commands per second for whole incident lifecycles parsed and run through `Dispatcher.dispatch` in-process
(goal >= 3,000/s on a 2-core machine), what one command costs the database (transactions, statements and round
trips over a few more lifecycles, including the card references the broadcast needs; goal <= 5 round trips on
PostgreSQL, where they are also counted on the wire by `tests/storage/wire.py`), and the time of `due_for_checkin` with
10,000 active incidents of which 100 are due (goal <= 20 ms).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy.engine import make_url

from bot.broadcast import known_refs
from bot.commands import Origin
from bot.config import Settings
from bot.drafts import DraftState
from bot.grammar import parse
from bot.i18n import translator
from bot.model import Incident, Status
from bot.reactions import cards_changed
from bot.service import Dispatcher
from storage import SqlUnitOfWorkFactory, sql_uow_factory
from storage.statements import Counted, counting
from tests.pg import isolated_schema
from tests.storage.wire import relayed

T0 = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)

# (speaker, command): one incident from opening to resolution, as people would type it in its conversation.
LIFECYCLE = (
    ("alice", "open Wave of complaints about late deliveries --sev 2"),
    ("alice", "assign legal @carol"),
    ("alice", "assign comms @bob"),
    ("alice", "draft We are aware of delivery delays and are working on it."),
    ("carol", "approve"),
    ("bob", "approve"),
    ("bob", "publish twitter"),
    ("alice", "update Carrier backlog identified; deliveries resume tomorrow."),
    ("alice", "severity 3"),
    ("alice", "note Press desk informed"),
    ("alice", "status"),
    ("alice", "monitor"),
    ("alice", "resolve Backlog cleared"),
)


class SteppingClock:
    """A minute passes per command, so cadences and timelines look real without sleeping."""

    def __init__(self) -> None:
        self.at = T0

    def now(self) -> datetime:
        self.at += timedelta(minutes=1)
        return self.at


def bench_lifecycles(factory: SqlUnitOfWorkFactory, lifecycles: int) -> tuple[float, float]:
    """Commands per second of wall-clock time, and per second of this process's CPU time (which the other jobs of
    a loaded machine disturb less, so runs at different loads compare better)."""
    dispatcher = Dispatcher(factory, Settings(), SteppingClock())
    commands = 0
    # The schema first, outside the clock: `serve` creates or upgrades it before it takes any command, and on a fresh
    # file it cost this measure Alembic's import and the creation of every table (0.15 s, a tenth of a run).
    with factory():
        pass
    started, cpu = time.perf_counter(), time.process_time()
    for n in range(lifecycles):
        for person, text in LIFECYCLE:
            commands += 1
            dispatcher.dispatch(parse(text), Origin(person, "console", f"room-{n}", request_id=f"req-{n}-{commands}"))
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    _check_last(factory, lifecycles)
    return commands / elapsed, commands / cpu


def count_round_trips(factory: SqlUnitOfWorkFactory, lifecycles: int) -> tuple[Counted, int]:
    """What the lifecycles cost the database, with the card references a broadcast of each outcome would read."""
    dispatcher = Dispatcher(factory, Settings(), SteppingClock())
    with counting(factory.engine) as counted:
        commands = run_as_broadcast_reads(dispatcher, lifecycles, "counted")
    return counted, commands


def wire_round_trips(url: str, lifecycles: int) -> tuple[int, int]:
    """The same lifecycles through a relay that counts the request/response turns (`tests/storage/wire.py`)."""
    with relayed(url) as (through, relay):
        factory = sql_uow_factory(through)
        try:
            dispatcher = Dispatcher(factory, Settings(), SteppingClock())
            warm = Origin("alice", "console", "wire-warm-up", request_id="wire-warm-up")
            dispatcher.dispatch(parse("open Warm-up"), warm)  # connects and checks the schema, before counting
            before = relay.turns
            commands = run_as_broadcast_reads(dispatcher, lifecycles, "wire")
            return relay.turns - before, commands
        finally:
            factory.dispose()


def run_as_broadcast_reads(dispatcher: Dispatcher, lifecycles: int, prefix: str) -> int:
    """The lifecycles, each outcome followed by the card references its broadcast would look up; how many commands."""
    commands, t = 0, translator("en")
    for n in range(lifecycles):
        for person, text in LIFECYCLE:
            commands += 1
            origin = Origin(person, "console", f"{prefix}-{n}", request_id=f"{prefix}-{n}-{commands}")
            outcome = dispatcher.dispatch(parse(text), origin)
            if outcome.incident is not None and outcome.events:
                changed = cards_changed(outcome.incident, outcome.events, dispatcher.settings, t)
                wanted = [(c.platform, c.id, card_id) for c in outcome.incident.conversations for card_id, _ in changed]
                _, missing = known_refs(outcome, wanted)
                if missing:
                    dispatcher.card_refs(missing)
    return commands


def _check_last(factory: SqlUnitOfWorkFactory, lifecycles: int) -> None:
    with factory() as uow:
        last = uow.incidents.get(f"CRI-{lifecycles}")
    assert last is not None and last.status is Status.RESOLVED, "the lifecycle did not run through"
    assert last.drafts[0].state is DraftState.PUBLISHED, "the draft was not published"


def seed_incidents(factory: SqlUnitOfWorkFactory, total: int, due: int, at: datetime) -> None:
    settings = Settings()
    with factory() as uow:
        start = uow.incidents.next_number()
        for i in range(total):
            incident = Incident.open(start + i, f"Incident {i}", 2, "alice", at - timedelta(hours=2), settings)
            # The first `due` are overdue by a minute; the rest are due within the coming hours.
            incident.next_update_due = at - timedelta(minutes=1) if i < due else at + timedelta(minutes=1 + i % 600)
            uow.incidents.add(incident)
        uow.commit()


@dataclass
class DueTimings:
    found: int
    query_ms: list[float]  # the query alone, on an open unit of work
    wake_ms: list[float]  # what a scheduler wake-up pays: open a unit of work, ask, close


def bench_due_query(factory: SqlUnitOfWorkFactory, total: int, due: int, runs: int = 50) -> DueTimings:
    at = T0 + timedelta(days=30)
    seed_incidents(factory, total, due, at)
    result = DueTimings(0, [], [])
    with factory() as uow:
        for _ in range(runs):
            started = time.perf_counter()
            result.found = len(uow.incidents.due_for_checkin(at))
            result.query_ms.append((time.perf_counter() - started) * 1000)
    for _ in range(runs):
        started = time.perf_counter()
        with factory() as uow:
            uow.incidents.due_for_checkin(at)
        result.wake_ms.append((time.perf_counter() - started) * 1000)
    return result


@contextmanager
def fresh_database(url: str | None, tmp: str) -> Iterator[str]:
    """A temporary SQLite file, or on PostgreSQL a new schema dropped afterwards (earlier runs' rows would skew it)."""
    if url is None or make_url(url).get_backend_name() != "postgresql":
        yield url or f"sqlite:///{tmp}/bench.db"
        return
    with isolated_schema(url) as schema_url:
        yield schema_url


def load_average() -> str:
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "unknown"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--lifecycles", type=int, default=300)
    parser.add_argument("--incidents", type=int, default=10_000)
    parser.add_argument("--due", type=int, default=100)
    parser.add_argument("--url", help="database URL (default: a temporary SQLite file)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp, fresh_database(args.url, tmp) as url:
        factory = sql_uow_factory(url)
        try:
            rate, cpu_rate = bench_lifecycles(factory, args.lifecycles)
            print(
                f"lifecycles: {args.lifecycles} x {len(LIFECYCLE)} commands, {rate:,.0f} commands/s (goal >= 3,000); "
                f"{cpu_rate:,.0f} per second of CPU time; load average {load_average()}"
            )
            counted, commands = count_round_trips(factory, 20)
            print(
                f"per command ({factory.engine.dialect.name}): {counted.begins / commands:.2f} transactions, "
                f"{counted.statements / commands:.1f} statements, {counted.round_trips / commands:.1f} round trips "
                f"as counted by storage.statements (goal <= 5 on PostgreSQL)"
            )
            if factory.engine.dialect.name == "postgresql":
                turns, commands = wire_round_trips(url, 20)
                print(f"per command on the wire (PostgreSQL): {turns / commands:.2f} round trips (goal <= 5)")
            due = bench_due_query(factory, args.incidents, args.due)
            print(
                f"due_for_checkin: {args.incidents:,} active incidents, {due.found} due: "
                f"median {statistics.median(due.query_ms):.2f} ms, worst {max(due.query_ms):.2f} ms (goal <= 20 ms); "
                f"with its unit of work: median {statistics.median(due.wake_ms):.2f} ms"
            )
        finally:
            factory.dispose()


if __name__ == "__main__":
    main()
