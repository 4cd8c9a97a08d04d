"""Two processes run the scheduler on one PostgreSQL database: a hundred reminders come due, each is sent once."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot import events as ev
from bot.commands import Origin
from bot.config import Settings
from bot.grammar import parse
from bot.service import Dispatcher
from storage import sql_uow_factory
from tests.fakes import FakeClock
from tests.pg import isolated_schema

ROOT = Path(__file__).resolve().parents[2]
INCIDENTS = 100
INTERVALS = "1=30s"  # one round of reminders during the test, the next one long after it


@pytest.mark.postgres
@pytest.mark.slow
@pytest.mark.parametrize("eager", ["0", "1"], ids=["ticking", "colliding"])
def test_two_replicas_send_each_of_a_hundred_reminders_once(tmp_path: Path, eager: str) -> None:
    with isolated_schema() as url:
        factory = sql_uow_factory(url)
        settings = Settings.from_env({"CRISISBOT_CHECKIN_INTERVALS": INTERVALS})
        # Opened 27 s ago by the clock, so they all come due 3 s from now, while both replicas are running.
        clock = FakeClock(datetime.now(UTC) - timedelta(seconds=27))
        dispatcher = Dispatcher(factory, settings, clock)
        for n in range(1, INCIDENTS + 1):
            dispatcher.dispatch(parse(f"open Incident {n} --sev 1"), Origin("rita", "console", f"room-{n}"))
        out, stop = tmp_path / "sent.jsonl", tmp_path / "stop"
        env = {**os.environ, "INTERVALS": INTERVALS, "REPLICA_EAGER": eager, "PYTHONPATH": str(ROOT)}
        command = [sys.executable, "-m", "tests.scheduler.replica", url, str(out), str(stop)]
        replicas = [subprocess.Popen(command, cwd=ROOT, env=env) for _ in range(2)]
        try:
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline and _lines(out) < INCIDENTS:
                time.sleep(0.2)
            time.sleep(3)  # three more wake-ups each, for any duplicate to show
        finally:
            stop.touch()
            for replica in replicas:
                replica.wait(timeout=30)
        sent = [json.loads(line) for line in out.read_text().splitlines()] if out.exists() else []
        per_incident = Counter(m["incident"] for m in sent if m["kind"] == "post")
        assert per_incident == Counter({f"CRI-{n}": 1 for n in range(1, INCIDENTS + 1)})
        with factory() as uow:
            wholes = [uow.incidents.get_whole(i.key) for i in uow.incidents.list()]
            recorded = [sum(isinstance(e.event, ev.CheckInReminderSent) for e in i.timeline) for i in wholes if i]
        assert recorded == [1] * INCIDENTS
        print(f"messages per replica: {Counter(m['pid'] for m in sent)}")
        factory.dispose()


def _lines(path: Path) -> int:
    return len(path.read_text().splitlines()) if path.exists() else 0
