"""The core's ChatGateway for Teams: posts, in-place card updates and direct messages at stored addresses.

A crisis lives where it was opened (a channel thread, group chat or 1:1), so `open_room` opens nothing.
While a card click is being handled, the refreshed copy of the clicked card is kept for the click's answer
(`ClickInProgress`): an `adaptiveCard/action` invoke returns it in its response instead of a second update.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from contextvars import ContextVar
from dataclasses import dataclass

from botbuilder.schema import ConversationReference

from adapters.teams.cards import people_in
from adapters.teams.messages import card_activity, names_of, reply_activities
from adapters.teams.outbound import Connector
from adapters.teams.references import Directory, TeamsPerson
from bot.i18n import translator
from bot.model import Incident
from bot.replies import Card, Reply

log = logging.getLogger(__name__)


@dataclass
class ClickInProgress:
    conversation: str
    message_id: str | None
    card_id: str | None
    # The invoke answers with the refreshed card itself; a submitted form (message) has no such answer.
    answered_by_invoke: bool
    refreshed: Card | None = None
    message_updated: bool = False

    def targets(self, conversation: str, message_id: str) -> bool:
        return conversation == self.conversation and message_id == self.message_id


CLICK: ContextVar[ClickInProgress | None] = ContextVar("teams_click", default=None)


class TeamsGateway:
    platform = "teams"

    def __init__(self, connector: Connector, directory: Directory, default_language: str = "en") -> None:
        self.connector = connector
        self.directory = directory
        self.default_language = default_language

    async def reference(self, conversation: str) -> ConversationReference:
        stored = await self.directory.conversation(conversation)
        if stored is None:
            raise LookupError(f"no Teams conversation reference stored for {conversation}")
        return ConversationReference().deserialize(stored)

    def _language(self, reference: ConversationReference) -> str:
        return (reference.locale or self.default_language)[:2].lower()

    async def post(self, conversation: str, reply: Reply) -> str | None:
        self._keep_clicked(reply.cards)
        return await self.send(conversation, reply)

    async def send(
        self, conversation: str, reply: Reply, reply_to: str | None = None, language: str | None = None
    ) -> str | None:
        """Sends text then cards; returns the id of the first card's message (the one worth updating later)."""
        reference = await self.reference(conversation)
        t = translator(language or self._language(reference))
        first_card: str | None = None
        last: str | None = None
        for activity in await reply_activities(reply, t, self.directory):
            last = await self.connector.send(reference, activity, reply_to)
            if activity.attachments and first_card is None:
                first_card = last
        return first_card or last

    async def update(self, conversation: str, message_ref: str, card: Card) -> None:
        click = CLICK.get()
        if click is not None and card.id == click.card_id:
            click.refreshed = card
            if click.targets(conversation, message_ref):
                if click.answered_by_invoke:
                    return
                click.message_updated = True
        await self.update_message(conversation, message_ref, card)

    async def update_message(self, conversation: str, message_ref: str, card: Card) -> None:
        reference = await self.reference(conversation)
        names = await names_of(self.directory, people_in(card))
        activity = card_activity(card, translator(self._language(reference)), names)
        await self.connector.update(reference, message_ref, activity)

    async def notify(self, person: str, reply: Reply) -> None:
        found = await self.directory.person(person)
        if found is None:
            log.warning("cannot message %s in Teams: they never spoke to the bot", person)
            return
        chat = found.personal_conversation or await self._open_personal_chat(found)
        if chat is not None:
            await self.send(chat, reply)

    async def open_room(self, incident: Incident, members: Sequence[str]) -> str | None:
        return None

    async def _open_personal_chat(self, person: TeamsPerson) -> str | None:
        if person.seen_in is None:
            return None
        somewhere = await self.reference(person.seen_in)
        chat = await self.connector.open_personal_chat(somewhere, person.teams_id)
        personal = ConversationReference(
            channel_id=somewhere.channel_id, service_url=somewhere.service_url, bot=somewhere.bot, locale=somewhere.locale,
        )
        personal.conversation = type(somewhere.conversation)(id=chat, conversation_type="personal",
                                                             tenant_id=somewhere.conversation.tenant_id)
        await self.directory.save_conversation(chat, personal.serialize())
        await self.directory.save_person(TeamsPerson(person.person_id, person.teams_id, person.name, chat, person.seen_in))
        return chat

    def _keep_clicked(self, cards: Sequence[Card]) -> None:
        click = CLICK.get()
        for card in cards:
            if click is not None and card.id == click.card_id:
                click.refreshed = card

