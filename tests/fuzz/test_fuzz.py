"""More than 20,000 malformed Slack and Teams requests against the real server on loopback: no answer of 500 or
more, no traceback in the logs, no long log line, and memory flat once warmed up."""

from __future__ import annotations

import asyncio
import gc
import io
import logging
import os
import random
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import aiohttp
import pytest

from adapters.runtime import build_runtime
from adapters.server import create_app
from adapters.slack import SLACK_DOOR
from tests.fuzz.bodies import ANY, FORGED, IGNORED, MALFORMED, Sent, SlackBodies, TeamsBodies
from tests.slack.conftest import BOT_TOKEN, serve
from tests.slack.fake_slack import FakeSlack
from tests.slack.slack_requests import SIGNING_SECRET
from tests.teams.fake_connector import FakeConnector

SEED = int(os.environ.get("CRISISBOT_FUZZ_SEED", "20261128"))
WARM_UP, TOTAL = int(os.environ.get("FUZZ_WARM", 4000)), int(os.environ.get("FUZZ_TOTAL", 22000))
EXPECTED = {MALFORMED: {400, 413}, FORGED: {401}, IGNORED: {200}}
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


def requests(rng: random.Random, server: Server) -> Iterator[Sent]:
    generators = SlackBodies().generators() + TeamsBodies(server.connector.url).generators()
    for _ in range(TOTAL):
        yield rng.choice(generators)(rng)


@pytest.mark.slow
async def test_malformed_requests_get_no_5xx_no_traceback_and_memory_stays_flat(
    server: Server,
) -> None:
    rng = random.Random(SEED)
    answers: Counter[tuple[str, int]] = Counter()
    wrong: list[str] = []
    sent = 0
    memory: list[int] = []
    work = server.app[SLACK_DOOR].work  # type: ignore[index]
    routes = {"slack": f"{server.url}/slack/events", "teams": f"{server.url}/api/messages"}
    queue = requests(rng, server)

    async def checkpoint() -> None:
        await work.drain()
        server.slack.calls.clear()
        server.connector.clear()
        gc.collect()
        memory.append(resident_memory())

    async def worker(session: aiohttp.ClientSession) -> None:
        nonlocal sent
        for request in queue:
            # aiohttp warns of large bytes bodies (they are written in one go), not of a file-like object.
            body = io.BytesIO(request.body) if len(request.body) > 2**16 else request.body
            async with session.post(routes[request.door], data=body, headers=request.headers) as response:
                await response.read()
            answers[(request.what, response.status)] += 1
            ok = response.status < 500 if request.expect == ANY else response.status in EXPECTED[request.expect]
            if not ok and len(wrong) < 20:
                wrong.append(f"{request.door} {request.what}: {response.status} {request.body[:120]!r}")
            sent += 1
            if sent == WARM_UP:
                await checkpoint()

    with counting_logs() as log_count:
        async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=16)) as session:
            await asyncio.gather(*(worker(session) for _ in range(16)))
        await checkpoint()

    assert sent == TOTAL
    assert not wrong, "\n".join(wrong + log_count.tracebacks[:10])
    assert not [key for key in answers if key[1] >= 500], sorted(answers.items())
    assert not log_count.tracebacks, "\n".join(log_count.tracebacks[:10])
    assert len(log_count.longest) <= LONGEST_LOG_LINE, log_count.longest[:1000]
    growth = memory[-1] - memory[0]
    assert growth < MEMORY_GROWTH_BOUND, f"resident memory grew {growth / 2**20:.1f} MB after the warm-up"
