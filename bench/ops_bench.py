"""The operator's kit, measured: what instrumentation adds to a request, a scrape, and pruning (SQLite unless --url).

    python bench/ops_bench.py [--incidents 1000] [--backlog 10000] [--old 100000] [--url postgresql+psycopg://...]

Prints the cost of counting one door request and one command (goal: a few microseconds, no I/O), the time of one
`/metrics` scrape with that many open incidents and that much inbox and outbox backlog (goal <= 50 ms), and how fast
retention deletes old delivery records, with the time of the longest batch transaction (goal <= 100 ms, so commands
are never held up long).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from prometheus_client.exposition import generate_latest
from sqlalchemy import Engine, event, insert

from adapters import prometheus
from adapters.runtime import build_runtime
from bot.commands import Origin
from bot.grammar import parse
from storage import SqlUnitOfWorkFactory, sql_uow_factory
from storage.inbox import inbox
from storage.outbox import outbox
from storage.retention import prune
from storage.tables import requests
from tests.pg import isolated_schema

NOW = datetime.now(UTC)
OLD = NOW - timedelta(days=40)


def bench_counting(n: int = 200_000) -> tuple[float, float]:
    started = time.perf_counter()
    for _ in range(n):
        prometheus.request_seen("slack", "ok", 0.012)
    per_request = (time.perf_counter() - started) / n
    meter = prometheus.CommandCounter()
    started = time.perf_counter()
    for _ in range(n):
        meter.command("OpenIncident", "ok")
    return per_request, (time.perf_counter() - started) / n


def fill_backlog(factory: SqlUnitOfWorkFactory, incidents: int, backlog: int) -> None:
    runtime = build_runtime({}, uow_factory=factory)
    for n in range(incidents):
        runtime.dispatcher.dispatch(parse(f"open Outage {n} --sev {n % 4 + 1}"), Origin("alice", "console", f"r{n}"))
    inbox_rows = [{"request_id": f"pending-{n}", "platform": "slack", "person": "U1", "conversation": "C1",
                   "command": "{}", "reply_to": "", "accepted_at": NOW} for n in range(backlog)]
    outbox_rows = [{"id": f"CRI-1#{n}:checkin:slack:C1", "platform": "slack", "target": "C1", "direct": False,
                    "reply": {}, "created_at": NOW, "state": "pending", "attempts": 0, "last_error": ""}
                   for n in range(backlog)]
    with factory.engine.begin() as db:
        db.execute(insert(inbox), inbox_rows)
        db.execute(insert(outbox), outbox_rows)


def bench_scrape(factory: SqlUnitOfWorkFactory, runs: int = 20) -> float:
    registry = prometheus.registry_for(build_runtime({}, uow_factory=factory))
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        generate_latest(registry)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def fill_old(engine: Engine, old: int) -> None:
    third = old // 3
    rows: dict[Any, list[dict[str, Any]]] = {
        requests: [{"request_id": f"old-{n}", "reply": "ok", "created_at": OLD} for n in range(third)],
        inbox: [{"request_id": f"old-in-{n}", "platform": "slack", "person": "U1", "conversation": "C1",
                 "command": "{}", "reply_to": "", "accepted_at": OLD, "finished_at": OLD} for n in range(third)],
        outbox: [{"id": f"old-out-{n}", "platform": "slack", "target": "C1", "direct": False, "reply": {},
                  "created_at": OLD, "state": "sent", "sent_at": OLD, "attempts": 1, "last_error": ""}
                 for n in range(third)],
    }
    with engine.begin() as db:
        for table, values in rows.items():
            for start in range(0, len(values), 5_000):
                db.execute(insert(table), values[start:start + 5_000])


def bench_prune(engine: Engine) -> tuple[int, float, float]:
    longest = 0.0
    began: dict[int, float] = {}

    def on_begin(connection: Any) -> None:
        began[id(connection)] = time.perf_counter()

    def on_commit(connection: Any) -> None:
        nonlocal longest
        longest = max(longest, time.perf_counter() - began.pop(id(connection), time.perf_counter()))

    event.listen(engine, "begin", on_begin)
    event.listen(engine, "commit", on_commit)
    started = time.perf_counter()
    pruned = prune(engine, NOW - timedelta(days=30))
    elapsed = time.perf_counter() - started
    event.remove(engine, "begin", on_begin)
    event.remove(engine, "commit", on_commit)
    return pruned.total, elapsed, longest


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--incidents", type=int, default=1_000)
    parser.add_argument("--backlog", type=int, default=10_000)
    parser.add_argument("--old", type=int, default=100_000)
    parser.add_argument("--url", help="a database URL; 'postgres' for a fresh schema on the test server")
    args = parser.parse_args()
    per_request, per_command = bench_counting()
    print(f"counting a door request (counter + histogram): {per_request * 1e6:.2f} µs; "
          f"a command: {per_command * 1e6:.2f} µs")
    with tempfile.TemporaryDirectory() as folder:
        if args.url == "postgres":
            with isolated_schema() as url:
                run_on(url, args)
        else:
            run_on(args.url or f"sqlite:///{folder}/bench.db", args)


def run_on(url: str, args: argparse.Namespace) -> None:
    factory = sql_uow_factory(url)
    try:
        fill_backlog(factory, args.incidents, args.backlog)
        scrape = bench_scrape(factory)
        print(f"/metrics scrape with {args.incidents} open incidents and {args.backlog} + {args.backlog} backlog rows: "
              f"{scrape * 1000:.1f} ms (median of 20)")
        fill_old(factory.engine, args.old)
        total, elapsed, longest = bench_prune(factory.engine)
        print(f"retention: {total} old rows deleted in {elapsed:.2f} s ({total / elapsed:,.0f} rows/s); "
              f"longest batch transaction {longest * 1000:.1f} ms")
    finally:
        factory.dispose()


if __name__ == "__main__":
    main()
