"""A small reference renderer of what a Teams user sees: Teams Markdown (with its HTML) in messages, and
Adaptive Card text blocks in cards. Strict on purpose: anything that would format (emphasis, code, links,
headings, lists, quotes, tables, HTML) raises `Formatted` rather than guessing how Teams would show it."""

from __future__ import annotations

import html
import re
import string
from typing import Any

ASCII_PUNCTUATION = set(string.punctuation)
_ENTITY = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")
_MENTION = re.compile(r"<at>(.*?)</at>")
_BLOCK = re.compile(r"(#{1,6}(\s|$))|([-+*](\s|$))|(\d{1,9}[.)](\s|$))|>|```|~~~")
_BREAK = re.compile(r"\s*([-*_])(\s*\1){2,}\s*")
_SETEXT = re.compile(r" {0,3}(=+|-+)\s*")


class Formatted(AssertionError):
    """The text would not read as plain text: Teams would format, link or mention something."""


def seen_message(markdown: str, codes: list[str] | None = None) -> tuple[str, list[str]]:
    """The lines a person reads in a Teams message, and the people it mentions.

    With `codes`, code spans are allowed (the bot's own): their text is read as shown and appended to `codes`."""
    mentions: list[str] = []
    lines = []
    for paragraph in re.split(r"\n[ \t]*\n", markdown):
        if paragraph.strip():
            lines.append(_paragraph(paragraph, mentions, codes))
    return "\n".join(lines), mentions


def _paragraph(paragraph: str, mentions: list[str], codes: list[str] | None = None) -> str:
    lines = paragraph.split("\n")
    if re.match(r" {4,}|\t", lines[0]):
        raise Formatted(f"indented code block: {paragraph!r}")
    for line in lines:
        if _BLOCK.match(line.lstrip(" ")) or _BREAK.fullmatch(line):
            raise Formatted(f"block markup: {line!r}")
    if any(_SETEXT.fullmatch(line) for line in lines[1:]):
        raise Formatted(f"setext heading: {paragraph!r}")
    text = _inline(" ".join(line.strip() for line in lines), mentions, codes)
    return " ".join(text.split())


def _inline(text: str, mentions: list[str], codes: list[str] | None = None) -> str:
    out: list[str] = []
    i = 0
    while i < len(text):
        char = text[i]
        if char == "\\" and i + 1 < len(text) and text[i + 1] in ASCII_PUNCTUATION:
            out.append(text[i + 1])
            i += 2
        elif char == "&" and (entity := _ENTITY.match(text, i)):
            out.append(html.unescape(entity.group()))
            i = entity.end()
        elif char == "<" and (mention := _MENTION.match(text, i)):
            name = _mentioned(mention.group(1))
            mentions.append(name)
            out.append(name)
            i = mention.end()
        elif char == "`" and codes is not None and (code := _code_span(text, i)):
            content, i = code
            codes.append(content)
            out.append(content)
        elif char in "<*_~`[]|":
            raise Formatted(f"inline markup {char!r} in {text!r}")
        else:
            out.append(char)
            i += 1
    return "".join(out)


def _mentioned(label: str) -> str:
    """The name a mention shows: character references read, and nothing else that Markdown or HTML would format."""
    if any(char in label for char in "<>*_~`[]|\\") or ("&" in label and not _ENTITY.search(label)):
        raise Formatted(f"markup inside a mention: {label!r}")
    return html.unescape(label)


def _code_span(text: str, start: int) -> tuple[str, int] | None:
    """A CommonMark code span opening at `start`: its content (backslashes literal, one space trimmed from each side
    when both have one) and where it ends; None when no run of as many backticks closes it."""
    fence = re.match(r"`+", text[start:])
    assert fence is not None
    width = len(fence.group())
    closing = re.compile(rf"(?<!`)`{{{width}}}(?!`)").search(text, start + width)
    if closing is None:
        return None
    content = text[start + width:closing.start()]
    if len(content) > 1 and content[0] == content[-1] == " " and content.strip(" "):
        content = content[1:-1]
    return content, closing.end()


def seen_card(card: dict[str, Any]) -> list[str]:
    """The lines a card shows: TextRuns verbatim (Adaptive Cards never read them as Markdown), TextBlocks as
    Markdown, FactSet values as Markdown."""
    lines: list[str] = []
    for block in card["body"]:
        if block["type"] == "RichTextBlock":
            lines.append("".join(run["text"] for run in block["inlines"]))
        elif block["type"] == "TextBlock":
            lines.append(seen_message(block["text"])[0])
        elif block["type"] == "FactSet":
            lines += [f"{fact['title']} {seen_message(fact['value'])[0]}" for fact in block["facts"]]
    return lines
