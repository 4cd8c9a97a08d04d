"""Text as the core keeps it: without the NUL characters no chat shows and PostgreSQL refuses in a text column, and
never taken as saying something when nothing of it shows.

A title pasted with a NUL used to fail the whole command on PostgreSQL, and be kept as typed on SQLite. The
characters are removed once, where text enters the core (a command and its origin in `Dispatcher`, a signal in
`Signal.of`), so every door and both databases keep the same text.
"""

from __future__ import annotations

import unicodedata
from dataclasses import replace
from typing import Any, TypeVar

from bot.errors import InvalidCommand

NUL = "\x00"
Typed = TypeVar("Typed")


def without_nul(value: Typed) -> Typed:
    """The dataclass with every NUL removed from its text fields (tuples of text included); itself when there is
    none, which costs only a scan of its fields."""
    changes = {name: _clean(field) for name, field in vars(value).items() if _has_nul(field)}
    return replace(value, **changes) if changes else value  # type: ignore[type-var]


def _has_nul(field: object) -> bool:
    if isinstance(field, str):
        return NUL in field
    return isinstance(field, tuple) and any(_has_nul(item) for item in field)


def _clean(field: Any) -> Any:
    if isinstance(field, str):
        return field.replace(NUL, "")
    return tuple(_clean(item) for item in field)


def blank(text: str) -> bool:
    """Whether the text shows nothing: only spaces and invisible characters (a zero-width space or a word joiner
    alone, as a paste can bring). A draft, a note or a reason made of them would be approved, stored and sent empty."""
    return all(ch.isspace() or unicodedata.category(ch) in ("Cf", "Cc") for ch in text)


# The one markup the core keeps in text is `<@id>`, a person (every door turns it into a mention; Slack also reads
# `<#C…>` as a channel). Text a person typed is hostile: an invisible word joiner after the `<` keeps a typed
# `<@U123>` from pinging anyone on any platform while it reads (and copies) the same.
INERT = "\u2060"


def inert(text: str) -> str:
    """Typed text whose `<@…>` and `<#…>` name no one: for doors whose platform does not mark up mentions itself
    (a Teams user typing `<@U0LEGAL>` would otherwise ping that Slack user wherever the crisis is also followed)."""
    return text.replace("<@", f"<{INERT}@").replace("<#", f"<{INERT}#")


# What a note, an update, a summary or a reason may hold: a paragraph, as a card, a news line and the report can show
# it (a draft has its own limit, `bot.drafts.MAX_DRAFT_LENGTH`). The console would otherwise take a megabyte.
MAX_TEXT_LENGTH = 2000


def within_limit(text: str, limit: int = MAX_TEXT_LENGTH) -> str:
    """The text without its surrounding spaces, or a refusal naming the limit."""
    text = text.strip()
    if len(text) > limit:
        raise InvalidCommand("That text is limited to {limit} characters.", limit=limit)
    return text
