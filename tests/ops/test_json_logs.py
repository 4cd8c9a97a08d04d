"""CRISISBOT_LOG_FORMAT=json: one JSON object per line, read back; the request and incident they are about; no secret."""

from __future__ import annotations

import contextvars
import io
import json
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

from adapters import log_format
from adapters.cli import main
from tests.ops.conftest import crisisbot_server
from tests.slack.conftest import BOT_TOKEN
from tests.slack.fake_slack import FakeSlack
from tests.slack.slack_requests import SIGNING_SECRET, sign, slash_command

FIELDS = {"time", "level", "logger", "message", "request_id", "incident"}


@pytest.fixture
def root_logging() -> Iterator[io.StringIO]:
    """Where `log_format.configure` writes during the test; the root logger is put back afterwards."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield io.StringIO()
    root.handlers[:] = handlers
    root.setLevel(level)


def lines_of(stream: io.StringIO) -> list[dict[str, object]]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


async def test_json_lines_carry_the_request_and_the_incident(fake_slack: tuple[FakeSlack, str], tmp_path: Path,
                                                             root_logging: io.StringIO) -> None:
    slack = fake_slack[0]
    async with crisisbot_server(slack, tmp_path, {}) as bot:
        log_format.configure({**bot.runtime.env, "CRISISBOT_LOG_FORMAT": "json", "LOG_LEVEL": "DEBUG"}, root_logging)
        slack.errors["pins.add"] = "not_pinnable"  # a warning logged while the crisis opens, so about CRI-1
        assert (await bot.send(slash_command("open Outage --sev 2", trigger_id="json.1"))).status == 200
        forged = slash_command("open Forged --sev 1")
        refused = await bot.post(forged, headers={**sign(forged, secret="wrong"), "X-Request-Id": "lb-7f3a-42"},
                                 signed=False)
        assert refused.status == 401
    written = root_logging.getvalue()
    lines = lines_of(root_logging)  # every line is one JSON object
    assert len(lines) == len(written.splitlines()) > 10
    assert all(set(line) >= FIELDS for line in lines)
    pin = next(line for line in lines if "pins.add" in str(line["message"]) and line["level"] == "WARNING")
    assert pin["incident"] == "CRI-1" and pin["logger"] == "adapters.slack.gateway"
    assert pin["request_id"] == "slack:command:json.1"
    forged_line = next(line for line in lines if "refused a request" in str(line["message"]))
    assert forged_line["request_id"] == "lb-7f3a-42" and forged_line["level"] == "WARNING"
    assert str(pin["time"]).endswith("+00:00")
    assert BOT_TOKEN not in written and SIGNING_SECRET not in written


def test_secrets_are_masked_in_both_formats(root_logging: io.StringIO) -> None:
    env = {"SLACK_BOT_TOKEN": "xoxb-1111-2222-abcdefghijkl", "MICROSOFT_APP_PASSWORD": "pa55-w0rd-of-the-app",
           "DATABASE_URL": "postgresql://crisis:db-secret-9876@db.example/crisis"}
    for chosen in ("json", "text"):
        stream = io.StringIO()
        log_format.configure({**env, "CRISISBOT_LOG_FORMAT": chosen}, stream)
        log = logging.getLogger("crisisbot.test")
        log.warning("token %s, password %s, url %s", env["SLACK_BOT_TOKEN"], env["MICROSOFT_APP_PASSWORD"],
                    env["DATABASE_URL"])
        log.warning("a token nobody configured: xoxp-9999-8888-zyxwvutsrq")
        # aiohttp's access log writes the request line: a dashboard link's token is a login for 12 hours.
        logging.getLogger("aiohttp.access").info('"GET /dashboard?token=v1.ab12cd.sig-7788&x=1 HTTP/1.1" 302')
        written = stream.getvalue()
        for secret in ("xoxb-1111", "pa55-w0rd", "db-secret-9876", "xoxp-9999", "sig-7788"):
            assert secret not in written, (chosen, written)
        assert written.count(log_format.MASK) == 5 and "&x=1" in written


def test_an_exception_stays_in_its_line(root_logging: io.StringIO) -> None:
    log_format.configure({"CRISISBOT_LOG_FORMAT": "json"}, root_logging)

    def fail() -> None:
        try:
            raise RuntimeError("boom\nsecond line")
        except RuntimeError:
            logging.getLogger("crisisbot.test").exception("it failed\nacross lines")

    # Logged where no request is bound: an empty context, whatever earlier tests bound in this thread's own.
    contextvars.Context().run(fail)
    (line,) = lines_of(root_logging)
    assert line["level"] == "ERROR" and line["message"] == "it failed\nacross lines"
    assert "Traceback" in str(line["exception"]) and "RuntimeError: boom" in str(line["exception"])
    assert line["request_id"] is None and line["incident"] is None


def test_text_stays_the_default(root_logging: io.StringIO) -> None:
    log_format.configure({}, root_logging)
    logging.getLogger("crisisbot.test").info("hello")
    (line,) = root_logging.getvalue().splitlines()
    assert line.endswith(" INFO crisisbot.test: hello") and not line.startswith("{")


def test_an_unknown_format_stops_serve_with_a_clear_message(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                           capsys: pytest.CaptureFixture[str],
                                                           root_logging: io.StringIO) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("CRISISBOT_LOG_FORMAT", "xml")
    assert main(["serve"]) == 2
    assert "CRISISBOT_LOG_FORMAT='xml': use text or json" in capsys.readouterr().err
