"""Slack's text formats, both ways: what Slack sends becomes literal text; literal text becomes what Slack shows.

The core's replies and cards hold literal text: a title, a draft, a note read exactly as typed. Two tokens are
references, not text: `<@id>` names a person (the core's `mention`, or a Slack user's typed @name) and `<#C…>` a
Slack channel (composed by this door). Everything else must reach the reader unchanged.

Why rich_text and not mrkdwn: escaping `&`, `<` and `>` stops pings (`<!channel>`), disguised links
(`<https://evil.example|our site>`) and mangled entities, but mrkdwn has no escape for `*bold*`, `_x_`, `~x~`,
backticks or a line starting with `>`; only a zero-width character would break them, and that changes the text
people copy. A rich_text block's `text` elements are shown verbatim, so user text goes there, people become `user`
elements, and formatting (bold labels, code spans) is applied only where the bot composes it. Headers, buttons,
options and modals use plain_text objects, which Slack never parses. The notification `text` of a message is
escaped, so it can neither ping nor link, and posted with `mrkdwn: false`, so its markers stay as typed (updates and
ephemeral messages notify nobody).
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from typing import Any

from bot.plain_text import INERT

Element = dict[str, Any]

SLACK_USER = re.compile(r"^[UW][A-Z0-9]{2,}$")
# A Slack user as Slack writes one in a message or command text: `<@U123>` or `<@U123|name>`.
SLACK_MENTION = re.compile(r"<@([A-Z0-9]+)(?:\|[^>]*)?>")
# The references neutral text may carry: a person (with Slack's optional `|label`) or a Slack channel.
REFERENCE = re.compile(r"<@([A-Za-z0-9._:-]+)(?:\|[^<>]*)?>|<#(C[A-Z0-9]+)>")
_CODE = re.compile(r"`([^`\n]+)`")
# What Slack sends in `<…>`: a person, a channel, a special mention (`!here`, `!subteam^S1`), a link.
_INCOMING = re.compile(r"<([^<>]*)>")


def escape(text: str) -> str:
    """Text for mrkdwn, read as typed: Slack decodes exactly these three entities."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def from_slack(text: str) -> str:
    """What a person typed, from the text Slack sends for a slash command or a message.

    Slack escapes `&`, `<`, `>` and wraps what it recognised in `<…>`. A typed @person stays a person reference
    (`<@U123>`, which the grammar reads); a typed @channel, #channel or link becomes the text that was typed, so
    storing and showing it again can neither ping nor link. What only looks like a reference (`<@U123>` or
    `<#C123>` typed by hand, which Slack sends escaped) is made `inert`: it reads as typed and names no one.
    Non-breaking spaces (Slack's composer can write them, Option+Space on a Mac does) are spaces, as the Teams door
    reads them: the grammar does not split words on them.
    """
    text = text.replace("\xa0", " ")
    out: list[str] = []
    real: set[int] = set()  # where the references Slack recognised start in the result
    at = 0
    for match in _INCOMING.finditer(text):
        out.append(_decoded(text[at: match.start()]))
        typed = _typed(match)
        if match.group(1).startswith("@"):  # a person Slack recognised (not a label that reads like one)
            real.add(sum(map(len, out)))
        out.append(typed)
        at = match.end()
    out.append(_decoded(text[at:]))
    return inert("".join(out), keep=real)


def _typed(match: re.Match[str]) -> str:
    target, _, label = match.group(1).partition("|")
    target, label = _decoded(target), _decoded(label)  # a link's `&amp;` is Slack's escape, as in the text around
    if target.startswith("@"):
        return f"<{target}>"
    if target.startswith("#"):
        return f"#{label}" if label else target
    if target.startswith("!"):
        return label or "@" + target[1:].split("^")[0]
    # A link: its label as typed, and where it leads when the label does not say it.
    if label and label not in target:
        return f"{label} ({target})"
    return label or target


def _decoded(text: str) -> str:
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def inert(text: str, keep: Collection[int] = ()) -> str:
    """Text a person typed, whose `<@…>` and `<#C…>` are text, not references: an invisible word joiner after the
    `<` keeps them from naming anyone while they read (and copy) the same (as `bot.plain_text.inert` does).
    References starting at an offset in `keep` are real ones and stay."""
    return REFERENCE.sub(lambda m: m.group(0) if m.start() in keep else f"<{INERT}{m.group(0)[1:]}", text)


def named(person: str, names: Mapping[str, str]) -> str:
    return "@" + names.get(person, person)


def readable(text: str, names: Mapping[str, str]) -> str:
    """For plain_text objects, which show no mention: the person's name instead."""
    return REFERENCE.sub(lambda m: named(m.group(1), names) if m.group(1) else f"#{m.group(2)}", text)


def to_mrkdwn(text: str, names: Mapping[str, str]) -> str:
    """For the notification `text` of a message: escaped, with real mentions of Slack users only."""
    out: list[str] = []
    at = 0
    for match in REFERENCE.finditer(text):
        out.append(escape(text[at: match.start()]))
        person, channel = match.group(1), match.group(2)
        if channel:
            out.append(f"<#{channel}>")
        elif SLACK_USER.match(person):
            out.append(f"<@{person}>")
        else:
            out.append(escape(named(person, names)))
        at = match.end()
    out.append(escape(text[at:]))
    return "".join(out)


def rich(text: str, names: Mapping[str, str], code: bool = False, bold: bool = False) -> list[Element]:
    """rich_text elements showing `text` verbatim; `code` renders its `code spans` (only for text the bot wrote)."""
    elements: list[Element] = []
    at = 0
    for match in REFERENCE.finditer(text):
        _words(elements, text[at: match.start()], code, bold)
        person, channel = match.group(1), match.group(2)
        if channel:
            elements.append({"type": "channel", "channel_id": channel})
        elif SLACK_USER.match(person):
            elements.append({"type": "user", "user_id": person})
        else:
            _words(elements, named(person, names), False, bold)
        at = match.end()
    _words(elements, text[at:], code, bold)
    return elements


def _words(elements: list[Element], text: str, code: bool, bold: bool) -> None:
    if not code:
        _text(elements, text, {"bold": True} if bold else None)
        return
    at = 0
    for match in _CODE.finditer(text):
        _text(elements, text[at: match.start()], None)
        _text(elements, match.group(1), {"code": True})
        at = match.end()
    _text(elements, text[at:], None)


def _text(elements: list[Element], text: str, style: dict[str, bool] | None) -> None:
    if not text:
        return
    last = elements[-1] if elements else None
    if last and last["type"] == "text" and last.get("style") == style:
        last["text"] += text
        return
    element: Element = {"type": "text", "text": text}
    if style:
        element["style"] = style
    elements.append(element)


def rich_block(elements: list[Element]) -> Element:
    return {"type": "rich_text", "elements": [{"type": "rich_text_section", "elements": elements}]}


def shown_length(elements: list[Element]) -> int:
    return sum(len(e.get("text", "")) or 12 for e in elements)
