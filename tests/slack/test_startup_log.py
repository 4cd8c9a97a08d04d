"""What `crisisbot serve` logs when the Slack door starts: nothing that would send an operator looking for a fault."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from adapters.runtime import build_runtime
from adapters.server import create_app
from tests.slack.conftest import slack_env, uow_factory
from tests.slack.fake_slack import FakeSlack


async def test_a_bot_token_in_the_environment_brings_no_warning_that_it_goes_unused(
    fake_slack: tuple[FakeSlack, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    # Bolt reads SLACK_BOT_TOKEN itself and, given our client too, warned at every start that the token "will be
    # unused": the client carries that very token.
    _, slack_url = fake_slack
    env = slack_env(slack_url, tmp_path)
    monkeypatch.setenv("SLACK_BOT_TOKEN", env["SLACK_BOT_TOKEN"])
    with caplog.at_level(logging.INFO):
        create_app(build_runtime(env, uow_factory=uow_factory(tmp_path)))
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING and r.name.startswith("crisisbot.slack")]
    assert any("slack: HTTP on POST /slack/events" in r.getMessage() for r in caplog.records)
