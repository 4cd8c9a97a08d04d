"""One crisisbot process running only the scheduler, its console gateway writing each message to a file.

`python -m tests.scheduler.replica DATABASE_URL OUT_FILE STOP_FILE`: runs until STOP_FILE exists. Several
replicas append to one OUT_FILE; each line is one delivered message, written in one call. With
REPLICA_EAGER=1 it wakes every 20 ms instead of every tick, so replicas keep colliding: the worst case.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from adapters.runtime import build_runtime
from adapters.scheduler import Scheduler
from bot.model import Incident
from bot.replies import Card, Reply, Room


class RecordingGateway:
    platform = "console"

    def __init__(self, out: Path) -> None:
        self.out = out

    def _write(self, kind: str, target: str, reply: Reply) -> None:
        line = json.dumps({"kind": kind, "target": target, "incident": reply.incident, "pid": os.getpid()})
        with self.out.open("a", encoding="utf-8") as file:
            file.write(line + "\n")

    async def post(self, conversation: str, reply: Reply) -> str | None:
        self._write("post", conversation, reply)
        return None

    async def update(self, conversation: str, message_ref: str, card: Card) -> None:
        return None

    async def notify(self, person: str, reply: Reply) -> None:
        self._write("dm", person, reply)

    async def open_room(self, incident: Incident, members: Sequence[str]) -> Room | None:
        return None


async def main(url: str, out: Path, stop: Path) -> None:
    runtime = build_runtime({"DATABASE_URL": url, "CRISISBOT_CHECKIN_INTERVALS": os.environ.get("INTERVALS", "")})
    runtime.add_gateway(RecordingGateway(out))
    scheduler = Scheduler(runtime)
    eager = os.environ.get("REPLICA_EAGER") == "1"
    recorded = 0
    if not eager:
        await scheduler.start()
    try:
        while not stop.exists():
            if eager:
                result, _ = await scheduler.wake()
                recorded += result.checkins
            await asyncio.sleep(0.02 if eager else 0.1)
    finally:
        await scheduler.stop()
        if eager:
            print(f"replica {os.getpid()} recorded {recorded} check-in reminders", file=sys.stderr)


if __name__ == "__main__":
    logging.basicConfig(level=logging.WARNING)
    logging.getLogger("bot.reminders").setLevel(logging.DEBUG)
    asyncio.run(main(sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3])))
