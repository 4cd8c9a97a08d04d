"""Weak-signal ingestion through `POST /signals`, on SQLite and PostgreSQL, with the fake Slack as the watch channel.

    python bench/signals_bench.py [--signals 20000] [--trials 50] [--no-postgres]

Goals (a 2-core machine): >= 2,000 signals/s ingested on SQLite in batches of 100, matched against 50 topics of 10
keywords; from the POST that crosses a topic's threshold to the alert reaching the fake Slack Web API: p99 < 2 s.
PostgreSQL runs the same when a server answers at CRISISBOT_TEST_POSTGRES_URL (in its own throwaway schema).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import statistics
import sys
import tempfile
import time
from contextlib import AbstractContextManager, nullcontext
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import aiohttp

from adapters.runtime import build_runtime
from adapters.server import create_app
from adapters.signals_http import signature_of
from tests.loopback import serve_on_loopback as serve
from tests.pg import isolated_schema
from tests.slack.fake_slack import FakeSlack

SECRET = "bench-secret"
BATCH = 100
_VOCABULARY = ("client service colis commande retard remboursement appli site paiement carte magasin produit qualité prix "
               "order parcel refund store price quality account login payment shipping support staff app update")
WORDS = _VOCABULARY.split()
THRESHOLD = 10


def topics() -> str:
    """50 topics of 10 keywords, and 100 `lat` topics of one keyword each, kept for the latency trials."""
    load = [f"t{n}: " + ", ".join(f"kw{n}x{k}" for k in range(10)) for n in range(50)]
    latency = [f"lat{n}: latkw{n}" for n in range(100)]
    return "; ".join(load + latency)


def text(rng: random.Random) -> str:
    words = rng.choices(WORDS, k=rng.randint(8, 30))
    if rng.random() < 0.3:  # about a third of the public talks about one of the watched topics
        words.insert(rng.randrange(len(words)), f"kw{rng.randrange(50)}x{rng.randrange(10)}")
    return " ".join(words)


async def post(session: aiohttp.ClientSession, url: str, items: list[dict[str, object]]) -> None:
    body = json.dumps(items).encode()
    headers = {"Content-Type": "application/json", "X-Crisisbot-Signature": signature_of(SECRET, body)}
    async with session.post(f"{url}/signals", data=body, headers=headers) as response:
        if response.status != 202:
            raise RuntimeError(f"POST /signals answered {response.status}: {await response.text()}")
        await response.read()


async def run(database: str, signals: int, trials: int) -> None:
    slack = FakeSlack()
    slack_runner, slack_url = await serve(slack.app())
    slack.url = slack_url
    env = {
        "DATABASE_URL": database, "CRISISBOT_SCHEDULER": "off", "CRISISBOT_SIGNALS_SECRET": SECRET,
        "SLACK_BOT_TOKEN": "xoxb-bench", "SLACK_SIGNING_SECRET": "bench-signing", "SLACK_API_URL": f"{slack_url}/api/",
        "CRISISBOT_WATCH_TOPICS": topics(), "CRISISBOT_WATCH_CHANNEL": "slack:CWATCH",
        "CRISISBOT_SPIKE": f"{THRESHOLD}/10m", "CRISISBOT_CARD_REFRESH": "1s",
    }
    runtime = build_runtime(env)
    runner, url = await serve(create_app(runtime))
    rng = random.Random(7)
    try:
        async with aiohttp.ClientSession() as session:
            await post(session, url, [{"text": "warm up", "id": "warm-up"}])
            started = time.perf_counter()
            for start in range(0, signals, BATCH):
                items = [{"id": f"s{n}", "source": "bench", "text": text(rng), "reach": rng.randrange(5000)}
                         for n in range(start, min(start + BATCH, signals))]
                await post(session, url, items)
            elapsed = time.perf_counter() - started
            print(f"  ingest: {signals} signals in {elapsed:.2f} s = {signals / elapsed:,.0f} signals/s "
                  f"(batches of {BATCH}, 50 topics x 10 keywords)")
            latencies = []
            for trial in range(trials):
                posted = len(slack.called("chat.postMessage"))
                # One below the threshold, then the signal that crosses it.
                await post(session, url, [{"text": f"latkw{trial} {n}", "id": f"lat{trial}-{n}"}
                                          for n in range(THRESHOLD - 1)])
                crossing = time.perf_counter()
                await post(session, url, [{"text": f"latkw{trial} crossing", "id": f"lat{trial}-x"}])
                await slack.wait_for("chat.postMessage", posted + 1, timeout=10)
                latencies.append(time.perf_counter() - crossing)
            latencies.sort()
            p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))]
            print(f"  threshold crossed -> alert at the fake Slack: median {statistics.median(latencies) * 1000:.0f} ms, "
                  f"p99 {p99 * 1000:.0f} ms, max {latencies[-1] * 1000:.0f} ms ({trials} trials)")
    finally:
        await runner.cleanup()
        await slack_runner.cleanup()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--signals", type=int, default=20_000)
    parser.add_argument("--trials", type=int, default=50)
    parser.add_argument("--no-postgres", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        print("SQLite:")
        asyncio.run(run(f"sqlite:///{folder}/bench.db", args.signals, args.trials))
    if args.no_postgres:
        return
    try:
        schema: AbstractContextManager[str] = isolated_schema()
    except BaseException as error:  # no server: said, not failed
        print(f"PostgreSQL: skipped ({error})")
        schema = nullcontext("")
    with schema as pg_url:
        if pg_url:
            print("PostgreSQL:")
            asyncio.run(run(pg_url, args.signals, args.trials))


if __name__ == "__main__":
    main()
