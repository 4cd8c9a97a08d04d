"""Socket Mode: Slack's envelopes over a WebSocket reach the same Bolt app and listeners as HTTP requests."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest

from adapters.runtime import build_runtime
from adapters.server import create_app
from tests.slack.conftest import Bot, serve, slack_env, uow_factory
from tests.slack.fake_slack import FakeSlack
from tests.slack.slack_requests import slash_command_payload


@pytest.fixture
async def socket_bot(fake_slack: tuple[FakeSlack, str], tmp_path: Path) -> AsyncIterator[Bot]:
    slack, slack_url = fake_slack
    env = slack_env(slack_url, tmp_path, SLACK_APP_TOKEN="xapp-1-test-app-token")
    del env["SLACK_SIGNING_SECRET"]  # Socket Mode needs none
    runtime = build_runtime(env, uow_factory=uow_factory(tmp_path))
    app = create_app(runtime)
    runner, url = await serve(app)
    async with aiohttp.ClientSession() as session:
        yield Bot(url, runtime, app, session, slack)
    await runner.cleanup()


async def test_slash_command_envelope_is_acknowledged_and_handled(socket_bot: Bot) -> None:
    slack = socket_bot.slack
    await slack.connected.wait()
    assert slack.called("apps.connections.open")
    envelope = {"envelope_id": "env-1", "type": "slash_commands", "accepts_response_payload": True,
                "payload": slash_command_payload("open Outage in the app --sev 2", trigger_id="sock.1")}
    await slack.send_envelope(envelope)
    await slack.wait_for_ack("env-1")
    await slack.wait_for("conversations.create")
    await socket_bot.door.work.drain()
    incident = socket_bot.incident()
    assert incident is not None and incident.title == "Outage in the app" and incident.severity == 2
    # Replayed envelope: acknowledged again, no second incident.
    await slack.send_envelope({**envelope, "envelope_id": "env-2", "retry_attempt": 1, "retry_reason": "timeout"})
    await slack.wait_for_ack("env-2")
    await socket_bot.door.work.drain()
    assert socket_bot.incident("CRI-2") is None


async def test_socket_mode_serves_no_http_endpoint(socket_bot: Bot) -> None:
    async with socket_bot.session.post(f"{socket_bot.url}/slack/events", data="x") as response:
        assert response.status in (404, 405)
    async with socket_bot.session.get(f"{socket_bot.url}/healthz") as response:
        assert "slack" in (await response.json())["platforms"]
