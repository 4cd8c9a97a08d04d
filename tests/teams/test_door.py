"""The door itself: joining a team, proactive posts, authentication, throttling, configuration."""

from __future__ import annotations

import jwt
import pytest

import adapters.teams
from adapters.runtime import build_runtime
from adapters.server import StartupError, create_app
from adapters.teams.references import Directory
from bot.replies import Reply
from tests.fakes import FakeClock
from tests.teams.conftest import LEA, MEGAN, TEAM_CHANNEL, TeamsClient, serve, thread
from tests.teams.fake_connector import FakeConnector, card_title

ROOM = thread("1700000000001")


async def test_added_to_a_team_the_bot_introduces_itself_with_the_help_card(teams: TeamsClient) -> None:
    status, _ = await teams.post(teams.bot_added())
    assert status == 200
    [intro] = teams.connector.of("send", TEAM_CHANNEL)
    assert intro.text.startswith("Hello, I am crisisbot")
    # One thread in the channel, not two: the help card answers the introduction.
    [help_card] = teams.connector.of("reply", f"{TEAM_CHANNEL};messageid={intro.activity['id']}")
    assert card_title(help_card.cards[0]) == "crisisbot help" and help_card.activity_id == intro.activity["id"]
    assert len(teams.connector.calls) == 2


async def test_someone_else_joining_gets_no_introduction(teams: TeamsClient) -> None:
    activity = teams.bot_added()
    activity["membersAdded"] = [{"id": LEA.teams_id}]
    assert (await teams.post(activity))[0] == 200
    assert [c for c in teams.connector.calls if c.kind != "member"] == []


async def test_a_stored_conversation_gets_proactive_posts_after_a_restart(
    env: dict[str, str], connector: FakeConnector, teams: TeamsClient
) -> None:
    await teams.say("open Outage", conversation=ROOM)
    connector.clear()

    # A new process on the same database: it has only the stored reference to find the conversation.
    runtime = build_runtime(env, clock=FakeClock())
    runner, _ = await serve(runtime)
    try:
        gateway = runtime.gateways["teams"]
        ref = await gateway.post(ROOM, Reply(text=f"Check-in due for CRI-1, {MEGAN.mention}", incident="CRI-1"))
    finally:
        await runner.cleanup()
    [sent] = connector.of("send", ROOM)
    assert sent.activity["id"] == ref
    assert sent.text == "Check-in due for CRI-1, <at>Megan Bowen</at>"
    assert sent.activity["entities"] == [
        {"type": "mention", "text": "<at>Megan Bowen</at>", "mentioned": {"id": MEGAN.teams_id, "name": "Megan Bowen"}}
    ]
    assert Directory.from_url(env["DATABASE_URL"])._reference(ROOM)["serviceUrl"] == connector.url


async def test_a_direct_message_opens_a_personal_chat(teams: TeamsClient) -> None:
    await teams.say("open Outage", conversation=ROOM)
    await teams.runtime.gateways["teams"].notify(MEGAN.aad, Reply(text="Your approval is overdue"))
    [created] = teams.connector.of("create")
    assert created.activity["members"] == [{"id": MEGAN.teams_id}]
    assert teams.connector.texts(created.conversation) == ["Your approval is overdue"]


async def test_a_429_from_the_connector_is_retried(teams: TeamsClient) -> None:
    teams.connector.fail_next(429, {"Retry-After": "0.05"})
    teams.connector.fail_next(502)
    assert await teams.say("help", conversation="a:1megan-personal-chat") == 200
    assert teams.connector.refused == [429, 502]
    assert [card_title(c.cards[0]) for c in teams.connector.of("reply")] == ["crisisbot help"]


@pytest.mark.parametrize("authorization", [
    None,
    "Bearer garbage",
    "Bearer " + jwt.encode({"iss": "https://evil.example", "aud": "x"}, "a-key-long-enough-for-hs256-signing!", "HS256"),
])
async def test_with_an_app_id_a_request_without_a_valid_token_gets_401_and_changes_nothing(
    authenticated: TeamsClient, authorization: str | None
) -> None:
    headers = {"Authorization": authorization} if authorization else {}
    status, _ = await authenticated.post(authenticated.message("open Forged crisis", conversation=ROOM), headers)
    assert status == 401
    invoke = authenticated.invoke({"crisisbot": "open Forged", "card": "x"}, "1", MEGAN, ROOM)
    assert (await authenticated.post(invoke, headers))[0] == 401
    assert authenticated.incidents() == []
    assert [c for c in authenticated.connector.calls if c.kind != "member"] == []


def test_loopback_is_required_without_an_app_id() -> None:
    assert adapters.teams.requires_loopback({})
    assert adapters.teams.requires_loopback({"MICROSOFT_APP_ID": "  "})
    assert not adapters.teams.requires_loopback({"MICROSOFT_APP_ID": "6f0c2a5e-1b7d-4c39-9a41-3f5d2e8b7c10"})


@pytest.mark.parametrize("settings, problem", [
    ({"MICROSOFT_APP_TYPE": "Sometimes"}, "MICROSOFT_APP_TYPE"),
    ({"MICROSOFT_APP_ID": "x"}, "MICROSOFT_APP_PASSWORD"),
    ({"MICROSOFT_APP_ID": "x", "MICROSOFT_APP_PASSWORD": "y", "MICROSOFT_APP_TYPE": "SingleTenant"}, "TENANT_ID"),
    ({"MICROSOFT_APP_PASSWORD": "y"}, "MICROSOFT_APP_ID"),
])
def test_impossible_settings_stop_the_server_with_the_variable_to_fix(
    env: dict[str, str], settings: dict[str, str], problem: str
) -> None:
    runtime = build_runtime({**env, **settings}, clock=FakeClock())
    with pytest.raises(StartupError, match=problem):
        create_app(runtime)
