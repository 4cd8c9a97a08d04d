"""The send step after a command: the plan of `bot.reactions` carried out (the service opened any new room first).

Cards and news go through the refresher (coalesced per conversation and card); direct messages and stakeholder
posts are sent once. Failures are logged, never raised: the state is committed, and the next change (or the
refresher's retry) brings the cards up to date.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from bot import commands as c
from bot.handlers import Outcome
from bot.model import Incident
from bot.ports import ChatGateway
from bot.reactions import Drawing, Message, plan
from bot.refresher import Refresher, Timer, Where

if TYPE_CHECKING:  # the service imports this module
    from bot.service import Dispatcher

log = logging.getLogger(__name__)


def known_refs(outcome: Outcome, wanted: Sequence[Where]) -> tuple[dict[Where, str], list[Where]]:
    """The refs among `wanted` that the command read with its change, and those it did not read (to look up)."""
    known = {where: outcome.card_refs[where] for where in wanted if where in outcome.card_refs}
    missing = [where for where in wanted if where[:2] not in outcome.places]
    return known, missing


@dataclass
class Broadcaster:
    dispatcher: Dispatcher
    gateways: Mapping[str, ChatGateway]
    timer: Timer | None = None
    refresher: Refresher = field(init=False)
    read_with_commands: list[Outcome] = field(default_factory=list)

    def __post_init__(self) -> None:
        window = self.dispatcher.settings.card_refresh.total_seconds()
        self.refresher = Refresher(self.gateways, self._lookup, self._remember, window)
        if self.timer is not None:
            self.refresher.timer = self.timer

    async def broadcast(self, outcome: Outcome, origin: c.Origin) -> list[Drawing]:
        """Refreshes the incident's cards everywhere it lives and tells the other conversations the news.

        Returns how to draw the refreshed cards, as this command left them.
        """
        incident = outcome.incident
        assert incident is not None
        t = self.dispatcher.translator(origin)
        origin = outcome.origin or origin  # the speaker as the core knows them (`bot.identities`)
        settings = self.dispatcher.settings
        reactions = plan(incident, outcome.events, settings, origin, self.gateways.keys(), t, outcome.people)
        # While this submit sends, the card refs the command read answer the refresher's lookups.
        self.read_with_commands.append(outcome)
        try:
            await self.refresher.submit(reactions.news, reactions.deliveries)
        finally:
            # By identity: outcomes compare by value, deeply.
            self.read_with_commands = [o for o in self.read_with_commands if o is not outcome]
        await self._send(incident, reactions.messages)
        return list(reactions.cards)

    async def drain(self) -> None:
        await self.refresher.drain()

    async def _send(self, incident: Incident, messages: Sequence[Message]) -> None:
        for message in messages:
            gateway = self.gateways.get(message.platform)
            if gateway is None:
                continue
            try:
                if message.channel:
                    await gateway.post(message.target, message.reply)
                else:
                    await gateway.notify(message.target, message.reply)
            except Exception:
                log.exception("could not send %s news of %s to %s", message.platform, incident.key, message.target)

    async def _lookup(self, wanted: Sequence[Where]) -> Mapping[Where, str]:
        found, missing = {}, list(wanted)
        for outcome in reversed(self.read_with_commands):  # the latest read first
            known, missing = known_refs(outcome, missing)
            found.update(known)
        if missing:
            # Off the event loop: the loop serves acknowledgements while the database answers.
            found.update(await asyncio.to_thread(self.dispatcher.card_refs, missing))
        return found

    async def _remember(self, posted: Mapping[Where, str]) -> None:
        await asyncio.to_thread(self.dispatcher.remember_cards, posted)
