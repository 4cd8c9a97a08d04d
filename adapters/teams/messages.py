"""A neutral reply as Teams message activities: text with real @mentions, then one activity per card.

One card per activity so each card has its own message id, which is what updating it in place needs.
"""

from __future__ import annotations

from botbuilder.schema import Activity, ActivityTypes, Attachment, ChannelAccount, Mention

from adapters.teams.cards import ADAPTIVE_CARD, PERSON, adaptive_card, people_in
from adapters.teams.files import file_activity
from adapters.teams.references import Directory, TeamsPerson
from bot.i18n import Translator
from bot.replies import Card, Reply


async def names_of(directory: Directory, person_ids: set[str]) -> dict[str, str]:
    known = await directory.people(person_ids)
    return {p: known[p].name for p in person_ids if p in known and known[p].name}


def text_activity(text: str, people: dict[str, TeamsPerson]) -> Activity:
    """`<@id>` becomes `<at>Name</at>` with its mention entity when the person is known in Teams, else a name."""
    mentions: dict[str, Mention] = {}

    def render(match: object) -> str:
        person_id = match.group(1)  # type: ignore[attr-defined]
        person = people.get(person_id)
        if person is None:
            return f"@{person_id}"
        label = f"<at>{person.name or person_id}</at>"
        mentions.setdefault(person_id, Mention(
            mentioned=ChannelAccount(id=person.teams_id, name=person.name or person_id), text=label, type="mention"))
        return label

    body = PERSON.sub(render, text).replace("\n", "\n\n")  # Teams markdown needs a blank line to break a line
    return Activity(type=ActivityTypes.message, text=body, text_format="markdown", entities=list(mentions.values()) or None)


def card_activity(card: Card, t: Translator, names: dict[str, str]) -> Activity:
    attachment = Attachment(content_type=ADAPTIVE_CARD, content=adaptive_card(card, t, names))
    return Activity(type=ActivityTypes.message, attachments=[attachment])


async def reply_activities(reply: Reply, t: Translator, directory: Directory) -> list[Activity]:
    if reply.file is not None:
        return [file_activity(reply, reply.file, t)]
    mentioned = set(PERSON.findall(reply.text)) | set(reply.mentions)
    for card in reply.cards:
        mentioned |= people_in(card)
    people = await directory.people(mentioned)
    names = {p: person.name for p, person in people.items() if person.name}  # one lookup serves text and cards
    activities = [text_activity(reply.text, people)] if reply.text.strip() else []
    activities += [card_activity(card, t, names) for card in reply.cards]
    return activities
