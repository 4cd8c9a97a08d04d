"""The core's neutral replies and cards as Block Kit, always within Slack's size limits.

Text is shown verbatim (see adapters/slack/markup.py for why rich_text): user text can neither ping, link nor
format itself. Interactive elements carry the grammar text they run (a button's `value`, a picker's `action_id`),
so a click comes back as an ordinary command and no state lives in the message.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from adapters.slack.markup import (
    REFERENCE,
    SLACK_USER,
    escape,
    readable,
    rich,
    rich_block,
    shown_length,
    to_mrkdwn,
)
from bot.i18n import Translator
from bot.replies import Button, Card, Picker, Reply

# Slack's documented limits; rich_text has no published one, so it gets a section's.
SECTION_LIMIT = 3000
BLOCK_LIMIT = 50
HEADER_LIMIT = 150
LABEL_LIMIT = 75
MESSAGE_LIMIT = 40_000
FALLBACK_LIMIT = 3000
ACTION_ID_LIMIT = 255
# Chunks leave room for people's names, which may be longer than their ids.
CHUNK = SECTION_LIMIT - 200

# The action ids the app listens to: a plain button, a button that asks for text first, a picker.
RUN, ASK, PICK = "crisis.run", "crisis.ask", "crisis.pick"

Block = dict[str, Any]


@dataclass(frozen=True)
class Piece:
    """One block and how many lines of the answer it carries, so a cut can say how many were left out."""

    block: Block
    lines: int = 0


def cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def chunks(text: str, limit: int = CHUNK) -> list[str]:
    """Splits long text on line breaks where possible, so no block is refused for size."""
    parts: list[str] = []
    while len(text) > limit:
        at = text.rfind("\n", 0, limit)
        at = at if at > limit // 2 else limit
        parts.append(text[:at])
        text = text[at:].lstrip("\n")
    if text.strip():
        parts.append(text)
    return parts


def plain(text: str, names: Mapping[str, str], limit: int) -> dict[str, Any]:
    # plain_text is never parsed by Slack: no escaping, and a mention shows as the person's name.
    return {"type": "plain_text", "text": cut(readable(text, names) or " ", limit), "emoji": True}


def mrkdwn(text: str, limit: int = SECTION_LIMIT) -> dict[str, Any]:
    """A mrkdwn object for text the door composes itself (already escaped where it holds any other text)."""
    return {"type": "mrkdwn", "text": cut(text, limit)}


def mentioned(reply: Reply) -> set[str]:
    """People named in the plain-text parts of a reply (and its notification), whose names the renderer needs."""
    texts = [reply.text] + [card.title for card in reply.cards] + [b.label for card in reply.cards for b in card.buttons]
    return {m.group(1) for text in texts for m in REFERENCE.finditer(text) if m.group(1)}


def text_pieces(text: str, names: Mapping[str, str], code: bool = False) -> list[Piece]:
    return [Piece(rich_block(rich(part, names, code)), part.count("\n") + 1) for part in chunks(text)]


def field_pieces(card: Card, t: Translator, names: Mapping[str, str]) -> list[Piece]:
    """Fields as `label: value` lines, labels in bold: one rich_text block per ~3,000 characters."""
    separator = t("{label}: {value}", label="", value="")
    pieces: list[Piece] = []
    elements: list[dict[str, Any]] = []
    lines = 0
    for field in card.fields:
        # A field may fill a block of its own (an update typed in a form is up to 2,800 characters).
        room = SECTION_LIMIT - 100 - len(field.label) - len(separator)
        line = rich(field.label, names, bold=True) + rich(separator + cut(field.value, room), names)
        if elements and shown_length(elements) + shown_length(line) > CHUNK:
            pieces.append(Piece(rich_block(_merged(elements)), lines))
            elements, lines = [], 0
        if elements:
            elements += rich("\n", names)
        elements += line
        lines += 1
    if elements:
        pieces.append(Piece(rich_block(_merged(elements)), lines))
    return pieces


def _merged(elements: list[dict[str, Any]]) -> list[dict[str, Any]]:
    merged: list[dict[str, Any]] = []
    for element in elements:
        last = merged[-1] if merged else None
        if last and last["type"] == element["type"] == "text" and last.get("style") == element.get("style"):
            merged[-1] = {**last, "text": last["text"] + element["text"]}
        else:
            merged.append(element)
    return merged


def card_pieces(card: Card, t: Translator, names: Mapping[str, str]) -> list[Piece]:
    title = plain(card.title, names, HEADER_LIMIT)
    pieces = [Piece({"type": "header", "block_id": block_id(card, "title"), "text": title}, 1)]
    if len(readable(card.title, names)) > HEADER_LIMIT:
        # A header holds 150 characters: a longer title is shown whole below it.
        pieces += text_pieces(card.title, names)
    # The card's note first: the cut below keeps the first pieces, so it survives whatever is left out.
    pieces += text_pieces(card.note, names, code=True) if card.note else []
    pieces += text_pieces(card.text, names, code=card.markup)
    pieces += field_pieces(card, t, names)
    for index, picker in enumerate(card.pickers):
        element = picker_element(picker, index, names)
        pieces.append(Piece({"type": "section", "block_id": block_id(card, f"pick{index}"),
                             "text": mrkdwn(f"*{escape(picker.label)}*"), "accessory": element}))
    if card.buttons:
        elements = [button_element(button, index, t, names) for index, button in enumerate(card.buttons)]
        pieces.append(Piece({"type": "actions", "block_id": block_id(card, "actions"), "elements": elements[:25]}))
    return pieces


def reply_blocks(reply: Reply, t: Translator, names: Mapping[str, str] | None = None) -> list[Block]:
    names = names or {}
    pieces = text_pieces(reply.text, names)
    for card in reply.cards:
        if pieces:
            pieces.append(Piece({"type": "divider"}))
        pieces += card_pieces(card, t, names)
    return fit(pieces, t, names)


def card_blocks(card: Card, t: Translator, names: Mapping[str, str] | None = None) -> list[Block]:
    names = names or {}
    return fit(card_pieces(card, t, names), t, names)


def size(block: Any) -> int:
    """Characters of text a block shows (what Slack counts against a message)."""
    if isinstance(block, dict):
        return sum(len(v) if k == "text" and isinstance(v, str) else size(v) for k, v in block.items())
    if isinstance(block, list):
        return sum(size(item) for item in block)
    return 0


def fit(pieces: list[Piece], t: Translator, names: Mapping[str, str]) -> list[Block]:
    """Every piece when they fit in one message; else the first ones and a last line telling how much is left out."""
    if len(pieces) <= BLOCK_LIMIT and sum(size(p.block) for p in pieces) <= MESSAGE_LIMIT - SECTION_LIMIT:
        return [p.block for p in pieces]
    kept: list[Block] = []
    used = 0
    for index, piece in enumerate(pieces):
        if len(kept) == BLOCK_LIMIT - 1 or used + size(piece.block) > MESSAGE_LIMIT - SECTION_LIMIT:
            left = sum(max(p.lines, 1) for p in pieces[index:] if p.block["type"] not in ("divider", "actions"))
            note = t("… {count} more; `export` for the full record", count=max(left, 1))
            return [*kept, rich_block(rich(note, names, code=True))]
        kept.append(piece.block)
        used += size(piece.block)
    return kept


def block_id(card: Card, part: str) -> str:
    return cut(f"{card.id}|{part}", ACTION_ID_LIMIT)


def card_clicked(block: str) -> str | None:
    """The id of the card a click came from, read from the block id `block_id` gave its controls."""
    card, bar, _ = block.partition("|")
    return card if bar and card else None


def button_element(button: Button, index: int, t: Translator, names: Mapping[str, str]) -> Block:
    element: Block = {
        "type": "button",
        "action_id": f"{ASK if button.ask else RUN}.{index}",
        "text": plain(button.label, names, LABEL_LIMIT),
        "value": json.dumps({"command": button.command, "ask": button.ask}) if button.ask else button.command,
    }
    if button.style in ("primary", "danger"):
        element["style"] = button.style
    if button.confirm:
        element["confirm"] = {
            "title": plain(button.label, names, 100),
            "text": plain(button.confirm, names, 300),
            "confirm": plain(t("Confirm"), names, 30),
            "deny": plain(t("Cancel"), names, 30),
        }
    return element


def picker_element(picker: Picker, index: int, names: Mapping[str, str]) -> Block:
    # A picker has no `value`: its command travels in the action id (short: "CRI-12 assign legal").
    action_id = cut(f"{PICK}.{index}|{picker.command}", ACTION_ID_LIMIT)
    placeholder = plain(picker.label, names, LABEL_LIMIT)
    if not picker.options:
        element: Block = {"type": "users_select", "action_id": action_id, "placeholder": placeholder}
        # Slack refuses the whole message for an initial_user that is not a Slack id (a roster name, say).
        if picker.selected and SLACK_USER.match(picker.selected):
            element["initial_user"] = picker.selected
        return element
    options = [{"text": plain(label, names, LABEL_LIMIT), "value": cut(value, 150)} for label, value in picker.options[:100]]
    element = {"type": "static_select", "action_id": action_id, "placeholder": placeholder, "options": options}
    chosen = [option for option in options if option["value"] == picker.selected]
    if chosen:
        element["initial_option"] = chosen[0]
    return element


def fallback_text(reply: Reply, names: Mapping[str, str] | None = None) -> str:
    """The notification and screen-reader text of a message: its text, else the titles of its cards, escaped."""
    text = reply.text or "\n".join(card.title for card in reply.cards)
    return to_mrkdwn(cut(text or " ", FALLBACK_LIMIT), names or {})


def button_command(value: str) -> tuple[str, str | None]:
    """The command a clicked button carries and, for a button that asks, the question to ask first."""
    if value.startswith("{"):
        data = json.loads(value)
        return str(data["command"]), data.get("ask")
    return value, None


def picker_command(action_id: str) -> str:
    return action_id.partition("|")[2]
