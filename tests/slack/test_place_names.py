"""Through the real HTTP door: timeline facts and the report name Slack conversations by name, never by id."""

from __future__ import annotations

from tests.slack import slack_shows
from tests.slack.conftest import Bot
from tests.slack.fake_slack import Call
from tests.slack.slack_requests import app_mention, slash_command
from tests.slack.test_commands import LEAD


async def typed(bot: Bot, text: str, channel: str = "C111", channel_name: str = "general") -> list[Call]:
    before = len(bot.slack.calls)
    trigger = f"t.{before}.{text[:10]}"
    response = await bot.send(slash_command(text, LEAD, channel, trigger, channel_name=channel_name))
    assert response.status == 200
    await bot.door.work.drain()
    return bot.slack.calls[before:]


def answer_text(calls: list[Call]) -> str:
    [answer] = [c for c in calls if c.method in ("chat.postEphemeral", "response_url")]
    return slack_shows.message(answer.blocks())[0].text


async def test_the_timeline_and_report_name_the_channels_a_crisis_lives_in(bot: Bot) -> None:
    await typed(bot, "open Wave of complaints --sev 2")
    room = bot.slack.called("conversations.create")[0].answer["channel"]["id"]
    # Asked from where it was opened: the crisis channel, created by the bot, was never typed in yet.
    timeline = answer_text(await typed(bot, "CRI-1 timeline"))
    assert "now discussed in Slack › #general" in timeline
    assert "now discussed in Slack › #crisis-cri-1-wave-of-complaints" in timeline
    assert "C111" not in timeline and room not in timeline
    await typed(bot, "CRI-1 export", channel="C222", channel_name="elsewhere")
    [uploaded] = bot.slack.called("upload")
    report = uploaded.params["content"]
    assert "now discussed in Slack › #general" in report
    assert "now discussed in Slack › #crisis-cri-1-wave-of-complaints" in report
    assert "C111" not in report and room not in report


async def test_a_channel_slack_never_named_is_called_a_slack_channel(bot: Bot) -> None:
    # A mention event carries no channel name, and this channel was never named by any request.
    response = await bot.send(app_mention("<@UBOT> open Wave of complaints --sev 2", user=LEAD, channel="C333"))
    assert response.status == 200
    await bot.door.work.drain()
    timeline = answer_text(await typed(bot, "CRI-1 timeline", channel="C444", channel_name="other"))
    assert "now discussed in a Slack channel" in timeline
    assert "C333" not in timeline
