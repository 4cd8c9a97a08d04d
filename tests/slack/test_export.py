"""`export` from Slack: the report reaches the channel as a file, through Slack's current upload flow."""

from __future__ import annotations

import json

from tests.slack.conftest import Bot
from tests.slack.test_commands import LEAD, crisis, ephemeral_texts


async def test_export_uploads_the_report_as_a_markdown_file_in_the_channel(bot: Bot) -> None:
    await crisis(bot, "open Wave of complaints --sev 2")
    await crisis(bot, "CRI-1 lesson Legal came in late")
    await crisis(bot, "CRI-1 export", channel="C222")
    [asked] = bot.slack.called("files.getUploadURLExternal")
    [uploaded] = bot.slack.called("upload")
    [completed] = bot.slack.called("files.completeUploadExternal")
    assert asked.params["filename"] == "CRI-1-report.md"
    assert int(asked.params["length"]) == len(uploaded.params["content"].encode("utf-8"))
    assert uploaded.params["file_id"] == asked.answer["file_id"]
    assert uploaded.params["content"].startswith("# CRI-1 · Wave of complaints")
    assert "- Legal came in late · @name-w111" in uploaded.params["content"]  # named as Slack names the lead
    assert completed.params["channel_id"] == "C222" and completed.params["initial_comment"] == "CRI-1 report"
    assert [f["id"] for f in json.loads(completed.params["files"])] == [asked.answer["file_id"]]


async def test_a_refused_upload_tells_the_person_why_and_how_else(bot: Bot) -> None:
    await crisis(bot, "open Wave of complaints --sev 2")
    bot.slack.errors["files.getUploadURLExternal"] = "missing_scope"
    await crisis(bot, "CRI-1 export", user=LEAD, channel="C222")
    assert bot.slack.called("upload") == []
    assert any("I could not upload CRI-1-report.md here (missing_scope)" in text for text in ephemeral_texts(bot))
