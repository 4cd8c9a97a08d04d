"""A file the core answers with (a report), as a Teams message.

A bot can send a real file only in a personal chat (the FileConsentCard flow) and, in channels and group chats,
only by uploading it to SharePoint through Microsoft Graph (Files.ReadWrite.All with admin consent). Without
either, the serious option is the document's own text: the Markdown source in a code block, which Teams shows
with a Copy button, so it can be pasted into a file as is. A message is limited to about 28 KB, so a longer
document is cut at a line and the message says so and how to get the whole of it.
"""

from __future__ import annotations

import re

from botbuilder.schema import Activity, ActivityTypes

from adapters.teams.cards import size_of
from bot.i18n import Translator
from bot.replies import File, Reply

# Bytes of document per message, as sent: what is left of Teams' ~28 KB for the heading, the note and the JSON envelope.
MAX_BYTES = 24_000
_BACKTICKS = re.compile(r"`+")


def wire_size(text: str) -> int:
    """Bytes `text` takes in the JSON the connector client sends, without its quotes (a page of Japanese weighs
    twice its UTF-8 size there)."""
    return size_of(text) - 2


def cut(text: str, limit: int = MAX_BYTES) -> str:
    """The longest run of whole lines of `text` that fits in `limit` bytes on the wire."""
    if wire_size(text) <= limit:
        return text
    kept: list[str] = []
    size = 0
    for line in text.splitlines(keepends=True):
        size += wire_size(line)
        if size > limit:
            break
        kept.append(line)
    return "".join(kept)


def file_activity(reply: Reply, file: File, t: Translator, limit: int = MAX_BYTES) -> Activity:
    shown = cut(file.content, limit)
    # A fence longer than any run of backticks in the document, so quoted user text cannot close it early.
    fence = "`" * max(3, 1 + max((len(run) for run in _BACKTICKS.findall(shown)), default=0))
    parts = [f"**{reply.text or file.name}** · {file.name}", f"{fence}markdown\n{shown.rstrip()}\n{fence}"]
    if shown != file.content:
        parts.append(t(
            "Cut at {shown} of {total} characters: `crisisbot export {key} --out {name}` writes the whole report.",
            shown=len(shown), total=len(file.content), key=reply.incident or "", name=file.name,
        ))
    return Activity(type=ActivityTypes.message, text="\n\n".join(parts), text_format="markdown")
