"""A `crisisbot serve` process killed with SIGKILL right after acknowledging a burst, then started again.

Shared by the kill -9 test and `bench/recovery_bench.py`: the server runs in a subprocess against a fake Slack Web
API served by the caller's event loop; what ran is read from the database, what was answered from the fake Slack.
"""

from __future__ import annotations

import asyncio
import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import aiohttp
from sqlalchemy import Engine, text

from bot import events as ev
from storage import make_engine, sql_uow_factory
from tests.slack.fake_slack import FakeSlack
from tests.slack.slack_requests import FORM, SIGNING_SECRET, sign, slash_command

ROOT = Path(__file__).resolve().parents[2]
CLIENTS = 50


@dataclass
class CrashRun:
    acknowledged: int
    done_at_kill: int
    # From starting the second process until every acknowledged request had run.
    recovery_seconds: float
    # How many times each request's effect (its note) is on the incident's timeline, and its answer was posted.
    effects: Counter[str]
    answers: Counter[str]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def token(n: int) -> str:
    return f"k{n:05}"


class Server:
    def __init__(self, database_url: str, slack_url: str, workdir: Path, log_level: str = "ERROR") -> None:
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.workdir = workdir
        self.env = {
            **os.environ, "SLACK_BOT_TOKEN": "xoxb-crash", "SLACK_SIGNING_SECRET": SIGNING_SECRET,
            "SLACK_API_URL": f"{slack_url}/api/", "DATABASE_URL": database_url, "LOG_LEVEL": log_level,
            "PYTHONPATH": str(ROOT),
        }
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        command = [sys.executable, "-m", "adapters.cli", "serve", "--port", str(self.port), "--host", "127.0.0.1"]
        self.process = subprocess.Popen(command, cwd=self.workdir, env=self.env)

    async def up(self, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        async with aiohttp.ClientSession() as session:
            while time.monotonic() < deadline:
                try:
                    async with session.get(f"{self.url}/healthz") as response:
                        if response.status == 200:
                            return
                except aiohttp.ClientError:
                    pass
                await asyncio.sleep(0.1)
        raise RuntimeError("crisisbot serve did not come up")

    def kill(self) -> None:
        assert self.process is not None
        os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


async def _post(session: aiohttp.ClientSession, url: str, body: str) -> int:
    async with session.post(f"{url}/slack/events", data=body.encode(), headers={"Content-Type": FORM, **sign(body)}) as r:
        await r.read()
        return r.status


async def _burst(url: str, bodies: list[str]) -> int:
    """Sends them from CLIENTS concurrent clients; how many were acknowledged (200)."""
    queue = list(reversed(bodies))
    acknowledged = 0
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=CLIENTS)) as session:
        async def client() -> None:
            nonlocal acknowledged
            while queue:
                status = await _post(session, url, queue.pop())
                acknowledged += status == 200

        await asyncio.gather(*(client() for _ in range(CLIENTS)))
    return acknowledged


def _done(database_url: str, engine: Engine | None = None) -> int:
    own = engine is None
    engine = engine or make_engine(database_url)
    try:
        with engine.connect() as connection:
            query = "SELECT count(*) FROM request_log WHERE request_id LIKE 'slack:command:crash-%'"
            return int(connection.execute(text(query)).scalar_one())
    finally:
        if own:
            engine.dispose()


async def _until(found: int, database_url: str, timeout: float) -> None:
    # One engine for the whole wait: a new one per look (ten a second) took CPU from the server being timed.
    engine = make_engine(database_url)
    try:
        deadline = time.monotonic() + timeout
        while await asyncio.to_thread(_done, database_url, engine) < found:
            if time.monotonic() > deadline:
                return
            await asyncio.sleep(0.1)
    finally:
        engine.dispose()


async def crash_and_recover(database_url: str, slack: FakeSlack, slack_url: str, workdir: Path, requests: int,
                            timeout: float = 120.0, log_level: str = "ERROR") -> CrashRun:
    first = Server(database_url, slack_url, workdir, log_level)
    second = Server(database_url, slack_url, workdir, log_level)
    try:
        first.start()
        await first.up()
        async with aiohttp.ClientSession() as session:
            assert await _post(session, first.url, slash_command("open Crash drill --sev 2", trigger_id="setup")) == 200
        deadline = time.monotonic() + 30
        while not await asyncio.to_thread(_opened, database_url) and time.monotonic() < deadline:
            await asyncio.sleep(0.1)
        bodies = [slash_command(f"CRI-1 note crash {token(n)} end", trigger_id=f"crash-{n}") for n in range(requests)]
        acknowledged = await _burst(first.url, bodies)
        first.kill()
        done_at_kill = await asyncio.to_thread(_done, database_url)
        started = time.monotonic()
        second.start()
        await _until(requests, database_url, timeout)
        recovery_seconds = time.monotonic() - started
        await _quiet(slack)  # the last answers, delivered after their commands ran
    finally:
        first.stop()
        second.stop()
    effects, answers = _counted(database_url, slack, requests)
    return CrashRun(acknowledged, done_at_kill, recovery_seconds, effects, answers)


async def _quiet(slack: FakeSlack, quiet: float = 1.0, timeout: float = 30.0) -> None:
    """Until the fake Slack has had no call for `quiet` seconds."""
    deadline = time.monotonic() + timeout
    seen, since = len(slack.calls), time.monotonic()
    while time.monotonic() - since < quiet and time.monotonic() < deadline:
        await asyncio.sleep(0.1)
        if len(slack.calls) != seen:
            seen, since = len(slack.calls), time.monotonic()


def _opened(database_url: str) -> bool:
    factory = sql_uow_factory(database_url)
    try:
        with factory() as uow:
            return uow.incidents.get("CRI-1") is not None
    except Exception:  # the server is still creating the schema
        return False
    finally:
        factory.dispose()


def _counted(database_url: str, slack: FakeSlack, requests: int) -> tuple[Counter[str], Counter[str]]:
    factory = sql_uow_factory(database_url)
    try:
        with factory() as uow:
            incident = uow.incidents.get_whole("CRI-1")
    finally:
        factory.dispose()
    assert incident is not None
    notes = [e.event.text for e in incident.timeline if isinstance(e.event, ev.NoteAdded)]
    effects = Counter(note.split()[1] for note in notes if note.startswith("crash "))
    posted = [str(c.params.get("text", "")) for c in slack.called("chat.postMessage")]
    answers = Counter(found for message in posted for found in re.findall(r"crash (k\d{5}) end", message))
    return effects, answers
