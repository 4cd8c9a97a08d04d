"""Signed but malformed Slack bodies get 400 with a short reason, one log line without a traceback, and change
nothing; forged ones still get 401 first; what no listener takes gets 200."""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode

import pytest

from tests.fuzz.bodies import deep, signed
from tests.fuzz.rows import row_counts
from tests.slack.conftest import Bot
from tests.slack.slack_requests import FORM, app_mention, block_action, slash_command

JSON = "application/json"


def rows(bot: Bot, tmp_path: Path) -> dict[str, int]:
    bot.incident()  # the storage creates its tables on first use
    return row_counts(f"sqlite:///{tmp_path}/t.db")


def click(**changes: Any) -> bytes:
    payload = json.loads(dict(parse_qsl(block_action(
        {"action_id": "crisis.run.help", "value": "help"}, "W111", "C111", "1.1", "2.2")))["payload"])
    payload.update(changes)
    return urlencode({"payload": json.dumps(payload)}).encode()


def command_without(field: str) -> bytes:
    fields = dict(parse_qsl(slash_command("open Wave --sev 2"), keep_blank_values=True))
    del fields[field]
    return urlencode(fields).encode()


def mention(**changes: Any) -> bytes:
    body = json.loads(app_mention("<@W999> open Wave --sev 2"))
    body["event"].update(changes)
    return json.dumps(body).encode()


MALFORMED: dict[str, tuple[bytes, str, str]] = {
    "invalid UTF-8": (slash_command("open Wave --sev 2").encode() + b"\xff\xfe", FORM, "not UTF-8"),
    "payload=null": (b"payload=null", FORM, "not null"),
    "payload=abc": (b"payload=abc", FORM, "not valid JSON"),
    "payload=[]": (b"payload=%5B%5D", FORM, "not a list"),
    "deep JSON": (deep(__import__("random").Random(1), 5_000).encode(), JSON, "nested deeper"),
    "deep payload": (b"payload=" + b"%5B" * 100 + b"%5D" * 100, FORM, "nested deeper"),
    "top-level list": (b"[]", JSON, "not a list"),
    "top-level null": (b"null", JSON, "not null"),
    "no user_id": (command_without("user_id"), FORM, "`user_id` is missing"),
    "no channel_id": (command_without("channel_id"), FORM, "`channel_id` is missing"),
    "action user null": (click(user=None), FORM, "`user.id` is missing"),
    "action channel a string": (click(channel="C111"), FORM, "`channel` must be an object"),
    "action without actions": (click(actions=[]), FORM, "`actions` is missing"),
    "mention without channel": (mention(channel=None), JSON, "`event.channel` is missing"),
    "mention user a list": (mention(user=["W1"]), JSON, "`event.user` must be a string"),
    "form field not UTF-8": (b"command=%2Fcrisis&user_id=%ff", FORM, "not UTF-8"),
}


@pytest.mark.parametrize("name", MALFORMED)
async def test_a_signed_malformed_body_gets_400_one_log_line_and_changes_nothing(
    bot: Bot, tmp_path: Path, caplog: pytest.LogCaptureFixture, name: str
) -> None:
    body, content_type, reason = MALFORMED[name]
    before = rows(bot, tmp_path)
    caplog.clear()
    async with bot.session.post(f"{bot.url}/slack/events", data=body, headers=signed(body, content_type)) as response:
        answer = await response.json()
    await bot.door.work.drain()
    assert response.status == 400 and reason in answer["error"]
    refusals = [r for r in caplog.records if r.name.startswith("crisisbot") and r.levelno >= logging.WARNING]
    assert len(refusals) == 1 and refusals[0].exc_info is None
    assert not [r for r in caplog.records if r.exc_info]
    assert rows(bot, tmp_path) == before
    assert not [call for call in bot.slack.calls if call.method != "auth.test"]


async def test_a_forged_malformed_body_still_gets_401(bot: Bot) -> None:
    body = b"payload=" + b"%5B" * 5000
    async with bot.session.post(f"{bot.url}/slack/events", data=body,
                                headers=signed(body, FORM, secret="not-the-secret")) as response:
        assert response.status == 401


@pytest.mark.parametrize(("body", "content_type"), [
    (mention(type="reaction_added"), JSON),
    (click(type="block_suggestion"), FORM),
    (b"ssl_check=1&token=x", FORM),
], ids=["other event", "other interaction", "ssl check"])
async def test_what_no_listener_takes_gets_200_and_changes_nothing(
    bot: Bot, tmp_path: Path, body: bytes, content_type: str
) -> None:
    before = rows(bot, tmp_path)
    async with bot.session.post(f"{bot.url}/slack/events", data=body, headers=signed(body, content_type)) as response:
        assert response.status == 200
    await bot.door.work.drain()
    assert rows(bot, tmp_path) == before


async def test_attacker_text_in_the_log_is_cut_and_escaped(bot: Bot, caplog: pytest.LogCaptureFixture) -> None:
    body = click(user={"id": "W1\n" + "X" * 5000})
    caplog.clear()
    async with bot.session.post(f"{bot.url}/slack/events", data=body, headers=signed(body)) as response:
        assert response.status == 400
    [line] = [r.getMessage() for r in caplog.records if r.name.startswith("crisisbot")]
    assert "\n" not in line and "'W1\\nXXX" in line and len(line) < 200


async def test_a_command_whose_text_says_payload_is_read_as_a_command(bot: Bot) -> None:
    """Bolt's own parsing takes any form containing "payload" for an interaction; the door parses it itself."""
    response = await bot.send(slash_command("open payload delays --sev 2", trigger_id="payload.1"))
    assert response.status == 200
    incident = bot.incident()
    assert incident is not None and incident.title == "payload delays"
