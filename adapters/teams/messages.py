"""A neutral reply as Teams message activities: text with real @mentions, then one activity per card.

One card per activity so each card has its own message id, which is what updating it in place needs.
Text is Teams Markdown: what people typed is escaped so it reads as typed; each line is its own paragraph.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from botbuilder.schema import Activity, ActivityTypes, Attachment, ChannelAccount, Mention

from adapters.teams.cards import ADAPTIVE_CARD, adaptive_card, people_in, size_of
from adapters.teams.files import file_activity
from adapters.teams.markup import code_span, escape_markdown, mention_label, said
from adapters.teams.references import Directory, TeamsPerson
from bot.i18n import Translator
from bot.replies import Card, Reply

_MARKUP = re.compile(r"[<>&]")
# Teams refuses an activity over about 28 KB; text gets this much, the activity around it the rest.
TEXT_BUDGET = 24_000


async def names_of(directory: Directory, person_ids: set[str]) -> dict[str, str]:
    known = await directory.people(person_ids)
    return {p: known[p].name for p in person_ids if p in known and known[p].name}


def markdown(text: str, people: Mapping[str, TeamsPerson]) -> tuple[str, dict[str, Mention]]:
    """`<@id>` becomes `<at>Name</at>` with its mention entity when the person is known in Teams, else a name;
    the code spans of the bot's own messages render as code, everything else as typed."""
    mentions: dict[str, Mention] = {}
    parts: list[str] = []
    for segment in said(text):
        if segment.kind == "code":
            # Inside a code span Teams shows `<` as the characters "&lt;" (the Agents Playground does too), and a raw
            # `<role>` risks being read as a tag: such a hint is shown as text, which reads right.
            parts.append(escape_markdown(segment.value) if _MARKUP.search(segment.value) else code_span(segment.value))
        elif segment.kind == "text":
            parts.append(escape_markdown(segment.value))
        elif (person := people.get(segment.value)) is None:
            parts.append(escape_markdown(f"@{segment.value}"))
        else:
            label = f"<at>{mention_label(person.name or segment.value)}</at>"
            mentions.setdefault(segment.value, Mention(
                mentioned=ChannelAccount(id=person.teams_id, name=person.name or segment.value), text=label,
                type="mention"))
            parts.append(label)
    # A single newline joins lines into one paragraph in Markdown; a blank line keeps them apart. Indentation
    # would make a code block, and a paragraph shows none anyway.
    lines = "".join(parts).split("\n")
    return "\n\n".join(line.lstrip(" \t") for line in lines), mentions


def text_activity(
    text: str, people: Mapping[str, TeamsPerson], t: Translator, budget: int = TEXT_BUDGET
) -> Activity:
    body, mentions = markdown(text, people)
    if size_of(body) > budget:
        body, mentions = _cut(text.split("\n"), people, t, budget)
    return Activity(type=ActivityTypes.message, text=body, text_format="markdown", entities=list(mentions.values()) or None)


def _cut(
    lines: list[str], people: Mapping[str, TeamsPerson], t: Translator, budget: int
) -> tuple[str, dict[str, Mention]]:
    note, _ = markdown(t("… {count} more; `export` for the full record", count=len(lines)), {})
    room = budget - size_of(note) - 2
    kept: list[str] = []
    for line in lines:
        rendered, _ = markdown(line, people)
        room -= size_of(rendered) + 2
        if room < 0:
            break
        kept.append(line)
    text = "\n".join(kept)
    body, mentions = markdown(text, people)
    note, _ = markdown(t("… {count} more; `export` for the full record", count=len(lines) - len(kept)), {})
    return f"{body}\n\n{note}" if kept else note, mentions


def card_activity(content: dict[str, Any]) -> Activity:
    return Activity(type=ActivityTypes.message, attachments=[Attachment(content_type=ADAPTIVE_CARD, content=content)])


async def card_content(card: Card, t: Translator, directory: Directory, conversation: str) -> dict[str, Any]:
    """One card as Adaptive Card content: its people named, a people picker suggesting who was seen here."""
    names = await names_of(directory, people_in(card))
    suggested = await directory.seen_in(conversation) if has_people_picker(card) else {}
    return adaptive_card(card, t, names, suggested)


def has_people_picker(card: Card) -> bool:
    return any(not picker.options for picker in card.pickers)


async def reply_activities(
    reply: Reply, t: Translator, directory: Directory, conversation: str
) -> list[Activity]:
    if reply.file is not None:
        return [file_activity(reply, reply.file, t)]
    mentioned = set(segment.value for segment in said(reply.text) if segment.kind == "mention")
    mentioned |= set(reply.mentions)
    for card in reply.cards:
        mentioned |= people_in(card)
    people = await directory.people(mentioned)
    names = {p: person.name for p, person in people.items() if person.name}  # one lookup serves text and cards
    activities = [text_activity(reply.text, people, t)] if reply.text.strip() else []
    suggested = await directory.seen_in(conversation) if any(has_people_picker(c) for c in reply.cards) else {}
    activities += [card_activity(adaptive_card(card, t, names, suggested)) for card in reply.cards]
    return activities
