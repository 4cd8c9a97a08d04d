"""Neutral replies as plain text; buttons and pickers get numbers the person types with `/click N`.

Numbers are unique for the whole session, not per card: they continue from one card to the next
(`[1]`-`[9]` on the incident card, `[10]`-`[12]` on the draft below it), so `/click 10` names one control
whatever was printed since. A control shown again (a refreshed card, the same button on another card) keeps
its number.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from adapters.slack.markup import escape as slack_escape
from adapters.teams.markup import escape_markdown
from bot.describe import said
from bot.i18n import Translator
from bot.replies import Button, Card, Picker, Reply

_MENTION = re.compile(r"<@([^>|]+)(?:\|[^>]*)?>")


def plain(text: str) -> str:
    return _MENTION.sub(r"@\1", text)


# Control characters someone typed (here, or in Slack or Teams on the same database) would otherwise be obeyed by
# the terminal: an escape sequence recolours, moves the cursor or retitles the window; a carriage return overwrites
# the line. They are shown as their Unicode control pictures (C1 controls, which have none, as `\x9b`).
_CONTROLS = {c: chr(0x2400 + c) for c in range(0x20) if chr(c) not in "\n\t"}
_CONTROLS |= {0x7F: "\u2421"} | {c: f"\\x{c:02x}" for c in range(0x80, 0xA0)}


def visible(text: str) -> str:
    return text.translate(_CONTROLS)


@dataclass
class Controls:
    """Every control shown so far, by the number printed beside it."""

    shown: dict[int, Button | Picker] = field(default_factory=dict)
    # A re-rendered card keeps its numbers, so `/click 3` means the same thing before and after an update.
    numbers: dict[tuple[str, str], int] = field(default_factory=dict)

    def number(self, control: Button | Picker) -> int:
        n = self.numbers.setdefault((control.label, control.command), len(self.numbers) + 1)
        self.shown[n] = control
        return n


def card_text(card: Card, controls: Controls, t: Translator) -> list[str]:
    lines = [f"┌ {plain(card.title)}"]
    lines += [f"│ {plain(card.note)}"] if card.note else []
    lines += [f"│ {plain(line)}" for line in card.text.splitlines()]
    for f in card.fields:
        # A value of several lines (a draft's publications) stays inside the card's frame.
        first, *more = said(t, plain(f.label), plain(f.value)).splitlines() or [""]
        lines += [f"│ {first}", *(f"│   {line}" for line in more)]
    if card.preview:
        lines += _previews(card.text, t)
    actions = [f"[{controls.number(b)}] {b.label}{'…' if b.ask else ''}" for b in card.buttons]
    actions += [f"[{controls.number(p)}] {p.label} ▾" for p in card.pickers]
    if actions:
        lines.append("│ " + "  ".join(actions))
    lines.append("└")
    return lines


def _previews(text: str, t: Translator) -> list[str]:
    """Words prepared for Slack and Teams, as those doors send them: escaped, so they read there exactly as typed."""
    lines = []
    for platform, escaped in (("Slack", slack_escape(text)), ("Teams", escape_markdown(text))):
        first, *more = said(t, t("{platform} preview", platform=platform), escaped).splitlines() or [""]
        lines += [f"│ {first}", *(f"│   {line}" for line in more)]
    return lines


def reply_text(reply: Reply, controls: Controls, t: Translator) -> list[str]:
    lines = [plain(line) for line in reply.text.splitlines()]
    for card in reply.cards:
        lines += card_text(card, controls, t)
    if reply.private:
        tag = t("(only you)")
        lines = [f"{tag} {line}" for line in lines[:1]] + [" " * (len(tag) + 1) + line for line in lines[1:]]
    return lines
