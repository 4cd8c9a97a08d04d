"""Block Kit rendering within Slack's limits (unit tests: no network)."""

from __future__ import annotations

from adapters.slack.blocks import BLOCK_LIMIT, SECTION_LIMIT, card_blocks, reply_blocks
from adapters.slack.gateway import channel_name
from bot.i18n import translator
from bot.replies import Button, Card, Field, Picker, Reply

t = translator("en")


def all_texts(blocks: list[dict]) -> list[str]:  # type: ignore[type-arg]
    texts = []
    for block in blocks:
        if "text" in block:
            texts.append(block["text"]["text"])
        texts += [f["text"] for f in block.get("fields", [])]
    return texts


def test_long_text_is_split_into_sections_of_at_most_3000_characters() -> None:
    blocks = reply_blocks(Reply(text="word " * 2000), t)
    assert len(blocks) >= 4 and all(len(text) <= SECTION_LIMIT for text in all_texts(blocks))
    assert sum(len(text) for text in all_texts(blocks)) >= 9000


def test_a_message_never_exceeds_50_blocks() -> None:
    cards = tuple(Card(id=f"c{i}", title=f"Card {i}", text="x", fields=(Field("a", "b"),)) for i in range(40))
    blocks = reply_blocks(Reply(text="hello", cards=cards), t)
    assert len(blocks) == BLOCK_LIMIT and blocks[-1]["type"] == "context"


def test_header_and_labels_fit_and_mentions_become_names() -> None:
    card = Card(id="x", title="T" * 400 + " <@U123>", buttons=(Button("B" * 100, "CRI-1 approve 1"),))
    blocks = card_blocks(card, t, {"U123": "carol"})
    assert len(blocks[0]["text"]["text"]) <= 150
    assert len(blocks[-1]["elements"][0]["text"]["text"]) <= 75
    assert "@carol" in card_blocks(Card(id="x", title="<@U123> lead"), t, {"U123": "carol"})[0]["text"]["text"]


def test_user_picker_preselects_only_slack_ids() -> None:
    card = Card(id="x", title="t", pickers=(Picker("legal", "CRI-1 assign legal", selected="carol"),
                                            Picker("comms", "CRI-1 assign comms", selected="U0COMMS")))
    accessories = [b["accessory"] for b in card_blocks(card, t) if "accessory" in b]
    assert "initial_user" not in accessories[0] and accessories[1]["initial_user"] == "U0COMMS"


def test_channel_names_are_lowercase_ascii_and_at_most_80_characters() -> None:
    assert channel_name("CRI-12", "Vague de plaintes : livraisons très en retard !") == \
        "crisis-cri-12-vague-de-plaintes-livraisons-tres-en-retard"
    long = channel_name("CRI-12", "x" * 200, attempt=3)
    assert len(long) <= 80 and long.endswith("-3")
    assert channel_name("CRI-1", "!!!") == "crisis-cri-1"


def test_a_long_title_is_cut_between_words_never_inside_one() -> None:
    title = "Wave of complaints about deliveries arriving late across the northern regions since Monday morning"
    name = channel_name("CRI-1", title)
    assert len(name) <= 80
    assert name == "crisis-cri-1-wave-of-complaints-about-deliveries-arriving-late-across-the"
    words = set(title.lower().split())
    assert all(word in words for word in name.removeprefix("crisis-cri-1-").split("-"))
    taken = channel_name("CRI-1", title, attempt=12)
    assert len(taken) <= 80 and taken.endswith("-the-12")
    assert channel_name("CRI-12", "x" * 200) == "crisis-cri-12"  # one word too long for the room is left out
