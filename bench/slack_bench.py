"""Slack benchmark: acknowledgements against a bare Bolt app, then the work behind them, end to end.

Both servers get the same N distinct signed `/crisis CRI-1 note …` slash commands (into one incident) over loopback
from 50 concurrent clients; each runs in its own process and talks to the same fake Slack Web API (a third process,
which also serves the response URLs). Then the benchmark waits until every command crisisbot acknowledged is on the
incident's timeline (read from its SQLite file), and prints: requests/s and p50/p99 acknowledgement latency for both
and their ratio; commands processed per second over the whole run (load plus drain); the `chat.update`s that
reached the fake Slack, per card and per second; the server's peak RSS; and the CPU time each server used per request
(user plus system, all threads), a figure that depends far less on the machine's other load than rates do.

    python bench/slack_bench.py [--requests 20000] [--clients 50]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import aiohttp

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.slack.slack_requests import FORM, SIGNING_SECRET, sign, slash_command  # noqa: E402

BOT_TOKEN = "xoxb-bench"
GOALS = ("goals (SQLite): acks >= 60% of bare Bolt, p99 < 100 ms; every acknowledged command processed at "
         ">= 1,000 commands/s end to end; <= 2 card updates per second per card; peak RSS < 120 MB")
NOTE = "NoteAdded"  # `bot.events.event_kind` of a note on the timeline


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


# The two helper processes.

def run_fake_slack(port: int) -> None:
    from aiohttp import web

    from tests.slack.fake_slack import FakeSlack

    slack = FakeSlack()
    app = slack.app()

    async def stats(request: web.Request) -> web.Response:
        # Card updates by card (conversation and message), counted here rather than kept: 40,000 calls are many.
        updates = Counter(f"{c.params.get('channel')} {c.params.get('ts')}"
                          for c in slack.calls if c.method == "chat.update")
        return web.json_response({"calls": len(slack.calls), "updates": updates})

    app.router.add_get("/stats", stats)
    web.run_app(app, host="127.0.0.1", port=port, print=lambda _: None)


def run_bare_bolt(port: int, slack_url: str) -> None:
    from aiohttp import web
    from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
    from slack_bolt.async_app import AsyncApp
    from slack_sdk.web.async_client import AsyncWebClient

    bolt = AsyncApp(signing_secret=SIGNING_SECRET, client=AsyncWebClient(token=BOT_TOKEN, base_url=f"{slack_url}/api/"))

    async def just_ack(ack):  # type: ignore[no-untyped-def]
        await ack()

    bolt.command("/crisis")(just_ack)
    bolt.action(re.compile(".*"))(just_ack)

    async def events(request: web.Request) -> web.Response:
        return await to_aiohttp_response(await bolt.async_dispatch(await to_bolt_request(request)))

    app = web.Application()
    app.router.add_post("/slack/events", events)
    web.run_app(app, host="127.0.0.1", port=port, print=lambda _: None)


# The load.

def bodies(count: int, phase: str, slack_url: str) -> list[str]:
    """Distinct notes into one incident, from 50 people; answers go to the fake Slack's response URLs."""
    return [
        slash_command(f"CRI-1 note {phase} {i}", user=f"UB{i % 50}", trigger_id=f"{phase}.{i}",
                      response_url=f"{slack_url}/respond/{phase}-{i}")
        for i in range(count)
    ]


async def post(session: aiohttp.ClientSession, url: str, body: str) -> tuple[bool, float]:
    headers = {"Content-Type": FORM, **sign(body)}
    started = time.perf_counter()
    try:
        async with session.post(url, data=body.encode(), headers=headers) as response:
            await response.read()
            acknowledged = response.status == 200
    except aiohttp.ClientError:
        acknowledged = False
    return acknowledged, time.perf_counter() - started


async def load(url: str, requests: list[str], clients: int) -> tuple[float, list[float], int]:
    """Seconds, the latency of each acknowledgement, how many were not acknowledged."""
    queue = list(reversed(requests))
    latencies: list[float] = []
    failed = 0
    connector = aiohttp.TCPConnector(limit=clients)
    async with aiohttp.ClientSession(connector=connector) as session:
        async def client() -> None:
            nonlocal failed
            while queue:
                acknowledged, latency = await post(session, url, queue.pop())
                if acknowledged:
                    latencies.append(latency)
                else:
                    failed += 1

        started = time.perf_counter()
        await asyncio.gather(*(client() for _ in range(clients)))
        return time.perf_counter() - started, latencies, failed


async def wait_until_up(url: str, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    async with aiohttp.ClientSession() as session:
        while True:
            try:
                async with session.get(url) as response:
                    if response.status < 500:
                        return
            except aiohttp.ClientError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"{url} did not come up")
            await asyncio.sleep(0.1)


async def stats(slack_url: str) -> dict[str, object]:
    async with aiohttp.ClientSession() as session, session.get(f"{slack_url}/stats") as response:
        result: dict[str, object] = await response.json()
        return result


async def settle(slack_url: str, quiet: float = 1.0, timeout: float = 300.0) -> None:
    """Until the fake Slack stops receiving calls."""
    started = time.monotonic()
    last, last_change = -1, time.monotonic()
    while time.monotonic() - started < timeout:
        calls = (await stats(slack_url))["calls"]
        if calls != last:
            last, last_change = calls, time.monotonic()
        elif time.monotonic() - last_change >= quiet:
            return
        await asyncio.sleep(0.1)


def noted(database: Path, phase: str) -> tuple[int, int]:
    """Notes of this phase on the timeline, and how many distinct ones (equal unless one ran twice)."""
    with sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=5) as db:
        row = db.execute(
            "SELECT count(*), count(DISTINCT json_extract(data, '$.text')) FROM timeline_entries"
            " WHERE kind = ? AND json_extract(data, '$.text') LIKE ?", (NOTE, f"{phase} %"),
        ).fetchone()
    return int(row[0]), int(row[1])


async def processed(database: Path, phase: str, expected: int, timeout: float) -> tuple[int, int, float]:
    """Waits until `expected` notes of the phase are on the timeline (or `timeout`): counts and when it ended."""
    deadline = time.monotonic() + timeout
    while True:
        total, distinct = await asyncio.to_thread(noted, database, phase)
        if total >= expected or time.monotonic() > deadline:
            return total, distinct, time.perf_counter()
        await asyncio.sleep(0.2)


def rss_kb(pid: int, field: str) -> int:
    """VmRSS (now) or VmHWM (peak) of a process, in kB (Linux)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1])
    return 0


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time a process (all its threads) has used so far (Linux)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def report(name: str, elapsed: float, latencies: list[float], failed: int) -> float:
    ordered = sorted(latencies)
    rate = len(ordered) / elapsed
    p50 = statistics.median(ordered) * 1000
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] * 1000
    lost = f", {failed} NOT acknowledged" if failed else ""
    print(f"{name:<16} {rate:9.0f} req/s   p50 {p50:7.1f} ms   p99 {p99:7.1f} ms   ({len(ordered)} acknowledged{lost})")
    return rate


async def main(requests: int, clients: int, timeout: float) -> None:
    slack_port, bot_port, bare_port = free_port(), free_port(), free_port()
    slack_url = f"http://127.0.0.1:{slack_port}"
    workdir = tempfile.mkdtemp(prefix="crisisbot-bench-")
    database = Path(workdir) / "bench.db"
    env = {
        **os.environ, "SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_API_URL": f"{slack_url}/api/",
        "DATABASE_URL": f"sqlite:///{database}", "LOG_LEVEL": "ERROR", "PYTHONPATH": str(REPO),
    }
    me = [sys.executable, __file__]
    server = subprocess.Popen([sys.executable, "-m", "adapters.cli", "serve", "--port", str(bot_port), "--host",
                               "127.0.0.1"], cwd=workdir, env=env)
    processes = [
        subprocess.Popen([*me, "--fake-slack", str(slack_port)], cwd=workdir, env=env),
        server,
        subprocess.Popen([*me, "--bare-bolt", str(bare_port), slack_url], cwd=workdir, env=env),
    ]
    try:
        await wait_until_up(f"{slack_url}/stats")
        await wait_until_up(f"http://127.0.0.1:{bot_port}/healthz")
        await wait_until_up(f"http://127.0.0.1:{bare_port}/slack/events")
        bot_url, bare_url = f"http://127.0.0.1:{bot_port}/slack/events", f"http://127.0.0.1:{bare_port}/slack/events"
        async with aiohttp.ClientSession() as session:
            await post(session, bot_url, slash_command("open Bench crisis --sev 2", trigger_id="setup.open",
                                                       response_url=f"{slack_url}/respond/setup"))
        await settle(slack_url, quiet=0.5)
        await load(bare_url, bodies(200, "warm", slack_url), clients)
        await load(bot_url, bodies(200, "warm", slack_url), clients)
        await processed(database, "warm", 200, 60)
        await settle(slack_url, quiet=1.5)  # past the card refresher's window
        updates_before = Counter((await stats(slack_url))["updates"])  # type: ignore[arg-type]
        with open("/proc/loadavg") as f:
            print(f"load average before the run: {' '.join(f.read().split()[:3])} ({os.cpu_count()} cores)")
        print(f"{requests} distinct `/crisis CRI-1 note …` slash commands, {clients} concurrent clients, SQLite")
        print(GOALS)
        bare_cpu = cpu_seconds(processes[2].pid)
        bare_rate = report("bare Bolt", *await load(bare_url, bodies(requests, "run", slack_url), clients))
        bare_cpu = cpu_seconds(processes[2].pid) - bare_cpu
        bot_cpu = cpu_seconds(server.pid)
        started = time.perf_counter()
        elapsed, latencies, failed = await load(bot_url, bodies(requests, "run", slack_url), clients)
        bot_rate = report("crisisbot serve", elapsed, latencies, failed)
        acking_cpu = cpu_seconds(server.pid) - bot_cpu
        print(f"ratio            {bot_rate / bare_rate:9.0%} of bare Bolt's acknowledgements per second")
        print(f"at the last ack  {(await asyncio.to_thread(noted, database, 'run'))[0]} commands processed")
        total, distinct, done = await processed(database, "run", len(latencies), timeout)
        whole = done - started
        bot_cpu = cpu_seconds(server.pid) - bot_cpu
        # CPU time per request depends far less on what else the machine runs than rates do.
        print(f"server CPU       bare Bolt {bare_cpu / requests * 1000:.2f} ms per acknowledgement; crisisbot "
              f"{acking_cpu / requests * 1000:.2f} ms per request while acknowledging, "
              f"{bot_cpu / max(total, 1) * 1000:.2f} ms per command over load plus drain")
        missing = f"; {len(latencies) - total} acknowledged commands NOT processed within {timeout:.0f} s" \
            if total < len(latencies) else ""
        twice = f"; {total - distinct} ran twice" if distinct != total else ""
        print(f"processed        {total} of {len(latencies)} acknowledged commands in {whole:.1f} s (load "
              f"{elapsed:.1f} s + drain {whole - elapsed:.1f} s): {total / whole:,.0f} commands/s end to end"
              f"{missing}{twice}")
        await settle(slack_url, quiet=1.5)
        updated = Counter((await stats(slack_url))["updates"])  # type: ignore[arg-type]
        updated.subtract(updates_before)
        cards = {card: n for card, n in updated.items() if n > 0}
        busiest = max(cards.values(), default=0)
        print(f"card updates     {sum(cards.values())} chat.update on {len(cards)} card(s) for {total} commands; "
              f"busiest card {busiest} updates, {busiest / whole:.2f} per second")
        print(f"peak RSS         {rss_kb(server.pid, 'VmHWM') / 1024:.0f} MB (crisisbot serve; "
              f"{rss_kb(server.pid, 'VmRSS') / 1024:.0f} MB at the end)")
        with open("/proc/loadavg") as f:
            print(f"load average after the run: {' '.join(f.read().split()[:3])}")
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(timeout=10)


if __name__ == "__main__":
    if len(sys.argv) >= 3 and sys.argv[1] == "--fake-slack":
        run_fake_slack(int(sys.argv[2]))
    elif len(sys.argv) >= 4 and sys.argv[1] == "--bare-bolt":
        run_bare_bolt(int(sys.argv[2]), sys.argv[3])
    else:
        parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
        parser.add_argument("--requests", type=int, default=20_000)
        parser.add_argument("--clients", type=int, default=50)
        parser.add_argument("--timeout", type=float, default=600, help="seconds to wait for the work behind the acks")
        args = parser.parse_args()
        asyncio.run(main(args.requests, args.clients, args.timeout))
