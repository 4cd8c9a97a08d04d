"""Recovery after kill -9: how long until every acknowledged request has run, on SQLite and PostgreSQL.

`crisisbot serve` acknowledges N signed `/crisis … note` slash commands from 50 concurrent clients and is killed
with SIGKILL as soon as the last is acknowledged (most have not run yet: the work after the acknowledgement falls
behind in a burst). A second process starts on the same database; the clock runs from its start until every
request has its reply in the request log. Checks that each note is on the timeline exactly once.

    python bench/recovery_bench.py [--requests 1000] [--postgres postgresql+psycopg://postgres@127.0.0.1/test]

PostgreSQL runs in a scratch schema, dropped afterwards.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.pg import isolated_schema  # noqa: E402
from tests.slack.conftest import serve  # noqa: E402
from tests.slack.crash import crash_and_recover  # noqa: E402
from tests.slack.fake_slack import FakeSlack  # noqa: E402


async def one(name: str, database_url: str, requests: int, workdir: Path) -> None:
    slack = FakeSlack()
    runner, slack_url = await serve(slack.app())
    slack.url = slack_url
    try:
        run = await crash_and_recover(database_url, slack, slack_url, workdir, requests, timeout=600)
    finally:
        await runner.cleanup()
    once = all(count == 1 for count in run.effects.values()) and len(run.effects) == requests
    print(f"{name:<10} {run.acknowledged} acknowledged, {run.done_at_kill} done at the kill; "
          f"all done {run.recovery_seconds:.1f} s after the restart; each exactly once: {once}; "
          f"answered twice: {sum(1 for n in run.answers.values() if n > 1)}")


async def main(requests: int, postgres: str) -> None:
    with tempfile.TemporaryDirectory(prefix="crisisbot-recovery-") as workdir:
        await one("SQLite", f"sqlite:///{workdir}/bench.db", requests, Path(workdir))
        with isolated_schema(postgres) as url:
            await one("PostgreSQL", url, requests, Path(workdir))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument("--postgres", default="postgresql+psycopg://postgres@127.0.0.1:5432/test")
    args = parser.parse_args()
    asyncio.run(main(args.requests, args.postgres))
