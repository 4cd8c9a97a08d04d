"""The live dashboard: how soon an open page hears of a change written by another process, and what a page costs.

    python bench/dashboard_bench.py [--changes 30] [--pages 200] [--incidents 50]

Starts `crisisbot serve`'s application on loopback over a temporary SQLite file, opens one event stream, then commits
`--changes` status updates from a second runtime (its own engine, as the console would) and times each commit to the
`change` event (goal: p99 < 2 s, the watcher polls once a second). Then renders the board and an incident page
`--pages` times each with `--incidents` open incidents, and reports the watcher's query time.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from aiohttp.test_utils import TestClient, TestServer

from adapters.server import create_app
from adapters.web.watch import fingerprint_reader
from tests.web.crisis import environment, runtime_for, say


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


async def main(changes: int, pages: int, incidents: int) -> None:
    env = environment(Path(tempfile.mkdtemp()))
    runtime = runtime_for(env)
    for n in range(incidents):
        say(runtime, f"open Bench crisis {n} --sev {n % 4 + 1}", conversation=f"room-{n}")
        say(runtime, f"draft Holding statement {n}", conversation=f"room-{n}")
    client: TestClient = TestClient(TestServer(create_app(runtime)))  # type: ignore[type-arg]
    await client.start_server()
    link = say(runtime, "dashboard").text.split("/dashboard?", 1)[1]
    await client.get(f"/dashboard?{link}")
    console = runtime_for(env)
    await asyncio.sleep(1.5)
    stream = await client.get("/dashboard/events")
    await stream.content.readline()
    delays = []
    for n in range(changes):
        await asyncio.to_thread(say, console, f"update step {n}", conversation="room-0")
        committed = time.monotonic()
        while True:
            line = await asyncio.wait_for(stream.content.readline(), 10)
            if line.startswith(b"event: change"):
                break
        delays.append(time.monotonic() - committed)
        await asyncio.sleep(0.3)
    stream.close()
    print(f"commit -> change event, {changes} changes: p50 {percentile(delays, 0.5):.2f}s, "
          f"p99 {percentile(delays, 0.99):.2f}s, max {max(delays):.2f}s (goal p99 < 2 s)")
    for path in ("/dashboard", "/dashboard/CRI-1"):
        times = []
        for _ in range(pages):
            started = time.perf_counter()
            response = await client.get(path)
            await response.read()
            times.append(time.perf_counter() - started)
        print(f"GET {path} with {incidents} open incidents: median {statistics.median(times) * 1000:.1f} ms, "
              f"p99 {percentile(times, 0.99) * 1000:.1f} ms")
    read = fingerprint_reader(runtime.uow_factory)
    queries = []
    for _ in range(200):
        started = time.perf_counter()
        read()
        queries.append(time.perf_counter() - started)
    print(f"watcher query (shared by every open page, once a second): median {statistics.median(queries) * 1000:.2f} ms")
    await client.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--changes", type=int, default=30)
    parser.add_argument("--pages", type=int, default=200)
    parser.add_argument("--incidents", type=int, default=50)
    args = parser.parse_args()
    asyncio.run(main(args.changes, args.pages, args.incidents))
