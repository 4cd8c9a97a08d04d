"""Block Kit rendering within Slack's limits (unit tests: no network)."""

from __future__ import annotations

from typing import Any

from adapters.slack.blocks import BLOCK_LIMIT, MESSAGE_LIMIT, SECTION_LIMIT, card_blocks, reply_blocks, size
from adapters.slack.gateway import channel_name
from adapters.slack.modals import ask_view, open_incident_view
from bot.config import Settings
from bot.i18n import translator
from bot.replies import Button, Card, Field, Picker, Reply
from bot.views import help_card
from tests.slack import slack_shows

t = translator("en")


def rich_texts(blocks: list[dict[str, Any]]) -> list[str]:
    rich = [b for b in blocks if b["type"] == "rich_text"]
    return ["".join(e.get("text", "") for s in b["elements"] for e in s["elements"]) for b in rich]


def test_long_text_is_split_into_blocks_of_at_most_3000_characters() -> None:
    blocks = reply_blocks(Reply(text="word " * 2000), t)
    assert len(blocks) >= 4 and all(len(text) <= SECTION_LIMIT for text in rich_texts(blocks))
    assert sum(len(text) for text in rich_texts(blocks)) >= 9000


def test_a_message_never_exceeds_50_blocks_and_says_how_much_was_left_out() -> None:
    cards = tuple(Card(id=f"c{i}", title=f"Card {i}", text="x", fields=(Field("a", "b"),)) for i in range(40))
    blocks = reply_blocks(Reply(text="hello", cards=cards), t)
    assert len(blocks) == BLOCK_LIMIT
    last = rich_texts(blocks[-1:])[0]
    # 40 cards of 3 blocks each, a divider between them: 49 kept, the rest counted by the lines they carry.
    assert last.startswith("… ") and last.endswith(" more; export for the full record")
    assert int(last.split()[1]) > 0


def test_a_long_answer_is_cut_to_the_size_of_one_message() -> None:
    lines = "\n".join(f"{n:03d} " + "x" * 900 for n in range(100))
    blocks = card_blocks(Card(id="timeline:CRI-1", title="CRI-1 · timeline", text=lines), t)
    assert size(blocks) <= MESSAGE_LIMIT and len(blocks) <= BLOCK_LIMIT
    shown = "\n".join(rich_texts(blocks))
    kept = shown.count(" xxxx")
    assert f"… {100 - kept} more; export for the full record" in shown
    assert 30 <= kept < 100


def test_header_and_labels_fit_and_mentions_become_names() -> None:
    card = Card(id="x", title="T" * 400 + " <@U123>", buttons=(Button("B" * 100, "CRI-1 approve 1"),))
    blocks = card_blocks(card, t, {"U123": "carol"})
    assert len(blocks[0]["text"]["text"]) <= 150
    assert "T" * 400 + " @carol" in slack_shows.message(blocks, names={"U123": "carol"})[0].text  # whole, below
    assert len(blocks[-1]["elements"][0]["text"]["text"]) <= 75
    assert "@carol" in card_blocks(Card(id="x", title="<@U123> lead"), t, {"U123": "carol"})[0]["text"]["text"]


def test_fields_show_bold_labels_and_real_mentions() -> None:
    blocks = card_blocks(Card(id="x", title="t", fields=(Field("Author", "<@U0AUTHOR>"), Field("State", "*pending*"))), t)
    elements = blocks[1]["elements"][0]["elements"]
    assert {"type": "text", "text": "Author", "style": {"bold": True}} in elements
    assert {"type": "user", "user_id": "U0AUTHOR"} in elements
    body, _ = slack_shows.message(blocks, names={"U0AUTHOR": "ann"})
    assert "Author: @ann\nState: *pending*" in body.text


def test_only_text_the_bot_wrote_gets_code_spans() -> None:
    help_elements = card_blocks(help_card(Settings(), t), t)[1]["elements"][0]["elements"]
    assert any(e.get("style") == {"code": True} and e["text"].startswith("open ") for e in help_elements)
    typed = card_blocks(Card(id="draft:CRI-1:1", title="t", text="say `now`"), t)[1]["elements"][0]["elements"]
    assert typed == [{"type": "text", "text": "say `now`"}]


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


def test_forms_show_their_texts_as_plain_text() -> None:
    question = "Why <!channel> & *now*?"
    view = ask_view(t, "Post & update", question, "CRI-1 update", "C111")
    texts = [view["title"], view["submit"], view["close"], *(b["label"] for b in view["blocks"])]
    assert all(text["type"] == "plain_text" for text in texts)
    assert view["blocks"][0]["label"]["text"] == question and view["title"]["text"] == "Post & update"
    opened = open_incident_view(t, "C111")
    assert all(b["label"]["type"] == "plain_text" for b in opened["blocks"])


def test_a_field_as_long_as_a_form_allows_is_shown_whole() -> None:
    update = "u" * 2800 + " (2026-03-01 09:00 UTC)"
    blocks = card_blocks(Card(id="x", title="t", fields=(Field("Severity", "2"), Field("Latest update", update))), t)
    assert all(size(b) <= SECTION_LIMIT for b in blocks)
    assert update in slack_shows.message(blocks)[0].text
