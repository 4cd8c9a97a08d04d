"""The scheduler with 10,000 active incidents (a temporary SQLite file unless --url says otherwise).

    python bench/scheduler_bench.py [--incidents 10000] [--due 100] [--rounds 20] [--seconds 10] [--url ...]

Prints the cost of one wake-up when 100 check-ins are due (recording them with their outbox messages, then
handing them to the gateway), the delay from due time to gateway with the real APScheduler ticking every
second (p50/p99), and how much the process's memory grew, with the SQL statements (round trips) of a wake-up.
Goals: a wake-up under 50 ms, p99 delay under 2 s, memory growth under 50 MB. The incidents are seeded by a child
process, so the memory measured is the scheduler's own.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import bindparam, update

from adapters.runtime import build_runtime
from adapters.scheduler import Scheduler
from bench.core_bench import fresh_database, load_average
from bot.config import Settings
from bot.model import Conversation, Incident
from bot.reminders import Courier, Reminders
from bot.replies import Card, Reply, Room
from storage import SqlUnitOfWorkFactory, sql_uow_factory
from storage import tables as t
from storage.statements import counting

FAR = timedelta(days=7)
SET_DUE = update(t.incidents).where(t.incidents.c.number == bindparam("n")).values(
    next_update_due=bindparam("due", type_=t.UTCDateTime)
)


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def seed(url: str, total: int) -> None:
    """Active incidents, each in its own conversation, all due a week from now; one in a hundred has a draft."""
    factory = sql_uow_factory(url)
    settings, now = Settings(), datetime.now(UTC)
    for start in range(0, total, 1000):
        with factory() as uow:
            for number in range(start + 1, min(start + 1000, total) + 1):
                room = Conversation("console", f"room-{number}")
                incident = Incident.open(number, f"Incident {number}", 2, "rita", now, settings, conversation=room)
                if number % 100 == 0:
                    incident.create_draft("We are looking into it.", "rita", now, settings)
                incident.next_update_due = now + FAR
                uow.incidents.add(incident)
            uow.commit()
    factory.dispose()


def make_due(factory: SqlUnitOfWorkFactory, due: dict[int, datetime]) -> None:
    with factory() as uow:
        uow.connection.execute(SET_DUE, [{"n": n, "due": at} for n, at in due.items()])  # type: ignore[attr-defined]
        uow.connection.commit()  # type: ignore[attr-defined]


class TimingGateway:
    platform = "console"

    def __init__(self) -> None:
        self.received: list[tuple[str, float]] = []

    async def post(self, conversation: str, reply: Reply) -> str | None:
        self.received.append((reply.incident or "", time.time()))
        return None

    async def update(self, conversation: str, message_ref: str, card: Card) -> None:
        return None

    async def notify(self, person: str, reply: Reply) -> None:
        return None

    async def open_room(self, incident: Incident, members: Sequence[str]) -> Room | None:
        return None


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def bench_wake_ups(factory: SqlUnitOfWorkFactory, total: int, due: int, rounds: int) -> None:
    settings = Settings()
    gateway = TimingGateway()
    reminders, courier = Reminders(factory, settings), Courier(factory, {"console": gateway})  # type: ignore[arg-type]
    numbers = random.Random(1).sample(range(1, total + 1), due * rounds)
    idle, record, deliver, cpu = [], [], [], []
    statements: list[int] = []
    trips: list[int] = []
    for r in range(rounds):
        now = datetime.now(UTC)
        started = time.perf_counter()
        assert reminders.wake(now).checkins == 0
        idle.append((time.perf_counter() - started) * 1000)
        make_due(factory, {n: now - timedelta(seconds=1) for n in numbers[r * due : (r + 1) * due]})
        with counting(factory.engine) as counted:
            started, cpu_started = time.perf_counter(), time.process_time()
            # As the scheduler does: what is to be sent is claimed in the transaction that records the reminders.
            result = reminders.wake(now, courier.terms())
            recorded = time.perf_counter()
            delivered = await courier.deliver(lambda at=now: at, result.claimed)
            done = time.perf_counter()
            cpu.append((time.process_time() - cpu_started) * 1000)
        statements.append(counted.statements)
        trips.append(counted.round_trips)
        assert (result.checkins, delivered) == (due, due), (result, delivered)
        record.append((recorded - started) * 1000)
        deliver.append((done - recorded) * 1000)
    whole = [a + b for a, b in zip(record, deliver, strict=True)]
    print(f"wake-up, nothing due: median {statistics.median(idle):.1f} ms")
    print(
        f"wake-up, {due} due: median {statistics.median(whole):.1f} ms, worst {max(whole):.1f} ms "
        f"(recording {statistics.median(record):.1f} ms + delivery {statistics.median(deliver):.1f} ms) (goal < 50 ms), "
        f"{min(statements)}-{max(statements)} SQL statements, {min(trips)}-{max(trips)} round trips; "
        f"this process's CPU time: median {statistics.median(cpu):.1f} ms; load average {load_average()}"
    )


async def bench_delay(url: str, factory: SqlUnitOfWorkFactory, total: int, due: int, seconds: int) -> None:
    """The real scheduler, ticking every second; `due` check-ins come due at random moments of each second."""
    runtime = build_runtime({"DATABASE_URL": url}, factory)
    gateway = TimingGateway()
    runtime.add_gateway(gateway)  # type: ignore[arg-type]
    scheduler = Scheduler(runtime)
    rng = random.Random(2)
    start = datetime.now(UTC) + timedelta(seconds=2)
    numbers = rng.sample(range(1, total + 1), due * seconds)
    schedule = {n: start + timedelta(seconds=i // due + rng.random()) for i, n in enumerate(numbers)}
    make_due(factory, schedule)
    await scheduler.start()
    await asyncio.sleep(seconds + 4)
    await scheduler.stop()
    by_key = {f"CRI-{n}": at.timestamp() for n, at in schedule.items()}
    delays = [received - by_key[key] for key, received in gateway.received if key in by_key]
    assert len(delays) == len(schedule), f"{len(delays)} of {len(schedule)} reminders arrived"
    print(
        f"due-to-gateway delay, {len(delays)} reminders over {seconds} s, tick 1 s: "
        f"p50 {percentile(delays, 0.5):.2f} s, p99 {percentile(delays, 0.99):.2f} s (goal p99 < 2 s)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--incidents", type=int, default=10_000)
    parser.add_argument("--due", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--url", help="database URL (default: a temporary SQLite file)")
    parser.add_argument("--seed-only", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.seed_only:
        seed(args.url, args.incidents)
        return
    with tempfile.TemporaryDirectory() as tmp, fresh_database(args.url, tmp) as url:
        started = time.perf_counter()
        seeder = [sys.executable, __file__, "--seed-only", "--url", url, "--incidents", str(args.incidents)]
        subprocess.run(seeder, check=True)
        print(f"seeded {args.incidents:,} active incidents in {time.perf_counter() - started:.1f} s")
        factory = sql_uow_factory(url)
        try:
            with factory() as uow:
                uow.incidents.due_for_checkin(datetime.now(UTC))
            before = rss_mb()
            asyncio.run(bench_wake_ups(factory, args.incidents, args.due, args.rounds))
            asyncio.run(bench_delay(url, factory, args.incidents, args.due, args.seconds))
            after = rss_mb()
            print(f"memory: {before:.0f} MB before, {after:.0f} MB after, growth {after - before:.1f} MB (goal < 50 MB)")
        finally:
            factory.dispose()


if __name__ == "__main__":
    main()
