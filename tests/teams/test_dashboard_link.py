"""`dashboard` typed in Teams: the personal link goes to the asker's 1:1 chat, never into a shared thread."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.teams.conftest import MEGAN, TeamsClient, thread

ROOM = thread("1700000000001")
SECRET = "teams-test-secret-key-0123456789"


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return {
        "DATABASE_URL": f"sqlite:///{tmp_path / 'crisisbot.db'}",
        "CRISISBOT_SCHEDULER": "off",
        "TEAMS_MESSAGES_PER_SECOND": "1000",
        "CRISISBOT_SECRET_KEY": SECRET,
        "CRISISBOT_PUBLIC_URL": "https://crisis.example.com",
    }


async def test_asked_in_a_channel_the_link_goes_to_the_personal_chat(teams: TeamsClient) -> None:
    assert await teams.say("dashboard", MEGAN, ROOM) == 200
    in_thread = teams.connector.texts(ROOM)
    assert in_thread == ["I sent you the answer in your personal chat with crisisbot."]
    [created] = [c for c in teams.connector.of("create") if c.activity["members"] == [{"id": MEGAN.teams_id}]]
    [text] = teams.connector.texts(created.conversation)
    assert "Your dashboard link, for you alone, valid 12 hours: https://crisis.example.com/dashboard?token=v1." in text


async def test_asked_in_the_personal_chat_the_link_is_answered_there(teams: TeamsClient) -> None:
    personal = "a:1megan-personal-chat"
    assert await teams.say("tableau", MEGAN, personal) == 200
    [text] = teams.connector.texts(personal)
    assert "https://crisis.example.com/dashboard?token=v1." in text
    assert not teams.connector.of("create")
