"""Which `code` spans in a line of the core's text are the bot's own, and which backticks people typed.

The core's replies mix its own words ("Try `list`.") with what people typed (a title, a topic), in one literal string.
Shown as Teams Markdown, every backtick must be escaped, or a typed one would format; but then the bot's own hints
show their backticks. The bot's own words are its messages, so a line that is one of the catalog's messages
(`bot/locales`, every language) is read against it: what the message itself writes between backticks is code, and
what fills its placeholders (typed text among them) is shown as typed. A line that is no message is plain text.

Placeholders that only ever hold a number or an incident key match only that, so a line of typed text cannot pass
for a message that starts with one ("{key} is resolved; `reopen` it first."); a line typed to read as one of the
bot's messages word for word shows as that message would.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from string import Formatter

import polib

from bot.i18n import LANGUAGES, catalog_path

# What a placeholder can hold, when the core only ever fills it with one kind of thing; any other holds any text.
_FILLS = {
    "key": r"[A-Za-z]{2,10}-[0-9]{1,9}",
    **dict.fromkeys(("before", "count", "minutes", "number", "recent", "shown", "total"), r"[0-9][0-9 .,\u00a0\u202f]*"),
    **dict.fromkeys(("name", "placeholder", "topic"), r"\S+"),
}
_ANY = r"[^\n]*?"
# Longer lines are plain text: the bot's messages are short, and the match must stay cheap whatever people type.
MAX_LINE = 600


@dataclass(frozen=True)
class _Message:
    pattern: re.Pattern[str]
    # The message cut at its placeholders: literal text, then None where a placeholder's value goes.
    parts: tuple[str | None, ...]
    # Text every line that is this message contains: a cheap test before the regular expression.
    words: str


def pieces(line: str) -> list[tuple[str, bool]] | None:
    """The line as (text, is the bot's code) pieces, or None when it is none of the bot's messages."""
    if "`" not in line or len(line) > MAX_LINE:
        return None
    for message in _messages():
        if message.words in line and (match := message.pattern.fullmatch(line)):
            return _cut(message, match)
    return None


def _cut(message: _Message, match: re.Match[str]) -> list[tuple[str, bool]]:
    out: list[tuple[str, bool]] = []
    code = False
    values = iter(match.groups())
    for part in message.parts:
        if part is None:
            _add(out, next(values), code)
            continue
        for index, chunk in enumerate(part.split("`")):
            if index:
                code = not code
            _add(out, chunk, code)
    return out


def _add(out: list[tuple[str, bool]], text: str, code: bool) -> None:
    if not text:
        return
    if out and out[-1][1] == code:
        out[-1] = (out[-1][0] + text, code)
    else:
        out.append((text, code))


@cache
def _messages() -> tuple[_Message, ...]:
    texts: dict[str, None] = {}
    for language in LANGUAGES:
        path = catalog_path(language)
        if path.exists():
            for entry in polib.pofile(str(path)):
                for text in (entry.msgid, entry.msgstr):
                    texts.update(dict.fromkeys(line for line in text.split("\n") if "`" in line))
    found = [_message(text) for text in texts]
    # Longer messages first: a short one must not claim a line that a longer one explains better.
    return tuple(sorted((m for m in found if m is not None), key=lambda m: -sum(len(p or "") for p in m.parts)))


def _message(text: str) -> _Message | None:
    try:
        parsed = list(Formatter().parse(text))
    except ValueError:  # a broken placeholder: the core shows this message as it is written, never formatted
        return None
    parts: list[str | None] = []
    pattern = ""
    for literal, field, _, _ in parsed:
        parts.append(literal)
        pattern += re.escape(literal)
        if field is not None:
            parts.append(None)
            pattern += f"({_FILLS.get(field, _ANY)})"
    literals = [part for part in parts if part]
    if "".join(literals).count("`") % 2:
        return None
    return _Message(re.compile(pattern), tuple(parts), max(literals, key=len, default=""))
