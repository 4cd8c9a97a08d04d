"""What a Slack user sees of a message: a small reference of Slack's rendering rules, for tests.

mrkdwn (section texts, the notification `text`): `<…>` is parsed first (people, channels, `!` special mentions,
links with their label), then the three entities are decoded, then `*bold*`, `_italic_`, `~strike~`, `code` and a
line starting with `>` lose their markers. plain_text and rich_text `text` elements are shown as they are.
What the message *does* besides showing text (pings, links, mentions) is collected in `Shown.effects`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

_ANGLE = re.compile(r"<([^<>]*)>")
_MARKERS = [
    re.compile(r"(?<![\w*])\*(?=\S)([^*\n]+?)(?<=\S)\*(?![\w*])"),
    re.compile(r"(?<![\w_])_(?=\S)([^_\n]+?)(?<=\S)_(?![\w_])"),
    re.compile(r"(?<![\w~])~(?=\S)([^~\n]+?)(?<=\S)~(?![\w~])"),
    re.compile(r"```(.+?)```", re.S),
    re.compile(r"`([^`\n]+)`"),
]
_QUOTE = re.compile(r"^>\s?", re.M)


@dataclass
class Shown:
    text: str = ""
    # ("ping", "channel"), ("link", "https://…"), ("user", "U123"), ("channel", "C123")
    effects: list[tuple[str, str]] = field(default_factory=list)


def mrkdwn(text: str, names: Mapping[str, str], shown: Shown, formatting: bool = True) -> str:
    def parsed(match: re.Match[str]) -> str:
        target, _, label = match.group(1).partition("|")
        if target.startswith("@"):
            shown.effects.append(("user", target[1:]))
            return "@" + names.get(target[1:], label or target[1:])
        if target.startswith("#"):
            shown.effects.append(("channel", target[1:]))
            return "#" + (label or target[1:])
        if target.startswith("!"):
            shown.effects.append(("ping", target[1:]))
            return label or "@" + target[1:].split("^")[0]
        shown.effects.append(("link", target))
        return label or target

    # Slack parses `<…>` in the text as sent (escaped), then decodes entities.
    text = _ANGLE.sub(parsed, text)
    text = text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
    if not formatting:
        return text
    for marker in _MARKERS:
        text = marker.sub(r"\1", text)
    return _QUOTE.sub("", text)


def element(item: dict[str, Any], names: Mapping[str, str], shown: Shown) -> str:
    kind = item.get("type")
    if kind == "text":
        return str(item["text"])
    if kind == "user":
        shown.effects.append(("user", item["user_id"]))
        return "@" + names.get(item["user_id"], item["user_id"])
    if kind == "channel":
        shown.effects.append(("channel", item["channel_id"]))
        return "#" + item["channel_id"]
    if kind == "link":
        shown.effects.append(("link", item["url"]))
        return str(item.get("text") or item["url"])
    if kind == "broadcast":
        shown.effects.append(("ping", item["range"]))
        return "@" + item["range"]
    raise AssertionError(f"unknown rich text element {item}")


def text_object(obj: dict[str, Any], names: Mapping[str, str], shown: Shown) -> str:
    if obj["type"] == "mrkdwn" and not obj.get("verbatim"):
        return mrkdwn(obj["text"], names, shown)
    if obj["type"] == "mrkdwn":
        raise AssertionError("verbatim mrkdwn is not modelled")
    return str(obj["text"])


def block(item: dict[str, Any], names: Mapping[str, str], shown: Shown) -> list[str]:
    kind = item["type"]
    if kind == "rich_text":
        return ["".join(element(e, names, shown) for section in item["elements"] for e in section["elements"])]
    parts = [text_object(item["text"], names, shown)] if isinstance(item.get("text"), dict) else []
    parts += [text_object(f, names, shown) for f in item.get("fields", [])]
    if kind == "context":
        parts += [text_object(e, names, shown) for e in item["elements"] if e.get("type") in ("mrkdwn", "plain_text")]
    if kind == "actions":
        parts += [text_object(e["text"], names, shown) for e in item["elements"] if "text" in e]
    return parts


def message(
    blocks: list[dict[str, Any]], text: str = "", names: Mapping[str, str] | None = None, text_mrkdwn: bool = True,
) -> tuple[Shown, Shown]:
    """What the blocks show, and what the notification `text` shows (`mrkdwn: false` turns its markers off)."""
    names = names or {}
    body, notification = Shown(), Shown()
    body.text = "\n".join(part for b in blocks for part in block(b, names, body))
    notification.text = mrkdwn(text, names, notification, formatting=text_mrkdwn)
    return body, notification
