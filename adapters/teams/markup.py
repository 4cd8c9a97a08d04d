"""The core's neutral text, cut into what Teams must treat differently: plain text, mentions and code spans.

Neutral text is plain: what people typed is shown exactly as typed. Only two things in it are the bot's own
markup: `<@id>` mentions, and `code` spans where the bot wrote them: in cards it writes alone (help, notes), and in
a reply's lines that are its own messages (`own_words`), never in what people typed.
Each renderer here keeps plain text plain in its own format: escaped for Teams Markdown in messages, a
TextRun in cards (which Adaptive Cards never read as Markdown), untouched in an invoke's plain-text answer.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from adapters.teams.own_words import pieces

PERSON = re.compile(r"<@([^>|\s]+)(?:\|[^>]*)?>")
_CODE = re.compile(r"(`+)(.+?)\1", re.S)
# Characters Markdown (and Teams' HTML) would read as formatting anywhere in a line.
_INLINE = re.compile(r"([\\`*_~\[\]|])")
# At the start of a line: headings, lists, setext underlines, numbered lists.
_LINE_START = re.compile(r"(?m)^([ \t]*)([#+=-])")
_NUMBERED = re.compile(r"(?m)^([ \t]*\d+)([.)])")
_IN_MENTION = frozenset("&<>\\`*_~[]|")

EMPTY = "—"


@dataclass(frozen=True)
class Segment:
    kind: Literal["text", "code", "mention"]
    value: str


def segments(text: str, code: bool = False) -> list[Segment]:
    """The text cut into plain text, mentions and (only when `code`: the bot wrote all of it) code spans."""
    out: list[Segment] = []
    position = 0
    if code:
        for match in _CODE.finditer(text):
            out += _mentions(text[position:match.start()])
            out.append(Segment("code", match.group(2)))
            position = match.end()
    out += _mentions(text[position:])
    return out


def said(text: str) -> list[Segment]:
    """A reply's text cut into plain text, mentions and the code spans of the bot's own messages, line by line."""
    out: list[Segment] = []
    for line in text.splitlines(keepends=True):
        body = line.rstrip("\r\n")
        found = pieces(body)
        if found is None:
            out += _mentions(body)
        for value, code in found or ():
            out += [Segment("code", value)] if code else _mentions(value)
        if len(body) < len(line):
            out.append(Segment("text", line[len(body):]))
    return out


def _mentions(text: str) -> list[Segment]:
    out: list[Segment] = []
    position = 0
    for match in PERSON.finditer(text):
        if match.start() > position:
            out.append(Segment("text", text[position:match.start()]))
        out.append(Segment("mention", match.group(1)))
        position = match.end()
    if position < len(text):
        out.append(Segment("text", text[position:]))
    return out


def escape_markdown(text: str) -> str:
    """Plain text for a Teams Markdown message: it reads as typed and never formats, links or mentions by itself."""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = _INLINE.sub(r"\\\1", text)
    text = _LINE_START.sub(r"\1\\\2", text)
    return _NUMBERED.sub(r"\1\\\2", text)


def mention_label(name: str) -> str:
    """A name for `<at>…</at>`: a display name is not the bot's (a guest names themselves), so what Markdown or HTML
    would read as markup is written as character references, which both show as the character itself."""
    return "".join(f"&#{ord(char)};" if char in _IN_MENTION else char for char in name)


def code_span(text: str) -> str:
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * (longest + 1)
    # Markdown trims one space from each side of a span that has both, and reads a backtick beside the fence as part of it.
    pad = " " if text[:1] == "`" or text[-1:] == "`" or (text[:1] == text[-1:] == " " and text.strip(" ")) else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def plain(text: str, names: Mapping[str, str]) -> str:
    """For places Teams shows as plain text (an invoke's message answer): mentions as names, the rest as it is."""
    parts = []
    for segment in said(text):
        if segment.kind == "mention":
            parts.append(names.get(segment.value, segment.value))
        else:
            parts.append(code_span(segment.value) if segment.kind == "code" else segment.value)
    return "".join(parts)


def runs(line: str, names: Mapping[str, str], code: bool = False) -> list[dict[str, Any]]:
    """One line as Adaptive Card TextRuns: verbatim text (no Markdown in a TextRun), names for mentions."""
    out: list[dict[str, Any]] = []
    for segment in segments(line, code):
        if segment.kind == "code":
            out.append({"type": "TextRun", "text": segment.value, "fontType": "Monospace"})
            continue
        text = names.get(segment.value, segment.value) if segment.kind == "mention" else segment.value
        if out and "fontType" not in out[-1]:
            out[-1]["text"] += text
        else:
            out.append({"type": "TextRun", "text": text})
    return [run for run in out if run["text"]]


def shown(value: str) -> str:
    """The core writes an empty value as `-`; on its own that reads as a list bullet, so it shows as a dash."""
    return EMPTY if value.strip() == "-" else value
