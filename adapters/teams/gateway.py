"""The core's ChatGateway for Teams: posts, in-place card updates and direct messages at stored addresses.

A crisis lives where it was opened (a channel thread, group chat or 1:1), so `open_room` opens nothing.
After a click the door updates the clicked message (`update`); the core's refresher may update it with the
very same card a moment before or after (when the click falls within the card's refresh window): whichever comes
second is skipped while the message is known to show that card (`SHOWN_FOR`).
"""

from __future__ import annotations

import json
import logging
import time
from collections import OrderedDict
from collections.abc import Sequence

from botbuilder.schema import Activity, ChannelAccount, ConversationReference

from adapters.recent import Bounded
from adapters.teams.messages import card_activity, card_content, reply_activities, text_activity
from adapters.teams.outbound import Connector, TooLarge
from adapters.teams.references import Directory, TeamsPerson
from bot.i18n import Translator, translator
from bot.model import Incident
from bot.replies import Card, Reply, Room

log = logging.getLogger(__name__)

SHOWN_MESSAGES = 2048
# How long "this message shows this card" is trusted: the span of one click, not more.
SHOWN_FOR = 10.0


class TeamsGateway:
    platform = "teams"

    def __init__(self, connector: Connector, directory: Directory, default_language: str = "en") -> None:
        self.connector = connector
        self.directory = directory
        self.default_language = default_language
        # What each recently updated message shows: (conversation, message id) -> (the card's JSON, when).
        self._shown: OrderedDict[tuple[str, str], tuple[str, float]] = OrderedDict()
        # Addresses come from the configuration and from what people type (`assign legal x@y`): bounded all the same.
        self._unknown_emails: dict[str, None] = Bounded(1_000)
        # People whose member record was asked for their e-mail address by this process: once each is enough.
        self._asked: dict[str, bool] = Bounded(5_000)

    async def reference(self, conversation: str) -> ConversationReference:
        stored = await self.directory.conversation(conversation)
        if stored is None:
            raise LookupError(f"no Teams conversation reference stored for {conversation}")
        return ConversationReference().deserialize(stored)

    def _language(self, reference: ConversationReference) -> str:
        return (reference.locale or self.default_language)[:2].lower()

    async def post(self, conversation: str, reply: Reply) -> str | None:
        return await self.send(conversation, reply)

    async def send(
        self, conversation: str, reply: Reply, reply_to: str | None = None, language: str | None = None
    ) -> str | None:
        """Sends text then cards; returns the id of the first card's message (the one worth updating later)."""
        reference = await self.reference(conversation)
        t = translator(language or self._language(reference))
        first_card: str | None = None
        last: str | None = None
        # Posted to a channel itself, each message would start a thread of its own: the rest go in the first's.
        threads = reply_to is None and _channel_root(reference)
        for activity in await reply_activities(reply, t, self.directory, conversation):
            sent = await self._send(reference, activity, reply_to, t)
            last = sent or last
            if threads and reply_to is None and sent:
                reference, reply_to = _thread_of(reference, sent), sent
            if activity.attachments and first_card is None:
                first_card = sent
        return first_card or last

    async def _send(
        self, reference: ConversationReference, activity: Activity, reply_to: str | None, t: Translator
    ) -> str | None:
        try:
            return await self.connector.send(reference, activity, reply_to)
        except TooLarge as error:
            # Answers are cut to fit, so this is a bug: said once here, and the person is told rather than left waiting.
            log.error("%s in %s; sending a short notice instead", error, reference.conversation.id)
            notice = t("This answer is too long for Teams; `export` gives the full record.")
            return await self.connector.send(reference, text_activity(notice, {}, t), reply_to)

    async def update(self, conversation: str, message_ref: str, card: Card) -> None:
        """Shows `card` in the message, for everyone in the conversation, unless it just did."""
        reference = await self.reference(conversation)
        rendered = await card_content(card, translator(self._language(reference)), self.directory, conversation)
        activity = card_activity(rendered)
        content = json.dumps(rendered, sort_keys=True)
        where = (conversation, message_ref)
        shown = self._shown.get(where)
        if shown is not None and shown[0] == content and time.monotonic() - shown[1] < SHOWN_FOR:
            return
        try:
            await self.connector.update(reference, message_ref, activity)
        except TooLarge as error:
            log.error("%s: message %s in %s keeps its previous card", error, message_ref, conversation)
            return
        self._shown[where] = (content, time.monotonic())
        self._shown.move_to_end(where)
        while len(self._shown) > SHOWN_MESSAGES:
            self._shown.popitem(last=False)

    async def notify(self, person: str, reply: Reply) -> None:
        if "@" in person:  # an e-mail address from CRISISBOT_NOTIFY: the core keeps it as typed
            found = await self.directory.by_email(person)
            if found is None:
                self._unreachable(person)
                return
        else:
            found = await self.directory.person(person)
        if found is None:
            log.warning("cannot message %s in Teams: they never spoke to the bot", person)
            return
        chat = found.personal_conversation or await self._open_personal_chat(found)
        if chat is not None:
            await self.send(chat, reply)

    def _unreachable(self, email: str) -> None:
        # Once per address, not per crisis: it stays unknown until the bot meets someone with it.
        if email not in self._unknown_emails:
            self._unknown_emails[email] = None
            log.warning("CRISISBOT_NOTIFY: the bot has met nobody in Teams with the e-mail address %s; skipped until "
                        "it does", email)

    async def learn_email(self, reference: ConversationReference, teams_id: str, person_id: str) -> None:
        """Asks Teams once for the e-mail address of someone who spoke to the bot (activities carry none)."""
        if person_id in self._asked:
            return
        self._asked[person_id] = True
        if await self.directory.has_email(person_id):
            return
        try:
            member = await self.connector.member(reference, teams_id)
        except Exception as error:  # a comfort: without it, only this person's e-mail address stays unknown
            log.warning("could not look up the e-mail address of Teams member %s: %s", teams_id, error)
            return
        await self.directory.save_emails(person_id, addresses(member))

    async def open_room(self, incident: Incident, members: Sequence[str]) -> Room | None:
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


def addresses(member: ChannelAccount) -> list[str]:
    """The e-mail address and user principal name a Bot Connector member record carries (a TeamsChannelAccount:
    the SDK's ChannelAccount keeps them among its additional properties)."""
    extra = getattr(member, "additional_properties", None) or {}
    return [str(extra[key]) for key in ("email", "userPrincipalName") if extra.get(key)]


def _channel_root(reference: ConversationReference) -> bool:
    """The channel itself rather than one of its threads (`19:…@thread.tacv2;messageid=…`)."""
    conversation = reference.conversation
    return (conversation.conversation_type or "").lower() == "channel" and ";messageid=" not in conversation.id


def _thread_of(reference: ConversationReference, root: str) -> ConversationReference:
    """The address of the thread `root` starts: Teams threads by this conversation id, not by `replyToId` alone."""
    thread = ConversationReference().deserialize(reference.serialize())
    thread.conversation.id = f"{reference.conversation.id};messageid={root}"
    return thread
