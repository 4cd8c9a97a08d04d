"""The console: prepared words previewed as Slack and Teams get them, and the README's crisis run as told."""

from __future__ import annotations

from pathlib import Path

import pytest

from adapters.console.render import Controls, card_text
from bot.i18n import translator
from bot.replies import Card
from tests.e2e.test_console import crisisbot

DELAY = "We are aware that deliveries of {product} are late. We are investigating and will update you by {time}."
README_SESSION = f"""\
/as sam
template delivery-delay {DELAY}
template site-down Our website is unavailable. We are working on it and will update you by {{time}}.
template recall-check We are checking reports about {{product}}. Please stop using it until we update you by {{time}}.
/as carl
approve-template delivery-delay
/as lina
approve-template delivery-delay
/as sam
open Kettle K2 deliveries stuck in transit --sev 1
use delivery-delay product=Kettle K2 time=18:00
answer Is my order late? | Yes, by up to two days. Shipping fees will be refunded.
/as carl
approve-answer 1
/as lea
approve
publish 1 website
"""


def test_prepared_words_are_previewed_escaped_for_slack_and_teams() -> None:
    card = Card(id="template:x", title="Holding statement x", text="We are *sorry* & <late>", preview=True)
    lines = card_text(card, Controls(), translator("en"))
    assert "│ Slack preview: We are *sorry* &amp; &lt;late&gt;" in lines
    assert "│ Teams preview: We are \\*sorry\\* &amp; &lt;late&gt;" in lines
    assert not any("preview" in line for line in card_text(Card(id="c", title="t", text="x"), Controls(), translator("en")))


@pytest.mark.slow
def test_the_readme_crisis_publishes_a_prepared_statement_and_the_support_room_holds_the_brief(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name, value in {"CRISISBOT_ROSTER_LEAD": "lea", "CRISISBOT_ROSTER_COMMS": "carl", "CRISISBOT_ROSTER_LEGAL": "lina",
                        "CRISISBOT_FRONTLINE_CHANNELS": "console:support"}.items():
        monkeypatch.setenv(name, value)
    session = crisisbot(tmp_path, "console", stdin=README_SESSION)
    out = session.stdout
    assert session.returncode == 0, session.stderr
    assert "Template delivery-delay v1 approved: ready to use." in out
    assert "Source: from approved template delivery-delay" in out
    support = out[out.index("[#support]"):]
    assert "CRI-1 · changed: answer “Is my order late?”" in support
    assert "CRI-1 · changed: public statement" in support
    assert "Q: Is my order late?: Yes, by up to two days. Shipping fees will be refunded." in support
    assert ("Public statement (website · " in support
            and "We are aware that deliveries of Kettle K2 are late. We are investigating and will update you by 18:00."
            in support)
