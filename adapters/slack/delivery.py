"""Where a reply goes once the core has answered: in the channel, or only to the person who asked."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, replace
from typing import Any

from slack_sdk.errors import SlackApiError, SlackRequestError
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.webhook.async_client import AsyncWebhookClient

from adapters.slack.blocks import fallback_text, mentioned, reply_blocks
from adapters.slack.markup import escape
from adapters.slack.people import People
from bot.i18n import N_, Translator
from bot.replies import File, Reply

log = logging.getLogger(__name__)

# What Slack answers for a message over its size limits. Rendering keeps within them, so meeting one is a bug.
TOO_BIG = frozenset({"msg_too_long", "invalid_blocks", "too_many_blocks"})
TOO_BIG_NOTICE = N_("This answer did not fit in a Slack message; `export` for the full record.")


def too_big(error: SlackApiError, where: str) -> bool:
    """True for a size refusal, logged here once, in one line (the payload is not logged: it holds user text)."""
    code = error.response.get("error")
    if code not in TOO_BIG:
        return False
    log.warning("Slack refused a message in %s as too large (%s); a short notice was sent instead", where, code)
    return True


@dataclass(frozen=True)
class Asker:
    """Who asked, where, the response URL Slack gave for answering, and whether it was a click (or a form)."""

    user: str
    channel: str
    response_url: str | None = None
    click: bool = False
    card: str | None = None  # the card clicked, when a click came from one of ours (`Origin.card`)

    def to_json(self) -> str:
        return json.dumps({"user": self.user, "channel": self.channel, "response_url": self.response_url,
                           "click": self.click, "card": self.card})

    @classmethod
    def from_json(cls, text: str) -> Asker:
        data = json.loads(text)
        card = data.get("card")
        return cls(data["user"], data["channel"], data.get("response_url"), bool(data.get("click")),
                   card if isinstance(card, str) else None)


def for_asker(reply: Reply, asker: Asker) -> Reply:
    """A click answered with a usage problem gets the problem alone: the help card is for people who type."""
    if asker.click and reply.private and reply.text:
        return replace(reply, cards=tuple(card for card in reply.cards if card.id != "help"))
    return reply


class Delivery:
    def __init__(self, client: AsyncWebClient, people: People, t: Translator) -> None:
        self.client = client
        self.people = people
        self.t = t

    async def deliver(self, reply: Reply, asker: Asker) -> None:
        if reply.file is not None:
            await self.upload(reply, reply.file, asker)
            return
        reply = for_asker(reply, asker)
        if not reply.text and not reply.cards:
            return
        names = await self.people.names(mentioned(reply))
        text, blocks = fallback_text(reply, names), reply_blocks(reply, self.t, names)
        if not reply.private:
            try:
                await self.client.chat_postMessage(
                    channel=asker.channel, text=text, blocks=blocks, unfurl_links=False, mrkdwn=False,
                )
                return
            except SlackApiError as error:
                if too_big(error, asker.channel):
                    await self.ephemeral(asker, self.t(TOO_BIG_NOTICE))
                    return
                # Typically not_in_channel: the response URL can still answer in the channel.
                log.info("chat.postMessage in %s failed (%s); answering through the response URL", asker.channel,
                         error.response.get("error"))
                if await self._respond(asker, text, blocks, in_channel=True):
                    return
        await self._ephemeral(asker, text, blocks)

    async def post_in_channel(self, reply: Reply, channel: str) -> bool:
        """`reply` in the channel, and nowhere else: False when Slack refused it (the caller has other ways)."""
        names = await self.people.names(mentioned(reply))
        try:
            await self.client.chat_postMessage(channel=channel, text=fallback_text(reply, names),
                                               blocks=reply_blocks(reply, self.t, names), unfurl_links=False,
                                               mrkdwn=False)
            return True
        except SlackApiError as error:
            log.info("chat.postMessage in %s failed (%s)", channel, error.response.get("error"))
            return False

    async def upload(self, reply: Reply, file: File, asker: Asker) -> None:
        """A file (a report) is uploaded where it was asked for: Slack has no file only one person sees. Where the app
        cannot upload, the person is told why and how else to get it."""
        try:
            # getUploadURLExternal, the upload itself, then completeUploadExternal to share it in the channel.
            await self.client.files_upload_v2(
                channel=asker.channel, filename=file.name, title=file.name, content=file.content,
                initial_comment=reply.text or None,
            )
            return
        except SlackApiError as error:
            reason = str(error.response.get("error"))
        except SlackRequestError:
            reason = "upload failed"
        log.info("could not upload %s to %s: %s", file.name, asker.channel, reason)
        text = self.t(
            "I could not upload {name} here ({reason}). `crisisbot export {key} --out {name}` writes it on the server.",
            name=file.name, reason=reason, key=reply.incident or "",
        )
        await self.ephemeral(asker, text)

    async def ephemeral(self, asker: Asker, text: str) -> None:
        """Tells only the asker `text`, literal text like any reply's."""
        reply = Reply(text=text, private=True)
        names = await self.people.names(mentioned(reply))
        await self._ephemeral(asker, fallback_text(reply, names), reply_blocks(reply, self.t, names))

    async def _ephemeral(self, asker: Asker, text: str, blocks: list[dict[str, Any]] | None) -> None:
        try:
            await self.client.chat_postEphemeral(channel=asker.channel, user=asker.user, text=text, blocks=blocks)
            return
        except SlackApiError as error:
            if blocks and too_big(error, asker.channel):
                await self._ephemeral(asker, escape(self.t(TOO_BIG_NOTICE)), None)
                return
            log.info("chat.postEphemeral in %s failed: %s", asker.channel, error.response.get("error"))
        if await self._respond(asker, text, blocks, in_channel=False):
            return
        # Last resort: the person's direct messages with the app.
        try:
            await self.client.chat_postMessage(channel=asker.user, text=text, blocks=blocks, unfurl_links=False,
                                               mrkdwn=False)
        except SlackApiError as error:
            log.error("could not reach %s at all: %s", asker.user, error.response.get("error"))

    async def _respond(self, asker: Asker, text: str, blocks: list[dict[str, Any]] | None, in_channel: bool) -> bool:
        if not asker.response_url:
            return False
        try:
            response = await AsyncWebhookClient(asker.response_url, timeout=10).send(
                text=text, blocks=blocks, response_type="in_channel" if in_channel else "ephemeral", replace_original=False,
            )
        except Exception as error:  # a dead response URL must not hide the other ways to reach the person
            log.info("response URL failed: %s", type(error).__name__)
            return False
        if response.status_code != 200:
            log.info("response URL refused the answer: %s %s", response.status_code, str(response.body)[:80])
        return response.status_code == 200
