"""Pure parts of the door: card rendering, click data, pacing."""

from __future__ import annotations

from adapters.teams.cards import adaptive_card, click_command
from adapters.teams.outbound import ConversationPacer
from bot.i18n import translator
from bot.replies import Button, Card, Field, Picker
from tests.teams.fake_connector import card_facts


def test_a_card_renders_names_not_ids_and_every_button_has_a_submit_fallback() -> None:
    card = Card(
        id="draft:CRI-1:1", title="CRI-1 · draft reply #1", text="We are sorry.",
        fields=(Field("Author", "<@aad-1>"),),
        buttons=(Button("Approve", "CRI-1 approve 1", style="primary"), Button("Reject", "CRI-1 reject 1", ask="Why?")),
        pickers=(Picker("legal", "CRI-1 assign legal"),),
    )
    content = adaptive_card(card, translator("en"), {"aad-1": "Léa"})
    assert content["version"] == "1.6"  # the people picker's `choices.data` is a 1.6 feature
    assert card_facts(content) == {"Author": "Léa"}
    approve, reject = content["actions"]
    assert approve["type"] == "Action.Execute" and approve["style"] == "positive"
    assert approve["fallback"] == {"type": "Action.Submit", "title": "Approve", "data": approve["data"], "style": "positive"}
    assert reject["type"] == "Action.ShowCard" and reject["card"]["body"][0]["type"] == "Input.Text"
    picker = next(block for block in content["body"] if block["type"] == "Input.ChoiceSet")
    assert picker["choices.data"]["dataset"] == "graph.microsoft.com/users"
    assert picker["choices"] == [{"title": "Léa", "value": "aad-1"}]  # the people on the card, as suggestions


def test_click_data_becomes_grammar_text() -> None:
    assert click_command({"crisisbot": "CRI-1 approve 1", "card": "draft:CRI-1:1"}) == "CRI-1 approve 1"
    assert click_command({"crisisbot": "CRI-1 update", "input": "ask0", "ask0": " Line one\nline two "}) == (
        "CRI-1 update Line one\nline two")
    assert click_command({"crisisbot": "CRI-1 update", "input": "ask0"}) == "CRI-1 update"
    assert click_command({"item": "vegan"}) is None


async def test_the_pacer_lets_seven_through_per_second_per_conversation() -> None:
    now = [0.0]
    slept: list[float] = []

    async def sleep(seconds: float) -> None:
        slept.append(round(seconds, 3))
        now[0] += seconds

    pacer = ConversationPacer(7, clock=lambda: now[0], sleep=sleep)
    for _ in range(7):
        await pacer.wait("a")
    await pacer.wait("b")  # another conversation is not held back
    assert slept == []
    await pacer.wait("a")
    assert slept == [1.0]
