"""More than 20,000 malformed Slack and Teams requests against the real server on loopback: no answer of 500 or
more, no traceback in the logs, no long log line, and memory flat once warmed up."""

from __future__ import annotations

import asyncio
import gc
import json
import logging
import os
import sys
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from adapters.runtime import build_runtime
from adapters.server import create_app
from adapters.slack import SLACK_DOOR
from tests.slack.conftest import BOT_TOKEN, serve
from tests.slack.fake_slack import FakeSlack
from tests.slack.slack_requests import SIGNING_SECRET
from tests.teams.fake_connector import FakeConnector

SEED = int(os.environ.get("CRISISBOT_FUZZ_SEED", "20261128"))
# Fewer with CRISISBOT_FUZZ_TOTAL while trying things; the suite sends the full count.
WARM_UP = int(os.environ.get("CRISISBOT_FUZZ_WARM_UP", "4000"))
TOTAL = int(os.environ.get("CRISISBOT_FUZZ_TOTAL", "22000"))
# What a log line may weigh: the reason for a refusal, attacker text cut by `shown`, the remote address.
LONGEST_LOG_LINE = 400
MEMORY_GROWTH_BOUND = 10 * 2**20


class LogCount(logging.Handler):
    """Counts what the server logs, without keeping 20,000 records (which would be the memory growth measured)."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.records = 0
        self.tracebacks: list[str] = []
        self.longest = ""

    def emit(self, record: logging.LogRecord) -> None:
        self.records += 1
        message = record.getMessage()
        if record.exc_info or record.stack_info or "Traceback" in message:
            self.tracebacks.append(f"{record.name}: {message[:300]}")
        if record.levelno >= logging.WARNING and len(message) > len(self.longest):
            self.longest = message


@contextmanager
def counting_logs() -> Iterator[LogCount]:
    """Replaces the root logger's handlers (pytest's among them, which keep every record) while the requests run."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    counter = LogCount()
    root.handlers[:] = [counter]
    root.setLevel(logging.INFO)
    try:
        yield counter
    finally:
        root.handlers[:] = handlers
        root.setLevel(level)


def resident_memory() -> int:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


@dataclass
class Server:
    url: str
    slack: FakeSlack
    connector: FakeConnector
    app: object


@pytest.fixture
async def server(tmp_path: Path) -> AsyncIterator[Server]:
    slack, connector = FakeSlack(), FakeConnector()
    slack_runner, slack_url = await serve(slack.app())
    slack.url = slack_url
    await connector.start()
    env = {"SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_SIGNING_SECRET": SIGNING_SECRET, "SLACK_API_URL": f"{slack_url}/api/",
           "DATABASE_URL": f"sqlite:///{tmp_path}/fuzz.db", "CRISISBOT_SCHEDULER": "off",
           "TEAMS_MESSAGES_PER_SECOND": "100000"}
    app = create_app(build_runtime(env))
    runner, url = await serve(app)
    yield Server(url, slack, connector, app)
    await runner.cleanup()
    await connector.stop()
    await slack_runner.cleanup()


async def fuzz(server: Server, seed: int, count: int) -> dict[str, Any]:
    """Runs the sending side in another process and waits for its summary; the server keeps running here."""
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "tests.fuzz.client", server.url, server.connector.url, str(seed), str(count),
        stdout=asyncio.subprocess.PIPE, cwd=Path(__file__).resolve().parents[2])
    out, _ = await process.communicate()
    assert process.returncode == 0, "the fuzz client failed (its error is above)"
    summary: dict[str, Any] = json.loads(out)
    return summary


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/self/statm").exists(), reason="resident memory is read from /proc (Linux)")
async def test_malformed_requests_get_no_5xx_no_traceback_and_memory_stays_flat(server: Server) -> None:
    work = server.app[SLACK_DOOR].work  # type: ignore[index]

    async def resident_after_the_work() -> int:
        await work.drain()
        server.slack.calls.clear()
        server.connector.clear()
        gc.collect()
        return resident_memory()

    with counting_logs() as log_count:
        warm_up = await fuzz(server, SEED, WARM_UP)
        before = await resident_after_the_work()
        rest = await fuzz(server, SEED + 1, TOTAL - WARM_UP)
        after = await resident_after_the_work()

    answers = Counter(warm_up["answers"]) + Counter(rest["answers"])
    assert sum(answers.values()) == TOTAL
    # Most requests are malformed on purpose (the rest: forged, ignored, and random mutations that may be valid).
    assert sum(n for key, n in answers.items() if key.endswith("-> 400")) > TOTAL // 2
    assert not warm_up["wrong"] + rest["wrong"], "\n".join(warm_up["wrong"] + rest["wrong"] + log_count.tracebacks[:5])
    assert not [key for key in answers if int(key.rsplit(" ", 1)[1]) >= 500], sorted(answers.items())
    assert not log_count.tracebacks, "\n".join(log_count.tracebacks[:10])
    assert len(log_count.longest) <= LONGEST_LOG_LINE, log_count.longest[:1000]
    assert after - before < MEMORY_GROWTH_BOUND, f"resident memory grew {(after - before) / 2**20:.1f} MB"
