"""kill -9 under load: every acknowledged request runs within 30 s of the restart, each exactly once.

The issue asks for that bound, so this test times itself. A real `crisisbot serve` process acknowledges 400
slash commands and is killed with SIGKILL at once (most of them have not run yet); a second process starts on
the same database. On SQLite it takes everything left at start-up; on PostgreSQL it takes what the dead
process held once those leases lapse (15 s at most).
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from tests.slack.crash import crash_and_recover, token
from tests.slack.fake_slack import FakeSlack

REQUESTS = 400


@pytest.mark.slow
async def test_after_kill_9_every_acknowledged_request_runs_once_within_30_s(
    database_url: str, fake_slack: tuple[FakeSlack, str], tmp_path: Path
) -> None:
    slack, slack_url = fake_slack
    run = await crash_and_recover(database_url, slack, slack_url, tmp_path, REQUESTS, timeout=60)
    print(f"{run.done_at_kill} of {run.acknowledged} done at the kill; all done {run.recovery_seconds:.1f} s after restart")
    assert run.acknowledged == REQUESTS
    assert run.done_at_kill < REQUESTS, "the kill came too late to leave anything to recover"
    assert run.effects == Counter({token(n): 1 for n in range(REQUESTS)})  # each ran, and once
    assert set(run.answers.values()) == {1}  # nobody is answered twice
    assert len(run.answers) >= REQUESTS - run.done_at_kill  # and whoever waited for the restart is answered
    assert run.recovery_seconds < 30
