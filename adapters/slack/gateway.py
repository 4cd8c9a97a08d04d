"""SlackGateway: the core's ChatGateway port spoken in Web API calls."""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Sequence

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.blocks import card_blocks, fallback_text, mentioned, reply_blocks
from adapters.slack.delivery import TOO_BIG_NOTICE, too_big
from adapters.slack.markup import SLACK_USER, escape
from adapters.slack.people import People
from adapters.slack.places import Places
from adapters.slack.workspaces import OneWorkspace
from bot.i18n import Translator, translator
from bot.model import Incident
from bot.replies import Card, Reply, Room
from bot.views import severity_label

log = logging.getLogger(__name__)

CHANNEL_NAME_LIMIT = 80
CHANNEL_ID = re.compile(r"^[CG][A-Z0-9]{2,}$")
NAME_ATTEMPTS = 5


def channel_name(key: str, title: str, attempt: int = 1) -> str:
    """`crisis-cri-12-wave-of-complaints`: lowercase ASCII, hyphens, at most 80 characters; `-2`, `-3` when taken.

    A long title loses its last words, never part of one: a word that does not fit is left out whole.
    """
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    words = re.sub(r"[^a-z0-9]+", " ", ascii_title.lower()).split()
    suffix = f"-{attempt}" if attempt > 1 else ""
    room = f"crisis-{key.lower()}"[: CHANNEL_NAME_LIMIT - len(suffix)]
    for word in words:
        if len(room) + 1 + len(word) + len(suffix) > CHANNEL_NAME_LIMIT:
            break
        room = f"{room}-{word}"
    return room + suffix


class SlackGateway:
    platform = "slack"

    def __init__(
        self, client: AsyncWebClient, language: str, announce_channel: str = "", workspaces: OneWorkspace | None = None,
    ) -> None:
        self.client = client
        self.workspaces = workspaces or OneWorkspace(client)
        self.people = People(client, self.workspaces.client_for, team_of=self.workspaces.team_of)
        self.places = Places()
        self.announce_channel = announce_channel
        self.t: Translator = translator(language)
        # Channels this gateway created for a crisis: its card gets pinned there.
        self._crisis_channels: set[str] = set()
        self._announce_warned: set[str] = set()
        self._unknown_emails: set[str] = set()
        # Per bot token: each installed workspace has its own bot user.
        self._bot_users: dict[str | None, str] = {}

    async def post(self, conversation: str, reply: Reply) -> str | None:
        names = await self.people.names(mentioned(reply))
        client = await self.workspaces.client_for(conversation)
        try:
            response = await client.chat_postMessage(
                channel=conversation, text=fallback_text(reply, names), blocks=reply_blocks(reply, self.t, names),
                unfurl_links=False, mrkdwn=False,
            )
        except SlackApiError as error:
            if not too_big(error, conversation):
                raise
            # The notice takes the message's place: the next refresh of a card updates it in place.
            response = await client.chat_postMessage(channel=conversation, text=escape(self.t(TOO_BIG_NOTICE)))
        ts = response.get("ts")
        if ts and self._is_room(conversation) and any(card.id.startswith("incident:") for card in reply.cards):
            await self._pin(client, conversation, ts)
        return ts

    async def update(self, conversation: str, message_ref: str, card: Card) -> None:
        names = await self.people.names(mentioned(Reply(cards=(card,))))
        client = await self.workspaces.client_for(conversation)
        try:
            await client.chat_update(
                channel=conversation, ts=message_ref, text=fallback_text(Reply(cards=(card,)), names),
                blocks=card_blocks(card, self.t, names),
            )
        except SlackApiError as error:
            if not too_big(error, conversation):
                raise

    async def notify(self, person: str, reply: Reply) -> None:
        if "@" in person:  # an e-mail address from CRISISBOT_NOTIFY: the core keeps it as typed
            user = await self.people.user_by_email(person)
            if user is None:
                if self.people.nobody_has(person):
                    self._unreachable(person)
                return
            person = user
        # Posting to a user id lands in the person's direct messages with the app; needs only chat:write.
        await self.post(person, reply)

    def _unreachable(self, email: str) -> None:
        # Once per address, not per crisis: it stays unknown until someone with it joins the workspace.
        if email not in self._unknown_emails:
            self._unknown_emails.add(email)
            log.warning("CRISISBOT_NOTIFY: no Slack user has the e-mail address %s; skipped until one does", email)

    async def open_room(self, incident: Incident, members: Sequence[str]) -> Room:
        where = incident.conversations[0].id if incident.conversations else ""
        client = await self.workspaces.client_for(where)
        room = await self._create_room(client, incident)
        await self.workspaces.same_workspace(where, [c for c in (room.conversation, *members) if c])
        if room.conversation:
            self._crisis_channels.add(room.conversation)
            await self.places.created(room.conversation, room.name)
            await self._invite(client, room.conversation, members)
        await self._announce(client, incident, room.conversation or where)
        return room

    async def _create_room(self, client: AsyncWebClient, incident: Incident) -> Room:
        for attempt in range(1, NAME_ATTEMPTS + 1):
            name = channel_name(incident.key, incident.title, attempt)
            try:
                response = await client.conversations_create(name=name, is_private=False)
                return Room(response["channel"]["id"], name=name)
            except SlackApiError as error:
                code = error.response.get("error", "unknown_error")
                if code != "name_taken":
                    log.warning("conversations.create %s failed: %s", name, code)
                    return Room(None, self._explain(code))
        return Room(None, self._explain("name_taken"))

    def _explain(self, code: str) -> str:
        t = self.t
        reasons = {
            "missing_scope": t("the app lacks the channels:manage permission"),
            "name_taken": t("every channel name I tried is taken"),
            "restricted_action": t("this workspace does not let apps create channels"),
        }
        return reasons.get(code, t("Slack answered {error}", error=code))

    async def _invite(self, client: AsyncWebClient, channel: str, members: Sequence[str]) -> None:
        bot = await self.bot_user(client)
        users = [m for m in members if SLACK_USER.match(m) and m != bot]
        if not users:
            return
        try:
            await client.conversations_invite(channel=channel, users=",".join(users))
        except SlackApiError as error:
            log.warning("conversations.invite into %s failed: %s", channel, error.response.get("error"))

    async def _announce(self, client: AsyncWebClient, incident: Incident, where: str) -> None:
        if not self.announce_channel:
            return
        t = self.t
        text = t("{key} opened: {title} (severity {severity}). Follow it in <#{channel}>.", key=incident.key,
                 title=incident.title, severity=severity_label(incident.severity, t), channel=where)
        reply = Reply(text=text)
        try:
            await client.chat_postMessage(channel=self.announce_channel, text=fallback_text(reply),
                                          blocks=reply_blocks(reply, t), unfurl_links=False, mrkdwn=False)
        except SlackApiError as error:
            self._announce_unusable(str(error.response.get("error")))

    async def check_announce_channel(self) -> None:
        """At startup: warns if announcements could not be posted (a public channel needs no invitation)."""
        channel = self.announce_channel
        if not channel or not CHANNEL_ID.match(channel):
            return  # a channel name: chat.postMessage takes it, conversations.info does not
        try:
            info = (await self.client.conversations_info(channel=channel)).get("channel") or {}
        except SlackApiError as error:
            code = str(error.response.get("error"))
            if code == "missing_scope":
                log.info("cannot check CRISISBOT_ANNOUNCE_CHANNEL %s: the app lacks channels:read", channel)
            else:
                self._announce_unusable(code)
            return
        if info.get("is_archived"):
            self._announce_unusable("is_archived")
        elif info.get("is_private") and not info.get("is_member"):
            self._announce_unusable("not_in_channel")

    def _announce_unusable(self, code: str) -> None:
        # Once per reason: every opening would otherwise repeat it.
        if code in self._announce_warned:
            return
        self._announce_warned.add(code)
        log.warning(
            "cannot post in CRISISBOT_ANNOUNCE_CHANNEL %s (Slack: %s), so new crises are not announced there: "
            "check the channel id, reinstall the app if it lacks chat:write.public, and for a private channel "
            "invite the bot (/invite @crisisbot)", self.announce_channel, code,
        )

    async def _pin(self, client: AsyncWebClient, channel: str, ts: str) -> None:
        try:
            await client.pins_add(channel=channel, timestamp=ts)
        except SlackApiError as error:
            log.warning("pins.add in %s failed: %s", channel, error.response.get("error"))

    def _is_room(self, conversation: str) -> bool:
        return conversation in self._crisis_channels

    def known_bot_user(self, client: AsyncWebClient) -> str | None:
        """The bot's user id for this token if `bot_user` learnt it already (no request)."""
        return self._bot_users.get(client.token)

    async def bot_user(self, client: AsyncWebClient) -> str | None:
        if client.token not in self._bot_users:
            try:
                if user := (await client.auth_test()).get("user_id"):
                    self._bot_users[client.token] = user
            except SlackApiError as error:
                log.warning("auth.test failed: %s", error.response.get("error"))
        return self._bot_users.get(client.token)
