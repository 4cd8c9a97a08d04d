"""Pure parts of the door: card rendering, click data, pacing."""

from __future__ import annotations

from pathlib import Path

from botbuilder.schema import Activity, ConversationAccount

from adapters.teams.cards import adaptive_card, click_command, missing_input
from adapters.teams.outbound import ConversationPacer
from adapters.teams.places import place_name
from adapters.teams.references import Directory, TeamsPerson
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


def test_a_people_picker_with_nobody_to_suggest_stays_valid_and_its_placeholder_picks_nobody() -> None:
    card = Card(id="incident:CRI-1", title="CRI-1 · Leak", pickers=(Picker("lead", "CRI-1 assign lead"),))
    content = adaptive_card(card, translator("en"), {})
    picker = next(block for block in content["body"] if block["type"] == "Input.ChoiceSet")
    [placeholder] = picker["choices"]
    assert placeholder["title"] == "Search for someone"
    save = next(block for block in content["body"] if block["type"] == "ActionSet")["actions"][0]
    assert missing_input({**save["data"], "pick0": placeholder["value"]})
    assert missing_input({**save["data"], "pick0": " "})
    assert not missing_input({**save["data"], "pick0": "aad-1"})
    assert not missing_input({"crisisbot": "CRI-1 approve 1"})


async def test_people_who_spoke_anywhere_in_a_channel_are_suggested_in_its_threads(tmp_path: Path) -> None:
    directory = Directory.from_url(f"sqlite:///{tmp_path / 'teams.db'}")
    channel = "19:abc@thread.tacv2"
    await directory.save_person(TeamsPerson("aad-1", "29:1", "Léa", seen_in=f"{channel};messageid=1"))
    await directory.save_person(TeamsPerson("aad-2", "29:2", "Colin", seen_in="19:other@thread.tacv2;messageid=1"))
    await directory.save_person(TeamsPerson("aad-3", "29:3", "Sam", seen_in="a:personal"))
    assert await directory.seen_in(f"{channel};messageid=2") == {"aad-1": "Léa"}
    assert await directory.seen_in("a:personal") == {"aad-3": "Sam"}
    directory.engine.dispose()


def test_conversations_are_named_by_what_teams_tells_else_in_words() -> None:
    t = translator("fr")

    def named(kind: str, name: str | None = None, channel_data: dict[str, object] | None = None) -> str:
        activity = Activity(conversation=ConversationAccount(id="19:x", conversation_type=kind, name=name),
                            channel_data=channel_data)
        return place_name(activity, t)

    assert named("groupChat", "Cellule de crise") == "Teams › Cellule de crise"
    assert named("groupChat") == "Teams › une conversation de groupe"
    assert named("channel", channel_data={"team": {"name": "Contoso"}, "channel": {"name": "  Crise  "}}) == (
        "Teams › Contoso › Crise")
    assert named("channel") == "Teams › un canal"
    assert named("personal", "ignored") == "Teams › une conversation privée"
