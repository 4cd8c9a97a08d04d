"""End to end: after a card click, what the clicker and everyone else see of a draft is the text as typed."""

from __future__ import annotations

import html

from tests.teams.conftest import LEA, TeamsClient
from tests.teams.teams_view import seen_card, seen_message
from tests.teams.test_card_clicks import click, crisis_with_draft, posted_card

NASTY = "<at>everyone</at> **urgent** [x](http://e) <script>alert(1)</script> & 50 € _now_"


async def test_a_click_shows_the_draft_exactly_as_typed_to_the_clicker_and_to_everyone(teams: TeamsClient) -> None:
    # As Teams delivers what a person typed: HTML, with `<`, `>` and `&` as entities.
    await crisis_with_draft(teams, html.escape(NASTY, quote=False))
    typed = teams.incident().draft(1).text
    assert typed == NASTY  # stored as the person typed it
    draft_card = posted_card(teams, "CRI-1 · draft reply #1")
    teams.connector.clear()

    status, body = await click(teams, draft_card, "Approve", LEA)
    assert status == 200
    [update] = teams.connector.of("update")
    # The invoke answer (the clicker's view) and the connector PUT (everyone's): the reference renderer reads
    # each card's Markdown strictly, raising on anything that would format, link, mention or run.
    for card in (body["value"], update.cards[0]):
        assert any(typed in line for line in seen_card(card)), seen_card(card)
    # Every message the click sent (the confirmation in the thread) reads as plain text, mentioning no one.
    for call in teams.connector.calls:
        if call.text:
            text, mentions = seen_message(call.text)
            assert mentions == [] and "everyone" not in text
