"""Slack acknowledgement benchmark: `crisisbot serve` against a bare Bolt app that only acknowledges.

Both get the same signed slash commands and button clicks (built from tests/fixtures/slack) over loopback from
50 concurrent clients; each server runs in its own process and talks to the same fake Slack Web API (a third
process). Prints requests/s and p50/p99 acknowledgement latency for both, and their ratio.

    python bench/slack_bench.py [--requests 3000] [--clients 50]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import aiohttp

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.slack.slack_requests import FORM, SIGNING_SECRET, block_action, sign, slash_command  # noqa: E402

BOT_TOKEN = "xoxb-bench"
INCIDENTS = 5
GOALS = "goals: crisisbot p99 < 250 ms, throughput >= 60% of bare Bolt"


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
        return web.json_response({"calls": len(slack.calls)})

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

def bodies(count: int, phase: str) -> list[str]:
    """Alternating slash commands (a note: a write and a card refresh) and Approve clicks by a non-holder (a refusal)."""
    result = []
    for i in range(count):
        if i % 2 == 0:
            key = f"CRI-{i % INCIDENTS + 1}"
            result.append(slash_command(f"{key} note bench note {i}", user=f"UB{i % 50}", trigger_id=f"{phase}.{i}"))
        else:
            action = {"action_id": "crisis.run.0", "block_id": "b", "value": "CRI-1 approve 1"}
            result.append(block_action(action, f"UB{i % 50}", "C111", "1700000000.000001", action_ts=f"{i}.{phase}"))
    return result


async def post(session: aiohttp.ClientSession, url: str, body: str) -> float:
    headers = {"Content-Type": FORM, **sign(body)}
    started = time.perf_counter()
    async with session.post(url, data=body.encode(), headers=headers) as response:
        await response.read()
        if response.status != 200:
            raise RuntimeError(f"{url} answered {response.status}")
    return time.perf_counter() - started


async def load(url: str, requests: list[str], clients: int) -> tuple[float, list[float]]:
    queue = list(reversed(requests))
    latencies: list[float] = []
    connector = aiohttp.TCPConnector(limit=clients)
    async with aiohttp.ClientSession(connector=connector) as session:
        async def client() -> None:
            while queue:
                latencies.append(await post(session, url, queue.pop()))

        started = time.perf_counter()
        await asyncio.gather(*(client() for _ in range(clients)))
        return time.perf_counter() - started, latencies


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


async def settle(slack_url: str, quiet: float = 1.0, timeout: float = 300.0) -> float:
    """Seconds until the fake Slack stops receiving calls: the crisisbot work left after the last ack."""
    started = time.monotonic()
    last, last_change = -1, time.monotonic()
    async with aiohttp.ClientSession() as session:
        while time.monotonic() - started < timeout:
            async with session.get(f"{slack_url}/stats") as response:
                calls = (await response.json())["calls"]
            if calls != last:
                last, last_change = calls, time.monotonic()
            elif time.monotonic() - last_change >= quiet:
                return last_change - started
            await asyncio.sleep(0.1)
    return timeout


def report(name: str, elapsed: float, latencies: list[float]) -> float:
    ordered = sorted(latencies)
    rate = len(ordered) / elapsed
    p50 = statistics.median(ordered) * 1000
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] * 1000
    print(f"{name:<16} {rate:9.0f} req/s   p50 {p50:7.1f} ms   p99 {p99:7.1f} ms   ({len(ordered)} requests)")
    return rate


async def main(requests: int, clients: int) -> None:
    slack_port, bot_port, bare_port = free_port(), free_port(), free_port()
    slack_url = f"http://127.0.0.1:{slack_port}"
    workdir = tempfile.mkdtemp(prefix="crisisbot-bench-")
    env = {
        **os.environ, "SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_API_URL": f"{slack_url}/api/",
        "DATABASE_URL": f"sqlite:///{workdir}/bench.db", "LOG_LEVEL": "ERROR", "PYTHONPATH": str(REPO),
    }
    me = [sys.executable, __file__]
    processes = [
        subprocess.Popen([*me, "--fake-slack", str(slack_port)], cwd=workdir, env=env),
        subprocess.Popen([sys.executable, "-m", "adapters.cli", "serve", "--port", str(bot_port), "--host", "127.0.0.1"],
                         cwd=workdir, env=env),
        subprocess.Popen([*me, "--bare-bolt", str(bare_port), slack_url], cwd=workdir, env=env),
    ]
    try:
        await wait_until_up(f"{slack_url}/stats")
        await wait_until_up(f"http://127.0.0.1:{bot_port}/healthz")
        await wait_until_up(f"http://127.0.0.1:{bare_port}/slack/events")
        bot_url, bare_url = f"http://127.0.0.1:{bot_port}/slack/events", f"http://127.0.0.1:{bare_port}/slack/events"
        async with aiohttp.ClientSession() as session:
            for n in range(INCIDENTS):
                await post(session, bot_url, slash_command(f"open Bench crisis {n} --sev 2", trigger_id=f"setup.{n}"))
                await settle(slack_url, quiet=0.3)
            await post(session, bot_url, slash_command("CRI-1 draft Bench statement", trigger_id="setup.draft"))
            await settle(slack_url, quiet=0.5)
        await load(bare_url, bodies(200, "warm"), clients)
        await load(bot_url, bodies(200, "warm"), clients)
        await settle(slack_url, quiet=0.5)
        print(f"{requests} requests (half /crisis slash commands, half button clicks), {clients} concurrent clients")
        print(GOALS)
        bare_rate = report("bare Bolt", *await load(bare_url, bodies(requests, "run"), clients))
        bot_rate = report("crisisbot serve", *await load(bot_url, bodies(requests, "run"), clients))
        backlog = await settle(slack_url)
        print(f"ratio            {bot_rate / bare_rate:9.0%} of bare Bolt's throughput")
        print(f"crisisbot finished the work behind the acks {backlog:.1f} s after the last ack (SQLite, fake Web API)")
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
        parser.add_argument("--requests", type=int, default=3000)
        parser.add_argument("--clients", type=int, default=50)
        args = parser.parse_args()
        asyncio.run(main(args.requests, args.clients))
