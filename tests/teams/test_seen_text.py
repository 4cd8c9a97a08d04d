"""For any text, what a Teams user sees is the text stored (`teams_view` is the reference renderer)."""

from __future__ import annotations

import re
import string

from hypothesis import assume, example, given, settings
from hypothesis import strategies as st

from adapters.teams.cards import adaptive_card
from adapters.teams.messages import markdown
from adapters.teams.references import TeamsPerson
from bot.i18n import translator
from bot.replies import Card, Field
from tests.teams.teams_view import Formatted, seen_card, seen_message

# Everything Markdown and HTML care about, and some letters that are not ASCII.
ALPHABET = string.ascii_letters[:6] + string.digits[:4] + string.punctuation + " \t\n" + "é€—’"
texts = st.text(alphabet=ALPHABET, max_size=80)
MEGAN = TeamsPerson("aad-megan", "29:megan", "Megan Bowen")


def read(text: str) -> str:
    """The text as a reader reads it: lines, with runs of spaces as one (HTML shows them so)."""
    return "\n".join(" ".join(line.split()) for line in text.split("\n") if line.strip())


@given(texts)
@settings(max_examples=400)
@example("*Sorry* <at>all</at> [our site](https://evil.example) &amp; `x` _y_ ~z~ | a |")
@example("- not a list\n# not a heading\n1. not numbered\n> not quoted\n    not code\n---\n===")
@example("<!channel> &lt; \\*")
def test_a_message_shows_the_text_as_typed(text: str) -> None:
    assume("<@" not in text)  # `<@id>` is the neutral text's mention: the bot's own markup
    body, mentions = markdown(text, {})
    assert seen_message(body) == (read(text), [])
    assert mentions == {}


@given(texts, texts)
@settings(max_examples=200)
def test_mentions_the_bot_composes_stay_mentions(before: str, after: str) -> None:
    assume("<@" not in before + after)
    body, mentions = markdown(f"{before} <@aad-megan> {after}", {"aad-megan": MEGAN})
    assert seen_message(body) == (read(f"{before} Megan Bowen {after}"), ["Megan Bowen"])
    assert list(mentions) == ["aad-megan"]


@given(texts.filter(lambda name: "\n" not in name and name.strip()))
@settings(max_examples=200)
@example("Eve</at> [click](https://evil.example) **x** &amp; `y` _z_")
def test_a_mentioned_name_shows_as_it_is_written(name: str) -> None:
    # Display names are not the bot's: a guest names themselves.
    body, mentions = markdown("legal: <@aad-eve>", {"aad-eve": TeamsPerson("aad-eve", "29:eve", name)})
    assert seen_message(body) == (read(f"legal: {name}"), [name])
    assert mentions["aad-eve"].text in body


@given(texts, texts.filter(lambda value: value.strip() != "-"))
@settings(max_examples=300)
def test_a_card_shows_the_text_as_typed(text: str, value: str) -> None:
    assume("<@" not in text + value)
    title = " ".join(text.split("\n"))
    card = Card(id="draft:CRI-1:1", title=title, text=text, fields=(Field("Review", value),))
    lines = seen_card(adaptive_card(card, translator("en"), {}))
    expected = [title] if title.strip() else []
    expected += [line for line in text.split("\n") if line.strip()]
    expected.append(f"Review: {value}")
    assert [line for line in lines] == expected


@given(texts.filter(lambda value: "\n" not in value))
@settings(max_examples=300)
@example("`list` yet: `assign <role> @person`. Nobody holds `x`")
@example(" a` ")
def test_typed_text_in_the_bots_own_message_shows_as_typed_and_only_its_hint_as_code(value: str) -> None:
    assume("<@" not in value)
    t = translator("en")
    codes: list[str] = []
    body, _ = markdown(t("Nobody holds {roles} yet: `assign <role> @person`.", roles=value), {})
    assert seen_message(body, codes) == (read(f"Nobody holds {value} yet: assign <role> @person."), [])
    assert codes == []  # a hint holding `<` is text: Teams shows "&lt;" inside a code span
    # What was typed, quoted as code by the bot: the whole of it, backticks and all, in one code span.
    codes = []
    body, _ = markdown(t("Unknown command `{detail}`.", detail=value), {})
    assert seen_message(body, codes) == (read(f"Unknown command {value}."), [])
    assert codes == ([value] if value and not re.search("[<>&]", value) else [])


def test_typed_text_that_ends_like_one_of_the_bots_messages_stays_typed_text() -> None:
    # "{key} is resolved; `reopen` it first." starts with an incident key, which a note's echo does not.
    typed = "CRI-1 · note: it is resolved; `reopen` it first."
    codes: list[str] = []
    assert seen_message(markdown(typed, {})[0], codes) == (typed, [])
    assert codes == []


def test_the_reference_renderer_sees_formatting() -> None:
    for markup in ("*a*", "[a](b)", "<b>a</b>", "# a", "- a", "    a", "`a`", "a | b"):
        try:
            seen_message(markup)
        except Formatted:
            continue
        raise AssertionError(f"{markup!r} was read as plain text")
