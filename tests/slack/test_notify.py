"""CRISISBOT_NOTIFY over real HTTP: the stakeholders' direct message reaches the Slack Web API with a channel link."""

from __future__ import annotations

import logging

import pytest

from tests.slack.conftest import Bot
from tests.slack.test_commands import crisis


@pytest.fixture
def extra_env() -> dict[str, str]:
    return {"CRISISBOT_NOTIFY": "1=@UCEO,#CEXEC,CFO@Example.com,nobody@example.com;2=@UCEO"}


def sent_to(bot: Bot, target: str) -> list[str]:
    return [c.params["text"] for c in bot.slack.called("chat.postMessage") if c.params["channel"] == target]


async def test_a_severity_1_crisis_is_sent_to_its_stakeholders_with_a_link_to_its_channel(bot: Bot) -> None:
    await crisis(bot, "open Viral video of a broken parcel --sev 1")
    room = bot.slack.called("conversations.create")[0].answer["channel"]["id"]
    for target in ("UCEO", "CEXEC"):
        [text] = sent_to(bot, target)
        assert text.startswith("A crisis was opened.\nCRI-1 · Viral video of a broken parcel · severity 1")
        assert f"Crisis channel: <#{room}>" in text


async def test_a_severity_3_crisis_reaches_no_stakeholder(bot: Bot) -> None:
    await crisis(bot, "open Some complaints --sev 3")
    assert not [c for c in bot.slack.called("chat.postMessage") if c.params["channel"] in ("UCEO", "CEXEC")]
    assert not bot.slack.called("users.lookupByEmail")


async def test_an_email_address_reaches_the_member_slack_knows_by_it(bot: Bot) -> None:
    bot.slack.emails["cfo@example.com"] = "UCFO"
    await crisis(bot, "open Viral video of a broken parcel --sev 1")
    [text] = sent_to(bot, "UCFO")
    assert text.startswith("A crisis was opened.\nCRI-1 · Viral video of a broken parcel · severity 1")
    # Asked as configured (case aside), and never posted to the address itself.
    assert "cfo@example.com" in [c.params["email"] for c in bot.slack.called("users.lookupByEmail")]
    assert not [c for c in bot.slack.called("chat.postMessage") if "@" in str(c.params["channel"])]


async def test_an_address_nobody_has_is_skipped_and_said_once_not_per_crisis(
    bot: Bot, caplog: pytest.LogCaptureFixture
) -> None:
    bot.slack.emails["cfo@example.com"] = "UCFO"
    caplog.set_level(logging.WARNING)
    await crisis(bot, "open Viral video --sev 1")
    await crisis(bot, "open Leaked memo --sev 1", channel="C222")
    warnings = [r.getMessage() for r in caplog.records if "nobody@example.com" in r.getMessage()]
    assert warnings == ["CRISISBOT_NOTIFY: no Slack user has the e-mail address nobody@example.com; skipped until one does"]
    # The others are told of both crises all the same; a known address is asked once, then remembered.
    assert len(sent_to(bot, "UCEO")) == 2 and len(sent_to(bot, "UCFO")) == 2
    asked = [c.params["email"] for c in bot.slack.called("users.lookupByEmail")]
    assert asked.count("cfo@example.com") == 1


async def test_a_failed_lookup_is_not_taken_for_an_unknown_address(bot: Bot, caplog: pytest.LogCaptureFixture) -> None:
    # An app installed before users:read.email was added: Slack refuses the lookup, which says nothing of the person.
    bot.slack.emails["cfo@example.com"] = "UCFO"
    bot.slack.errors_once["users.lookupByEmail"] = "missing_scope"
    caplog.set_level(logging.WARNING)
    await crisis(bot, "open Viral video --sev 1")
    assert "users.lookupByEmail failed: missing_scope" in caplog.text
    assert "no Slack user has the e-mail address cfo@example.com" not in caplog.text
    await crisis(bot, "open Leaked memo --sev 1", channel="C222")  # reinstalled meanwhile: asked again
    assert len(sent_to(bot, "UCFO")) == 1
