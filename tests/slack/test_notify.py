"""CRISISBOT_NOTIFY over real HTTP: the stakeholders' direct message reaches the Slack Web API with a channel link."""

from __future__ import annotations

import pytest

from tests.slack.conftest import Bot
from tests.slack.test_commands import crisis


@pytest.fixture
def extra_env() -> dict[str, str]:
    return {"CRISISBOT_NOTIFY": "1=@UCEO,#CEXEC;2=@UCEO"}


async def test_a_severity_1_crisis_is_sent_to_its_stakeholders_with_a_link_to_its_channel(bot: Bot) -> None:
    await crisis(bot, "open Viral video of a broken parcel --sev 1")
    room = bot.slack.called("conversations.create")[0].answer["channel"]["id"]
    for target in ("UCEO", "CEXEC"):
        [sent] = [c for c in bot.slack.called("chat.postMessage") if c.params["channel"] == target]
        text = sent.params["text"]
        assert text.startswith("A crisis was opened.\nCRI-1 · Viral video of a broken parcel · severity 1")
        assert f"Crisis channel: <#{room}>" in text


async def test_a_severity_3_crisis_reaches_no_stakeholder(bot: Bot) -> None:
    await crisis(bot, "open Some complaints --sev 3")
    assert not [c for c in bot.slack.called("chat.postMessage") if c.params["channel"] in ("UCEO", "CEXEC")]
