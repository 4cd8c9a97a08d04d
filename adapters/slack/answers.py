"""The work after the acknowledgement: who asked (Slack's names, locale and time zone), the core's run, the answers.

New requests and recovered ones both come through here, one batch at a time.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import replace
from typing import Any

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
# Public answers of one batch sent as one message, at most this many lines and characters (one Slack message shows
# up to 40,000 characters; this keeps one readable).
TOGETHER_LINES = 50
TOGETHER_CHARACTERS = 8000
# While acknowledgements keep coming, the work behind them takes at most this share of the time: Slack gives up on a
# request not acknowledged within 3 s, while the work can wait (it is written down) and catches up once they stop.
WORK_SHARE = 1 / 3  # measured: acknowledgements at 81-88 % of bare Bolt's rate, the burst still drained at ~1,900/s


def bare_origin(asker: Asker, request_id: str) -> c.Origin:
    """The origin written down with a new request, before Slack is asked who the asker is."""
    return c.Origin(asker.user, PLATFORM, asker.channel, None, request_id, card=asker.card)


class Answers:
    def __init__(self, runtime: Runtime, gateway: SlackGateway) -> None:
        self.runtime = runtime
        self.gateway = gateway
        # One batch through the core at a time, new or recovered: batches racing on one incident would only make
        # each other retry (ConcurrentChange), and a request recovery runs that still loses that race is given up.
        self.dispatching = asyncio.Lock()
        self.acknowledgements_coming: Callable[[], bool] = lambda: False  # set by the door
        self.work_share = WORK_SHARE
        self.rest: Callable[[float], Awaitable[None]] = asyncio.sleep
        self._lookups: set[asyncio.Future[Any]] = set()

    async def run_and_answer(self, batch: list[tuple[c.Command, Asker, c.Origin, AsyncWebClient | None]]) -> None:
        """Commands through the core in one trip to its thread (`run_many`), then each asker's answer, side by side.

        Each item carries the origin to fall back on when Slack cannot say who asked, and the client to answer
        with: None looks up the conversation's workspace token (OAuth mode; the one token otherwise).
        """
        prepared = [await self.prepared(command, asker, fallback) for command, asker, fallback, _ in batch]
        # A command that fails is answered with an apology and left unfinished: recovery runs it once more.
        async with self.dispatching:
            started = time.monotonic()
            # A Slack answer never shows the refreshed cards: the refresher updates them where they are.
            replies = await run_many(self.runtime.service, [(command, origin) for (command, *_), (origin, _) in zip(
                batch, prepared, strict=True)], with_cards=False)
            if self.acknowledgements_coming():  # the next batch waits, so the acknowledgements get their share
                await self.rest((time.monotonic() - started) * (1 - self.work_share) / self.work_share)
        turns = asyncio.Semaphore(ANSWERS_AT_ONCE)

        async def answer(answers: list[Answer]) -> None:
            async with turns:
                _, asker, t, client = answers[0]
                client = client or await self.gateway.workspaces.client_for(asker.channel)
                if len(answers) == 1:
                    await self.answer(answers[0][0], asker, t, client)
                elif not await self.post_together(answers, client):
                    for reply, one, _, _ in answers:  # each by its own ways: response URL, ephemeral, DM
                        await self.answer(reply, one, t, client)

        await asyncio.gather(*(answer(answers) for answers in together(
            [(reply, asker, t, client) for reply, (_, asker, _, client), (_, t) in zip(replies, batch, prepared,
                                                                                         strict=True)])))

    async def prepared(self, command: c.Command, asker: Asker, fallback: c.Origin) -> tuple[c.Origin, Translator]:
        try:
            return await self.origin_for(command, asker, fallback.request_id or "")
        except Exception:  # Slack unreachable: the request still runs, in the configured language
            log.exception("could not look up who sent request %s", fallback.request_id)
            return fallback, translator(self.runtime.settings.language)

    def translator_for(self, user: str) -> Translator:
        return translator(self.gateway.people.known_language(user) or self.runtime.settings.language)

    async def translator_asking(self, user: str, within: float) -> Translator:
        """The person's language, asking Slack when it is not known yet, but for `within` seconds at most (the
        lookup goes on and is cached for the next answer); the configured language when Slack does not say."""
        if self.gateway.people.known_language(user) is None:
            lookup = asyncio.ensure_future(self.gateway.people.profile(user))
            self._lookups.add(lookup)  # asyncio keeps only weak references to a task it may outlive here
            lookup.add_done_callback(self._looked_up)
            await asyncio.wait({lookup}, timeout=within)
        return self.translator_for(user)

    def _looked_up(self, lookup: asyncio.Future[Any]) -> None:
        self._lookups.discard(lookup)
        if not lookup.cancelled() and lookup.exception() is not None:
            log.warning("could not ask Slack for a person's language: %s", type(lookup.exception()).__name__)

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
        origin = c.Origin(asker.user, PLATFORM, asker.channel, language, request_id, names, profile.timezone, emails,
                          card=asker.card)
        return origin, t

    async def answer(self, reply: Reply, asker: Asker, t: Translator, client: AsyncWebClient) -> None:
        try:
            await Delivery(client, self.gateway.people, t).deliver(with_room(reply, t), asker)
        except Exception:
            # The command ran and its effect is stored (the request log says so): only this answer is missing.
            log.exception("the answer to a Slack request could not be delivered")


    async def post_together(self, answers: list[Answer], client: AsyncWebClient) -> bool:
        """The answers of one conversation as one message (see `together`); False if Slack did not take it."""
        _, asker, t, _ = answers[0]
        text = "\n".join(reply.text for reply, *_ in answers)
        try:
            return await Delivery(client, self.gateway.people, t).post_in_channel(Reply(text=text), asker.channel)
        except Exception:
            log.exception("answers to %d Slack requests could not be delivered together", len(answers))
            return False


Answer = tuple[Reply, Asker, Translator, AsyncWebClient | None]


def together(answers: list[Answer]) -> list[list[Answer]]:
    """Answers grouped into messages: typed commands answered in public, in one conversation, in one language, go
    together (in order) up to `TOGETHER_LINES` lines; everything else goes alone.

    A burst of commands into one conversation would otherwise post one message each, and Slack allows a channel
    about one message per second: the answers of one batch go as one message, as news lines do. A single request
    (the batch of a quiet moment) is answered exactly as before.
    """
    groups: list[list[Answer]] = []
    open_groups: dict[tuple[str, str, int], list[Answer]] = {}
    for answer in answers:
        reply, asker, t, client = answer
        if not _joinable(reply, asker):
            groups.append([answer])
            continue
        key = (asker.channel, t.language, id(client))
        group = open_groups.get(key)
        lines = sum(a[0].text.count("\n") + 1 for a in group) if group else 0
        if group is None or lines + reply.text.count("\n") + 1 > TOGETHER_LINES or \
                sum(len(a[0].text) for a in group) + len(reply.text) > TOGETHER_CHARACTERS:
            group = open_groups[key] = []
            groups.append(group)
        group.append(answer)
    return groups


def _joinable(reply: Reply, asker: Asker) -> bool:
    # A click's answer may replace the clicked message, a card or a file is a message of its own, a private answer
    # goes to one person: only plain public text from a typed command joins others.
    return bool(reply.text) and not (reply.private or reply.cards or reply.file or reply.room or asker.click)


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
