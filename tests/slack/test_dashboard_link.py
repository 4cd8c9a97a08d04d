"""`/crisis dashboard` in Slack: the personal link is answered to the asker alone (ephemeral), never posted."""

from __future__ import annotations

import pytest

from tests.slack.conftest import Bot
from tests.slack.slack_requests import slash_command


@pytest.fixture
def extra_env() -> dict[str, str]:
    return {"CRISISBOT_SECRET_KEY": "slack-test-secret-key-0123456789", "CRISISBOT_PUBLIC_URL": "https://crisis.example.com"}


async def test_the_link_is_ephemeral(bot: Bot) -> None:
    response = await bot.send(slash_command("dashboard", user="W111", channel="C111", trigger_id="t.1"))
    assert response.status == 200
    await bot.settled()
    ephemeral = [c.params for c in bot.slack.called("chat.postEphemeral")]
    assert any(p["user"] == "W111" and "https://crisis.example.com/dashboard?token=v1." in p["text"] for p in ephemeral), \
        ephemeral
    posted = [c.params.get("text", "") for c in bot.slack.called("chat.postMessage")]
    assert not any("token=" in str(text) for text in posted)
