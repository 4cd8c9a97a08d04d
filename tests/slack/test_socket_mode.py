"""Socket Mode: Slack's envelopes over a WebSocket reach the same Bolt app and listeners as HTTP requests."""

from __future__ import annotations

import logging
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


MALFORMED_ENVELOPES = [
    {"type": "slash_commands", "payload": None},
    {"type": None, "payload": slash_command_payload("open Sneaky --sev 2")},
    {"type": "slash_commands", "payload": slash_command_payload("open Sneaky --sev 2"), "retry_reason": {"x": 1}},
    {"type": "slash_commands", "payload": "abc"},
    {"type": "slash_commands", "payload": [1, 2]},
    {"type": "slash_commands", "payload": {"command": "/crisis", "text": "open Sneaky --sev 2"}},  # no user, channel
    {"type": "slash_commands", "payload": {**slash_command_payload("open Sneaky --sev 2"), "user_id": None}},
    {"type": "slash_commands", "payload": {**slash_command_payload("open Sneaky --sev 2"), "channel_id": {"a": 1}}},
    {"type": "interactive", "payload": {"type": "block_actions", "user": {"id": "W111"}, "actions": "x"}},
    {"type": "interactive", "payload": {"type": "block_actions", "user": None, "actions": []}},
    {"type": "events_api", "payload": {"type": "event_callback", "event": {"type": "app_mention", "user": "W1",
                                                                           "channel": None, "text": "open Sneaky"}}},
    {"type": "slash_commands", "payload": {**slash_command_payload("open Sneaky --sev 2"), "trigger_id": 5}},
]


async def test_malformed_envelopes_are_acknowledged_and_dropped_with_one_line_each(
    socket_bot: Bot, caplog: pytest.LogCaptureFixture,
) -> None:
    slack = socket_bot.slack
    await slack.connected.wait()
    with caplog.at_level(logging.INFO):
        for n, envelope in enumerate(MALFORMED_ENVELOPES):
            caplog.clear()
            await slack.send_envelope({**envelope, "envelope_id": f"bad-{n}"})
            ack = await slack.wait_for_ack(f"bad-{n}")
            assert "payload" not in ack  # nothing said back to Slack
            dropped = [r for r in caplog.records if "malformed Socket Mode" in r.getMessage()]
            assert len(dropped) == 1, (envelope, [r.getMessage() for r in caplog.records])
            assert [r for r in caplog.records if r.exc_info or r.levelno >= logging.ERROR] == []
    await socket_bot.door.work.drain()
    assert socket_bot.incident() is None
    assert not slack.called("conversations.create") and not slack.called("chat.postEphemeral")


async def test_messages_that_are_not_json_objects_are_dropped_with_one_line_each(
    socket_bot: Bot, caplog: pytest.LogCaptureFixture,
) -> None:
    slack = socket_bot.slack
    await slack.connected.wait()
    with caplog.at_level(logging.INFO):
        for raw in ['{"type": "slash_commands", "envelope_id": "x", "payload": {', "[" * 5000 + "]" * 5000,
                    '{"a":' * 20000 + "1" + "}" * 20000, "null", '"text"']:
            caplog.clear()
            await slack.send_raw(raw)
            # Then a good envelope: once it is answered, the bad message before it was dealt with.
            envelope = {"envelope_id": f"ok-{len(raw)}", "type": "slash_commands",
                        "payload": slash_command_payload("help", trigger_id=f"sock.{len(raw)}")}
            await slack.send_envelope(envelope)
            await slack.wait_for_ack(f"ok-{len(raw)}")
            problems = [r for r in caplog.records if r.levelno >= logging.WARNING]
            assert [r.getMessage().split(":")[0] for r in problems] == ["dropped a malformed Socket Mode message"]
            assert [r for r in caplog.records if r.exc_info] == []
    await socket_bot.door.work.drain()
    assert socket_bot.incident() is None
