"""`export` from Teams: the report's Markdown in a message, cut to Teams' size with a note when too long."""

from __future__ import annotations

from adapters.teams.files import cut, file_activity
from bot.i18n import Translator
from bot.replies import File, Reply
from tests.teams.conftest import MEGAN, TeamsClient, thread
from tests.teams.fake_connector import MAX_ACTIVITY_BYTES

ROOM = thread("1700000000009")


async def test_export_answers_the_markdown_report_in_the_conversation(teams: TeamsClient) -> None:
    assert await teams.say("open Wave of complaints --sev 2", MEGAN, ROOM) == 200
    assert await teams.say("lesson Call legal `first`", MEGAN, ROOM) == 200
    teams.connector.clear()
    assert await teams.say("export", MEGAN, ROOM) == 200
    [answer] = [c for c in teams.connector.of("reply") if c.text]
    assert answer.text.startswith("**CRI-1 report** · CRI-1-report.md")
    assert "```markdown\n# CRI-1 · Wave of complaints" in answer.text
    assert "- Call legal `first` · @Megan Bowen" in answer.text
    assert "Cut at" not in answer.text


async def test_a_long_report_in_another_script_is_cut_to_what_teams_accepts(teams: TeamsClient) -> None:
    # The connector writes each non-ASCII character as a 6-byte `\\u` escape: a cut by UTF-8 size lets through a
    # message twice too large for Teams.
    assert await teams.say("open 配送の遅れ --sev 2", MEGAN, ROOM) == 200
    for number in range(40):
        assert await teams.say(f"note {number} " + "配送業者が遅延した荷物を見つけました。" * 20, MEGAN, ROOM) == 200
    teams.connector.clear()
    assert await teams.say("export", MEGAN, ROOM) == 200
    assert teams.connector.refused == []
    [answer] = [c for c in teams.connector.of("reply") if c.text]
    assert len(answer.activity_bytes) <= MAX_ACTIVITY_BYTES
    assert answer.text.startswith("**CRI-1 report** · CRI-1-report.md") and "Cut at" in answer.text


def test_a_long_report_is_cut_at_a_line_and_says_how_to_get_it_whole() -> None:
    content = "".join(f"line {n} ééé\n" for n in range(5000))
    file = File("CRI-7-report.md", content)
    activity = file_activity(Reply(text="CRI-7 report", incident="CRI-7"), file, Translator("en"), limit=1000)
    shown = cut(content, 1000)
    assert len(shown.encode("utf-8")) <= 1000 and shown.endswith("ééé\n") and content.startswith(shown)
    assert shown.rstrip() in activity.text
    assert activity.text.endswith(
        f"Cut at {len(shown)} of {len(content)} characters: `crisisbot export CRI-7 --out CRI-7-report.md` "
        "writes the whole report."
    )


def test_backticks_in_the_report_cannot_close_the_code_block_early() -> None:
    file = File("CRI-1-report.md", "> quoted ```` text\n")
    activity = file_activity(Reply(text="CRI-1 report"), file, Translator("en"))
    assert "`````markdown\n> quoted ```` text\n`````" in activity.text
