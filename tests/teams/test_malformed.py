"""Malformed activities get 400 with a short reason (before authentication when the body cannot even be read,
after it otherwise), one log line without a traceback, and change nothing; unknown invokes get 200, never 501."""

from __future__ import annotations

import copy
import logging
import random
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from adapters.runtime import build_runtime
from tests.fakes import FakeClock
from tests.fuzz.bodies import deep
from tests.fuzz.rows import row_counts
from tests.teams.conftest import MEGAN, TeamsClient, serve
from tests.teams.fake_connector import FakeConnector

ROOM = "19:0b7f32667e064dd9b25d7969801541f4@thread.tacv2;messageid=1700000000001"
JSON = {"Content-Type": "application/json"}


def rows(teams: TeamsClient, tmp_path: Path) -> dict[str, int]:
    teams.incidents()  # the storage creates its tables on first use
    return row_counts(f"sqlite:///{tmp_path / 'crisisbot.db'}")


async def post_bytes(teams: TeamsClient, body: bytes, headers: dict[str, str] | None = None) -> tuple[int, Any]:
    async with teams.session.post(f"{teams.url}/api/messages", data=body, headers={**JSON, **(headers or {})}) as r:
        return r.status, (await r.json() if r.content_type == "application/json" else await r.text())


def without(activity: dict[str, Any], path: str, value: Any = None) -> dict[str, Any]:
    activity = copy.deepcopy(activity)
    *parents, last = path.split(".")
    target = activity
    for key in parents:
        target = target[key]
    target[last] = value
    return activity


UNREADABLE: dict[str, tuple[bytes, str]] = {
    "invalid UTF-8": (b'{"type": "message", "text": "\xff"}', "not UTF-8"),
    "bad JSON": (b'{"type": "message",', "not valid JSON"),
    "deep JSON": (deep(random.Random(1), 3_000).encode(), "nested deeper"),
    "top-level null": (b"null", "not null"),
    "top-level list": (b"[]", "not a list"),
    "no type": (b'{"text": "help"}', "`type` is missing"),
    "lone surrogate": (b'{"type": "message", "text": "open \\ud800 crisis"}', "lone surrogate"),
}


@pytest.mark.parametrize("name", UNREADABLE)
async def test_an_unreadable_body_gets_400_and_changes_nothing(
    teams: TeamsClient, tmp_path: Path, caplog: pytest.LogCaptureFixture, name: str
) -> None:
    body, reason = UNREADABLE[name]
    before = rows(teams, tmp_path)
    caplog.clear()
    status, answer = await post_bytes(teams, body)
    assert status == 400 and reason in answer["error"]
    [line] = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert line.exc_info is None and "malformed" in line.getMessage()
    assert rows(teams, tmp_path) == before
    assert [c for c in teams.connector.calls if c.kind != "member"] == []


@pytest.mark.parametrize(("path", "value", "reason"), [
    ("from", None, "`from.id` is missing"),
    ("conversation", None, "`conversation.id` is missing"),
    ("recipient", None, "`recipient.id` is missing"),
    ("from.id", "", "`from.id` is missing"),
    ("conversation.id", 7, "`conversation.id` must be a string"),
    ("serviceUrl", "nowhere", "`serviceUrl` must be an http(s) URL"),
    ("locale", ["fr"], "`locale` must be a string"),
    ("entities", [None], "an entity must be an object"),
    ("timestamp", "yesterday", "not a Bot Framework activity"),
])
async def test_missing_or_mistyped_fields_get_400_and_change_nothing(
    teams: TeamsClient, tmp_path: Path, caplog: pytest.LogCaptureFixture, path: str, value: Any, reason: str
) -> None:
    before = rows(teams, tmp_path)
    for activity in (teams.message("open Wave --sev 2", conversation=ROOM),
                     teams.invoke({"crisisbot": "open Wave", "card": "x"}, "1", MEGAN, ROOM)):
        caplog.clear()
        status, answer = await teams.post(without(activity, path, value))
        assert status == 400 and reason in answer["error"]
        assert not [r for r in caplog.records if r.exc_info]
    assert rows(teams, tmp_path) == before
    assert [c for c in teams.connector.calls if c.kind != "member"] == []


@pytest.mark.parametrize("name", ["composeExtension/query", "task/fetch", "", None, "x" * 300])
async def test_an_invoke_of_an_unknown_name_gets_200_never_501(
    teams: TeamsClient, tmp_path: Path, name: str | None
) -> None:
    before = rows(teams, tmp_path)
    invoke = teams.invoke({"crisisbot": "open Wave", "card": "x"}, "1", MEGAN, ROOM)
    status, _ = await teams.post({**invoke, "name": name, "value": None})
    assert status == 200
    assert rows(teams, tmp_path) == before
    assert [c for c in teams.connector.calls if c.kind != "member"] == []


@pytest.mark.parametrize("value", [None, [], "x", {"action": None}, {"action": {"verb": "crisisbot", "data": None}}])
async def test_a_card_action_with_a_null_or_odd_value_is_answered_200_and_opens_nothing(
    teams: TeamsClient, value: Any
) -> None:
    invoke = teams.invoke({}, "1", MEGAN, ROOM)
    status, answer = await teams.post({**invoke, "value": value})
    assert status == 200 and "not one of crisisbot's" in answer["value"]
    assert teams.incidents() == []


@pytest.mark.parametrize("name", UNREADABLE)
async def test_with_an_app_id_an_unreadable_body_gets_400_not_500(authenticated: TeamsClient, name: str) -> None:
    body, reason = UNREADABLE[name]
    status, answer = await post_bytes(authenticated, body, {"Authorization": "Bearer garbage"})
    assert status == 400 and reason in answer["error"]


async def test_with_an_app_id_a_malformed_activity_without_a_token_still_gets_401(authenticated: TeamsClient) -> None:
    activity = without(authenticated.message("open Wave --sev 2", conversation=ROOM), "from", None)
    assert (await authenticated.post(activity))[0] == 401
    assert (await authenticated.post({**activity, "type": "invoke", "name": "task/fetch"}))[0] == 401
    assert authenticated.incidents() == []


async def test_attacker_text_in_the_log_is_cut_and_escaped(teams: TeamsClient, caplog: pytest.LogCaptureFixture) -> None:
    activity = teams.message("help", conversation=ROOM)
    caplog.clear()
    status, _ = await teams.post({**activity, "serviceUrl": "\r\nFAKE LOG LINE " + "x" * 5000})
    assert status == 400
    [line] = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert "\n" not in line and "'\\r\\nFAKE LOG LINE" in line and len(line) < 200


async def test_a_nul_character_is_dropped_at_the_door_so_postgresql_stores_the_text(
    database_url: str, connector: FakeConnector
) -> None:
    # Nobody sees a NUL, and PostgreSQL stores none in text: the command failed there ("something went wrong"),
    # and a NUL in a display name broke the turn before any answer.
    env = {"DATABASE_URL": database_url, "CRISISBOT_SCHEDULER": "off", "TEAMS_MESSAGES_PER_SECOND": "1000"}
    runtime = build_runtime(env, clock=FakeClock())
    runner, url = await serve(runtime)
    try:
        async with aiohttp.ClientSession() as session:
            teams = TeamsClient(session, url, connector, runtime)
            assert await teams.say("open Wave\x00 of complaints", conversation=ROOM) == 200
            activity = teams.message("note hello\x00world", conversation=ROOM)
            activity["from"]["name"] = "Megan\x00 Bowen"
            assert (await teams.post(activity))[0] == 200
            incident = teams.incident()
    finally:
        await runner.cleanup()
    assert incident.title == "Wave of complaints"
    assert getattr(incident.timeline[-1].event, "text", None) == "helloworld"
    assert connector.texts(ROOM)[-1] == "CRI-1 · note: helloworld"
