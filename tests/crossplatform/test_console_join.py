"""`join` and `leave` in the console, whose conversations are names typed with `/in`."""

from __future__ import annotations

from pathlib import Path

from tests.e2e.test_console import crisisbot

SESSION = """\
/as alice
open Wave of complaints --sev 2
assign lead @alice
/in legal-room
/as mallory
join CRI-1
/as alice
rejoindre CRI-1
/in general
draft We are on it.
/in legal-room
note Counsel is reading the draft
quitter
/in general
update Carrier confirmed a 48 h delay
"""


def test_join_and_leave_in_console_conversations(tmp_path: Path) -> None:
    run = crisisbot(tmp_path, "console", stdin=SESSION)
    assert run.returncode == 0, run.stderr
    out = run.stdout
    assert "Only the lead (@alice) or the reporter can do that." in out  # mallory may not link it
    # Joined: the legal room gets the incident card, then the draft written in general, and the news.
    assert "[#legal-room]" in out and "Followed in" in out
    after_join = out[out.index("now discussed in console legal-room"):]
    assert "[#legal-room]" in after_join[after_join.index("draft #1 written"):]
    # The note typed in the legal room needs no key: the incident is implicit there.
    assert "CRI-1 · note: Counsel is reading the draft" in out
    assert "no longer followed in console legal-room" in out
    # After leaving, the update reaches general only.
    last = out[out.index("no longer followed in console legal-room"):]
    assert "[#legal-room]" not in last
