"""Long answers fit in one Teams activity (about 28 KB), cut with a note that `export` has the full record."""

from __future__ import annotations

import logging

import pytest

from tests.teams.conftest import TeamsClient, thread
from tests.teams.fake_connector import MAX_ACTIVITY_BYTES, card_lines

ROOM = thread("1700000000001")


async def test_a_60_update_timeline_is_cut_to_fit_with_the_newest_kept(teams: TeamsClient) -> None:
    await teams.say("open Wave of complaints --sev 2", conversation=ROOM)
    for number in range(1, 61):
        text = f"Update {number}: " + "the carrier reports more délayed parcels — 50 € each, in the north; " * 15
        assert await teams.say(f"update {text}", conversation=ROOM) == 200
    teams.connector.clear()

    assert await teams.say("timeline", conversation=ROOM) == 200
    assert teams.connector.refused == []  # no 413 met
    [answer] = teams.connector.of("reply")
    lines = card_lines(answer.cards[0])
    assert len(answer.activity_bytes) <= MAX_ACTIVITY_BYTES
    more = [line for line in lines if "more; export for the full record" in line]
    assert len(more) == 1 and lines[2] == more[0]  # the oldest part gave way
    assert "Update 60:" in lines[-1]
    assert not any("Update 20:" in line for line in lines)
    # The core's count of the entries it left out stays under the title, and adds up with the door's own cut.
    recorded = teams.incident().events_recorded
    assert lines[1] == f"… {recorded - 40} earlier entries; export for the full record"
    entries = [line for line in lines if "Update " in line]
    assert recorded - 40 + int(more[0].split()[1]) + len(entries) == recorded


async def test_a_long_text_answer_is_cut_to_fit(teams: TeamsClient) -> None:
    await teams.say("open Wave of complaints --sev 2", conversation=ROOM)
    teams.connector.clear()
    gateway = teams.runtime.gateways["teams"]
    from bot.replies import Reply

    lines = [f"line {n}: " + "x" * 500 for n in range(100)]
    await gateway.post(ROOM, Reply(text="\n".join(lines)))
    assert teams.connector.refused == []
    [sent] = teams.connector.of("send")
    assert sent.text.startswith("line 0: ")
    assert sent.text.endswith("more; `export` for the full record")


async def test_a_413_is_logged_once_and_answered(teams: TeamsClient, caplog: pytest.LogCaptureFixture) -> None:
    await teams.say("open Wave of complaints --sev 2", conversation=ROOM)
    teams.connector.clear()
    teams.connector.fail_next(413)
    with caplog.at_level(logging.WARNING):
        assert await teams.say("status", conversation=ROOM) == 200
    assert teams.connector.refused == [413]
    problems = [r for r in caplog.records if r.levelno >= logging.WARNING and "413" in r.getMessage()]
    assert len(problems) == 1 and problems[0].exc_info is None
    assert [r for r in caplog.records if r.exc_info] == []
    notices = teams.connector.texts(ROOM)
    assert notices[0] == "This answer is too long for Teams; `export` gives the full record."
