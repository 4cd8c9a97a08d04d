"""One person across platforms: platform accounts with the same work e-mail address are the same person.

Doors give the core platform accounts (Slack `U123`, a Teams Entra id) and, when the platform tells it, their
e-mail address (`Origin.emails`). Before a command runs, `recognise` turns every account it names (the speaker,
a mentioned person) into the person the directory knows, so every rule of the core (roles, four-eyes, approvals
counted once, the report's names) sees one id per person. A person's id is the first id the directory learned for
them: the account they were first seen with, or the e-mail address they were assigned by before anyone saw them
(so incidents recorded before the directory existed keep their people).

On the way out, `for_platform` writes each `<@person>` as that platform's own account of the person, or as their
name where they have none there.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from bot import commands as c
from bot.config import Settings
from bot.model import Incident
from bot.replies import Card, Field, Picker, Reply

if TYPE_CHECKING:
    from bot.handlers import Outcome
    from bot.ports import Outbox, Outgoing, UnitOfWork

EMAIL = re.compile(r"^[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+$")
PERSON = re.compile(r"<@([^>|\s]+)(?:\|[^>]*)?>")
# A command's fields that name a person.
PERSON_FIELDS = ("person", "owner")


def is_email(value: str) -> bool:
    return bool(EMAIL.match(value.strip()))


@dataclass(frozen=True)
class Account:
    platform: str
    account: str
    # When the person last acted from it; None for an account only mentioned.
    seen_at: datetime | None = None


@dataclass(frozen=True)
class People:
    """The accounts and names of the people an answer may mention, read with the command."""

    accounts: Mapping[str, Sequence[Account]] = field(default_factory=dict)
    names: Mapping[str, str] = field(default_factory=dict)

    def on(self, person: str, platform: str) -> str | None:
        """The person's account on that platform (the one they last used), if they have one there."""
        here = [a for a in self.accounts.get(person, ()) if a.platform == platform]
        return _latest(here).account if here else None

    def reach(self, person: str, platforms: Collection[str]) -> tuple[str, str] | None:
        """Where a direct message finds the person: the platform they were last active on, among those reached."""
        usable = [a for a in self.accounts.get(person, ()) if a.platform in platforms]
        if not usable:
            return None
        found = _latest(usable)
        return found.platform, found.account


NOBODY = People()


def _latest(accounts: Sequence[Account]) -> Account:
    return max(accounts, key=lambda a: a.seen_at.timestamp() if a.seen_at else 0.0)


# -- in ------------------------------------------------------------------------------------------------------------


def recognise(
    uow: UnitOfWork, command: c.Command, origin: c.Origin, settings: Settings, at: datetime
) -> tuple[c.Command, c.Origin, Settings]:
    """The command, its origin and settings with every account replaced by the person it is."""
    emails = {account: address.strip().lower() for account, address in origin.emails}
    speaker = uow.people.identify(origin.platform, origin.person, emails.get(origin.person), at, True)
    renamed = {origin.person: speaker}
    changes: dict[str, Any] = {}
    for name in PERSON_FIELDS:
        value = getattr(command, name, None)
        if isinstance(value, str) and value:
            if is_email(value):
                person = uow.people.by_email(value, at)
            else:
                person = uow.people.identify(origin.platform, value, emails.get(value), at, False)
            renamed[value] = person
            changes[name] = person
    if changes:
        command = replace(command, **changes)
    names = tuple((renamed.get(key, key), name) for key, name in origin.names)
    if speaker != origin.person or names != origin.names:  # most often everyone is already the person they are
        origin = replace(origin, person=speaker, names=names)
    if isinstance(command, c.OpenIncident) and any(is_email(p) for people in settings.roster.values() for p in people):
        roster = {role: tuple(uow.people.by_email(p, at) if is_email(p) else p for p in people)
                  for role, people in settings.roster.items()}
        settings = replace(settings, roster=roster)
    return command, origin, settings


# -- out -----------------------------------------------------------------------------------------------------------


def people_of(incident: Incident | None, also: Iterable[str] = ()) -> set[str]:
    """Everyone a card or a message about the incident may mention."""
    found = set(also)
    if incident is not None:
        found |= {incident.reporter, *(a.holder for a in incident.assignments)}
        for draft in incident.drafts:
            found |= {v.author for v in draft.versions} | {a.approver for a in draft.approvals}
            found |= {o.objector for o in draft.objections}
    return found


def known(uow: UnitOfWork, people: Collection[str], platforms: Collection[str]) -> People:
    """Their accounts, and the names of those lacking an account on one of these platforms (shown by name there)."""
    if not people:
        return NOBODY
    accounts = uow.people.accounts(people)
    unreached = {p for p, mine in accounts.items() if not set(platforms) <= {a.platform for a in mine}}
    return People(accounts, uow.people.names(unreached) if unreached else {})


def mentioned(text: str) -> set[str]:
    return set(PERSON.findall(text))


def text_for(text: str, platform: str, people: People) -> str:
    def written(match: re.Match[str]) -> str:
        person = match.group(1)
        if person not in people.accounts:
            return match.group(0)  # a person the directory never met: as the door always showed them
        account = people.on(person, platform)
        if account is not None:
            return f"<@{account}>"
        name = people.names.get(person) or person
        return "@" + name.replace("<", "‹").replace(">", "›")

    return PERSON.sub(written, text) if "<@" in text else text


def card_for(card: Card, platform: str, people: People) -> Card:
    if not people.accounts:
        return card

    def text(value: str) -> str:
        return text_for(value, platform, people)

    def picked(picker: Picker) -> Picker:
        if picker.options or picker.selected is None or picker.selected not in people.accounts:
            return replace(picker, label=text(picker.label))
        return replace(picker, label=text(picker.label), selected=people.on(picker.selected, platform))

    return replace(
        card, title=text(card.title), text=text(card.text), note=text(card.note),
        fields=tuple(Field(text(f.label), text(f.value)) for f in card.fields),
        pickers=tuple(picked(p) for p in card.pickers),
    )


def for_platform(reply: Reply, platform: str, people: People) -> Reply:
    """The reply as read on `platform`: each person as that platform's account of them, or their name."""
    if not people.accounts or not (reply.mentions or reply.cards or reply.refreshed or "<@" in reply.text):
        return reply  # nobody to write for this platform
    mentions = tuple(dict.fromkeys(people.on(p, platform) or p for p in reply.mentions))
    return replace(
        reply, text=text_for(reply.text, platform, people), mentions=mentions,
        cards=tuple(card_for(card, platform, people) for card in reply.cards),
        refreshed=tuple(card_for(card, platform, people) for card in reply.refreshed),
    )


def people_for(uow: UnitOfWork, outcome: Outcome, origin: c.Origin) -> tuple[Reply, People]:
    """The people the outcome's answer and broadcast may mention, and its reply written for the speaker's platform."""
    reply = outcome.reply
    wanted = mentioned(reply.text) if "<@" in reply.text else set()
    for card in reply.cards:
        wanted |= mentioned(_card_text(card))
    platforms = {origin.platform}
    if outcome.incident is not None and outcome.events:
        _name_places(uow, outcome.incident)
    if outcome.incident is not None:
        wanted |= people_of(outcome.incident, {origin.person})
        platforms |= {place.platform for place in outcome.incident.places}
    people = known(uow, wanted, platforms)
    # The names this very request told (the directory learns them as it commits, after this).
    told = {k: v for k, v in origin.names if k in people.accounts and v}
    if told:
        people = replace(people, names={**people.names, **told})
    return for_platform(reply, origin.platform, people), people


def _card_text(card: Card) -> str:
    return "\n".join([card.title, card.text, card.note, *(f.value for f in card.fields)])


class Addressed:
    """An outbox that writes each message for its platform and sends direct messages where the person was last
    active (falling back to the platform the message was planned for): reminders go through it.

    The directory is read only when needed (a direct message, or a crisis on several platforms), once per batch: a
    wake-up over single-platform crises with nothing to send to people costs no statement more."""

    def __init__(self, outbox: Outbox, people: Callable[[], People], platforms: Collection[str]) -> None:
        self.outbox = outbox
        self.people = people
        self.platforms = platforms

    def add(self, message: Outgoing) -> None:
        if not message.direct and len(self.platforms) < 2:
            self.outbox.add(message)
            return
        people = self.people()
        platform, target = message.platform, message.target
        if message.direct:
            platform, target = people.reach(target, {*self.platforms, platform}) or (platform, target)
        reply = for_platform(message.reply, platform, people)
        self.outbox.add(replace(message, platform=platform, target=target, reply=reply))

    def claim(self, platforms: Collection[str], at: datetime, lease: timedelta, limit: int) -> Sequence[Outgoing]:
        return self.outbox.claim(platforms, at, lease, limit)

    def claim_on_commit(
        self, platforms: Collection[str], at: datetime, lease: timedelta, limit: int
    ) -> Callable[[], Sequence[Outgoing] | None]:
        return self.outbox.claim_on_commit(platforms, at, lease, limit)

    def mark_sent(self, message_ids: Sequence[str], at: datetime) -> None:
        self.outbox.mark_sent(message_ids, at)

    def retry_later(self, message_id: str, retry_at: datetime | None, error: str) -> None:
        self.outbox.retry_later(message_id, retry_at, error)


def people_of_all(uow: UnitOfWork, incidents: Sequence[Incident]) -> Callable[[], People]:
    """The people of several incidents (a scheduler wake-up), read in one go the first time they are needed."""
    read: list[People] = []

    def people() -> People:
        if not read:
            everyone = set().union(*(people_of(i) for i in incidents)) if incidents else set()
            read.append(known(uow, everyone, {place.platform for i in incidents for place in i.places}))
        return read[0]

    return people


def addressed(outbox: Outbox, people: Callable[[], People], incident: Incident) -> Addressed:
    return Addressed(outbox, people, {place.platform for place in incident.places})


def _name_places(uow: UnitOfWork, incident: Incident) -> None:
    """Names the conversations linked before a door named them (a room opened for the crisis), as doors since have:
    the card says where a crisis followed in several conversations lives. Saved with the change."""
    places = incident.places
    unnamed = [c for c in places if not c.name]
    if len(places) < 2 or not unnamed:
        return
    names = uow.people.names({c.id for c in unnamed})
    for index, conversation in enumerate(incident.conversations):
        if not conversation.name and names.get(conversation.id):
            incident.conversations[index] = replace(conversation, name=names[conversation.id])
