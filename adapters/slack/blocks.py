"""The core's neutral replies and cards as Block Kit, always within Slack's size limits.

Interactive elements carry the grammar text they run (a button's `value`, a picker's `action_id`), so a
click comes back as an ordinary command and no state lives in the message.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from bot.i18n import Translator
from bot.replies import Button, Card, Picker, Reply

SECTION_LIMIT = 3000
FIELD_LIMIT = 2000
FIELDS_PER_SECTION = 10
BLOCK_LIMIT = 50
HEADER_LIMIT = 150
LABEL_LIMIT = 75
FALLBACK_LIMIT = 3000
ACTION_ID_LIMIT = 255

# The action ids the app listens to: a plain button, a button that asks for text first, a picker.
RUN, ASK, PICK = "crisis.run", "crisis.ask", "crisis.pick"
SLACK_USER = re.compile(r"^[UW][A-Z0-9]{2,}$")
_MENTION = re.compile(r"<@([A-Za-z0-9._-]+)(?:\|[^>]*)?>")

Block = dict[str, Any]


def cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def chunks(text: str, limit: int = SECTION_LIMIT) -> list[str]:
    """Splits long text on line breaks where possible, so no section is refused for size."""
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
    # plain_text does not render <@U123>; show the person's name instead.
    readable = _MENTION.sub(lambda m: "@" + names.get(m.group(1), m.group(1)), text)
    return {"type": "plain_text", "text": cut(readable or " ", limit), "emoji": True}


def mrkdwn(text: str, limit: int = SECTION_LIMIT) -> dict[str, Any]:
    return {"type": "mrkdwn", "text": cut(text, limit)}


def mentioned(reply: Reply) -> set[str]:
    """People named in the plain-text parts of a reply, whose display names the renderer needs."""
    texts = [card.title for card in reply.cards] + [b.label for card in reply.cards for b in card.buttons]
    return {m.group(1) for text in texts for m in _MENTION.finditer(text)}


def reply_blocks(reply: Reply, t: Translator, names: Mapping[str, str] | None = None) -> list[Block]:
    names = names or {}
    blocks: list[Block] = [{"type": "section", "text": mrkdwn(part)} for part in chunks(reply.text)]
    for card in reply.cards:
        if blocks:
            blocks.append({"type": "divider"})
        blocks.extend(card_blocks(card, t, names))
    return limit_blocks(blocks, t)


def card_blocks(card: Card, t: Translator, names: Mapping[str, str] | None = None) -> list[Block]:
    names = names or {}
    title = plain(card.title, names, HEADER_LIMIT)
    blocks: list[Block] = [{"type": "header", "block_id": block_id(card, "title"), "text": title}]
    blocks += [{"type": "section", "text": mrkdwn(part)} for part in chunks(card.text)]
    fields = [mrkdwn(f"*{f.label}*\n{f.value}", FIELD_LIMIT) for f in card.fields]
    for start in range(0, len(fields), FIELDS_PER_SECTION):
        blocks.append({"type": "section", "fields": fields[start: start + FIELDS_PER_SECTION]})
    for index, picker in enumerate(card.pickers):
        element = picker_element(picker, index, names)
        blocks.append({"type": "section", "text": mrkdwn(f"*{picker.label}*"), "accessory": element})
    if card.buttons:
        elements = [button_element(button, index, t, names) for index, button in enumerate(card.buttons)]
        blocks.append({"type": "actions", "block_id": block_id(card, "actions"), "elements": elements[:25]})
    return blocks


def block_id(card: Card, part: str) -> str:
    return cut(f"{card.id}|{part}", ACTION_ID_LIMIT)


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


def limit_blocks(blocks: list[Block], t: Translator) -> list[Block]:
    if len(blocks) <= BLOCK_LIMIT:
        return blocks
    note = {"type": "context", "elements": [mrkdwn(t("(Shortened: the full content did not fit in one Slack message.)"))]}
    return [*blocks[: BLOCK_LIMIT - 1], note]


def fallback_text(reply: Reply) -> str:
    """The notification and screen-reader text of a message: its text, else the titles of its cards."""
    text = reply.text or "\n".join(card.title for card in reply.cards)
    return cut(text or " ", FALLBACK_LIMIT)


def button_command(value: str) -> tuple[str, str | None]:
    """The command a clicked button carries and, for a button that asks, the question to ask first."""
    if value.startswith("{"):
        data = json.loads(value)
        return str(data["command"]), data.get("ask")
    return value, None


def picker_command(action_id: str) -> str:
    return action_id.partition("|")[2]

