"""CRISISBOT_NOTIFY in Teams over real HTTP: stakeholders the bot has spoken with get a direct message in a 1:1
chat it opens (the Bot Connector's create-conversation call), whether named by id or by e-mail address."""

from __future__ import annotations

import logging
from pathlib import Path

import aiohttp
import pytest

from adapters.runtime import build_runtime
from adapters.teams.references import Directory, TeamsPerson
from tests.fakes import FakeClock
from tests.teams.conftest import BOT_ID, COLIN, LEA, MEGAN, Person, TeamsClient, serve, thread
from tests.teams.fake_connector import FakeConnector

ROOM = thread("1700000000001")
OTHER_ROOM = thread("1700000000002")


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return {
        "DATABASE_URL": f"sqlite:///{tmp_path / 'crisisbot.db'}",
        "CRISISBOT_SCHEDULER": "off",
        "TEAMS_MESSAGES_PER_SECOND": "1000",
        "CRISISBOT_NOTIFY": f"1=@{COLIN.aad},Lea.Legal@Contoso.com,nobody@contoso.com",
    }


def member(person: Person, email: str) -> dict[str, str]:
    # What the Bot Connector answers for a member: a TeamsChannelAccount, with the address and principal name.
    return {"id": person.teams_id, "name": person.name, "aadObjectId": person.aad,
            "email": email, "userPrincipalName": email.lower()}


def direct_messages(teams: TeamsClient, person: Person) -> list[str]:
    chats = [c.conversation for c in teams.connector.of("create") if c.activity["members"] == [{"id": person.teams_id}]]
    return [text for chat in chats for text in teams.connector.texts(chat)]


async def test_a_stakeholder_the_bot_has_spoken_with_gets_a_direct_message(teams: TeamsClient) -> None:
    await teams.say("help", who=COLIN, conversation=OTHER_ROOM)  # Colin met the bot in another thread
    await teams.say("open Viral video of a broken parcel --sev 1", conversation=ROOM)
    [created] = [c for c in teams.connector.of("create") if c.activity["members"] == [{"id": COLIN.teams_id}]]
    # The 1:1 chat is opened in the tenant where Colin spoke, by the bot.
    assert created.activity["channelData"] == {"tenant": {"id": "72f988bf-86f1-41af-91ab-2d7cd011db47"}}
    assert created.activity["bot"]["id"] == BOT_ID and created.activity["isGroup"] is False
    [text] = teams.connector.texts(created.conversation)
    assert text.startswith("A crisis was opened.\n\nCRI-1 · Viral video of a broken parcel · severity 1")
    assert text.endswith(f"Crisis channel: {ROOM}")


async def test_an_email_address_reaches_the_person_the_bot_met_with_it(teams: TeamsClient) -> None:
    teams.connector.members[LEA.teams_id] = member(LEA, "Lea.Legal@contoso.com")
    await teams.say("help", who=LEA, conversation=OTHER_ROOM)
    assert [c.activity_id for c in teams.connector.of("member")] == [LEA.teams_id]
    await teams.say("open Viral video of a broken parcel --sev 1", conversation=ROOM)
    [text] = direct_messages(teams, LEA)
    assert text.startswith("A crisis was opened.\n\nCRI-1 · Viral video of a broken parcel · severity 1")


async def test_a_speaker_is_looked_up_once(teams: TeamsClient) -> None:
    teams.connector.members[LEA.teams_id] = member(LEA, "lea.legal@contoso.com")
    await teams.say("help", who=LEA, conversation=OTHER_ROOM)
    await teams.say("help", who=LEA, conversation=OTHER_ROOM)
    await teams.say("help", who=MEGAN, conversation=OTHER_ROOM)  # not a member the fake knows: asked once too
    await teams.say("help", who=MEGAN, conversation=OTHER_ROOM)
    assert [c.activity_id for c in teams.connector.of("member")] == [LEA.teams_id, MEGAN.teams_id]


async def test_an_address_nobody_has_is_skipped_and_said_once_not_per_crisis(
    teams: TeamsClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING)
    await teams.say("help", who=COLIN, conversation=OTHER_ROOM)
    await teams.say("open Viral video --sev 1", conversation=ROOM)
    await teams.say("open Leaked memo --sev 1", conversation=thread("1700000000003"))
    said = [r.getMessage() for r in caplog.records if "nobody@contoso.com" in r.getMessage()]
    assert said == ["CRISISBOT_NOTIFY: the bot has met nobody in Teams with the e-mail address nobody@contoso.com; "
                    "skipped until it does"]
    assert len(direct_messages(teams, COLIN)) == 2  # the others are told all the same
    assert not [c for c in teams.connector.calls if "@contoso.com" in c.conversation]


async def test_addresses_are_remembered_across_restarts_case_aside(env: dict[str, str]) -> None:
    first = Directory.from_url(env["DATABASE_URL"])
    await first.save_person(LEA_PERSON)
    await first.save_emails(LEA.aad, ["Lea.Legal@Contoso.com", "lea@contoso.onmicrosoft.com", "not an address"])
    again = Directory.from_url(env["DATABASE_URL"])
    assert await again.by_email("lea.legal@contoso.com") == LEA_PERSON
    assert await again.by_email("LEA@contoso.onmicrosoft.com") == LEA_PERSON
    assert await again.by_email("nobody@contoso.com") is None
    assert await again.has_email(LEA.aad) and not await again.has_email(COLIN.aad)


async def test_without_email_stakeholders_a_speaker_is_still_looked_up_once_to_be_recognised_across_platforms(
    env: dict[str, str], connector: FakeConnector
) -> None:
    connector.members[LEA.teams_id] = member(LEA, "lea.legal@contoso.com")
    runtime = build_runtime({**env, "CRISISBOT_NOTIFY": f"1=@{COLIN.aad}"}, clock=FakeClock())
    runner, url = await serve(runtime)
    try:
        async with aiohttp.ClientSession() as session:
            client = TeamsClient(session, url, connector, runtime)
            await client.say("help", who=LEA, conversation=OTHER_ROOM)
            await client.say("help", who=LEA, conversation=OTHER_ROOM)
    finally:
        await runner.cleanup()
    assert connector.of("reply") and [c.activity_id for c in connector.of("member")] == [LEA.teams_id]


LEA_PERSON = TeamsPerson(LEA.aad, LEA.teams_id, LEA.name)
