"""The work after the acknowledgement: who asked (Slack's names, locale and time zone), the core's run, the answers.

New requests and recovered ones both come through here, one batch at a time.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import replace

from slack_sdk.web.async_client import AsyncWebClient

from adapters.runtime import Runtime
from adapters.slack.delivery import Asker, Delivery
from adapters.slack.gateway import SlackGateway
from adapters.slack.markup import SLACK_MENTION, SLACK_USER
from bot import commands as c
from bot.i18n import Translator, translator
from bot.recovery import run_many
from bot.replies import Reply

log = logging.getLogger("crisisbot.slack")

PLATFORM = "slack"
# Answers sent side by side: enough to keep up with the core, few enough for the Web API.
ANSWERS_AT_ONCE = 16


def bare_origin(asker: Asker, request_id: str) -> c.Origin:
    """The origin written down with a new request, before Slack is asked who the asker is."""
    return c.Origin(asker.user, PLATFORM, asker.channel, None, request_id)


class Answers:
    def __init__(self, runtime: Runtime, gateway: SlackGateway) -> None:
        self.runtime = runtime
        self.gateway = gateway
        # One batch through the core at a time, new or recovered: batches racing on one incident would only make
        # each other retry (ConcurrentChange), and a request recovery runs that still loses that race is given up.
        self.dispatching = asyncio.Lock()

    async def run_and_answer(self, batch: list[tuple[c.Command, Asker, c.Origin, AsyncWebClient | None]]) -> None:
        """Commands through the core in one trip to its thread (`run_many`), then each asker's answer, side by side.

        Each item carries the origin to fall back on when Slack cannot say who asked, and the client to answer
        with: None looks up the conversation's workspace token (OAuth mode; the one token otherwise).
        """
        prepared = [await self.prepared(command, asker, fallback) for command, asker, fallback, _ in batch]
        # A command that fails is answered with an apology and left unfinished: recovery runs it once more.
        async with self.dispatching:
            replies = await run_many(self.runtime.service, [(command, origin) for (command, *_), (origin, _) in zip(
                batch, prepared, strict=True)])
        turns = asyncio.Semaphore(ANSWERS_AT_ONCE)

        async def answer(reply: Reply, asker: Asker, t: Translator, client: AsyncWebClient | None) -> None:
            async with turns:
                client = client or await self.gateway.workspaces.client_for(asker.channel)
                await self.answer(reply, asker, t, client)

        await asyncio.gather(*(answer(reply, asker, t, client) for reply, (_, asker, _, client), (_, t) in zip(
            replies, batch, prepared, strict=True)))

    async def prepared(self, command: c.Command, asker: Asker, fallback: c.Origin) -> tuple[c.Origin, Translator]:
        try:
            return await self.origin_for(command, asker, fallback.request_id or "")
        except Exception:  # Slack unreachable: the request still runs, in the configured language
            log.exception("could not look up who sent request %s", fallback.request_id)
            return fallback, translator(self.runtime.settings.language)

    def translator_for(self, user: str) -> Translator:
        return translator(self.gateway.people.known_language(user) or self.runtime.settings.language)

    async def origin_for(self, command: c.Command, asker: Asker, request_id: str) -> tuple[c.Origin, Translator]:
        # Slack tells each person's locale and time zone (users.info, cached): answers to them follow both.
        profile = await self.gateway.people.profile(asker.user)
        language = profile.language
        people = {asker.user} | _mentioned(command)
        names = tuple([(person, await self.gateway.people.name(person)) for person in sorted(people)])
        t = translator(language or self.runtime.settings.language)
        place = self.gateway.places.name(asker.channel, t)  # "Slack › #general", for timeline facts
        names += ((asker.channel, place),) if place else ()
        emails = await self.gateway.people.emails(people)  # one person across platforms (`bot.identities`)
        origin = c.Origin(asker.user, PLATFORM, asker.channel, language, request_id, names, profile.timezone, emails)
        return origin, t

    async def answer(self, reply: Reply, asker: Asker, t: Translator, client: AsyncWebClient) -> None:
        try:
            await Delivery(client, self.gateway.people, t).deliver(with_room(reply, t), asker)
        except Exception:
            # The command ran and its effect is stored (the request log says so): only this answer is missing.
            log.exception("the answer to a Slack request could not be delivered")


def with_room(reply: Reply, t: Translator) -> Reply:
    """An opening's reply, completed with where the crisis now lives (the core says), or why it stays here."""
    room = reply.room
    if room is None:
        return reply
    if room.conversation:
        note = t("Crisis channel: <#{channel}>", channel=room.conversation)
    else:
        note = t("I could not create a channel for it ({reason}), so it lives in this conversation.",
                 reason=room.problem)
    return replace(reply, text=f"{reply.text}\n{note}".strip())


def _mentioned(command: c.Command) -> set[str]:
    """The people a command names, by their Slack ids: their names go with the request into the record."""
    found: set[str] = set()
    for name, value in vars(command).items():
        if not isinstance(value, str):
            continue
        found.update(SLACK_MENTION.findall(value))
        if name in ("person", "owner") and SLACK_USER.match(value):
            found.add(value)
    return found
