"""The command bus: a command in, a reply out; then the cards and news reach every conversation of the incident.

`Dispatcher` is the synchronous heart (one transaction per command, retried on a concurrent change).
`CrisisService` is what doors call: it runs the dispatcher off the event loop and then broadcasts
(`bot.broadcast`: what each fact causes is planned in `bot.reactions`, cards are coalesced by `bot.refresher`).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from bot import commands as c
from bot import events as ev
from bot import (
    handlers_frontline,  # noqa: F401 - registers the handlers of templates, answers and the brief
    identities,
    joining,  # noqa: F401 - registers the handlers of `join` and `leave`
    telemetry,
)
from bot.brief import with_frontline
from bot.broadcast import Broadcaster
from bot.config import Settings
from bot.errors import ConcurrentChange, CrisisError
from bot.handlers import HANDLERS, Context, Outcome
from bot.i18n import Translator, translator
from bot.intake import LEASE, Intake, claimant_token
from bot.model import Conversation, Incident
from bot.plain_text import without_nul
from bot.ports import AcceptedRequest, ChatGateway, Clock, CommandMeter, SystemClock, UnitOfWork
from bot.reactions import Drawing
from bot.redraw import clicked_card
from bot.replies import Reply, Room
from bot.signals.delivery import deliver as deliver_alerts

log = logging.getLogger(__name__)


@dataclass
class Dispatcher:
    uow_factory: Callable[[], UnitOfWork]
    settings: Settings
    clock: Clock = SystemClock()  # noqa: RUF009 - stateless
    attempts: int = 3
    # Who holds the accepted requests this process runs, and for how long without renewing (see `Inbox`).
    claimant: str = field(default_factory=claimant_token)
    lease: timedelta = LEASE
    meter: CommandMeter = field(default_factory=telemetry.NoMeter)

    def translator(self, origin: c.Origin) -> Translator:
        return translator(origin.language or self.settings.language)

    def apology(self, command: c.Command, origin: c.Origin) -> Reply:
        """The answer to a command that failed unexpectedly (logged here, with its traceback)."""
        log.exception("command %s failed", type(command).__name__)
        self.meter.command(type(command).__name__, "error")
        t = self.translator(origin)
        return Reply(text=t("Something went wrong on our side; nothing was changed. Please try again."), private=True)

    def dispatch(self, command: c.Command, origin: c.Origin) -> Outcome:
        command, origin = without_nul(command), without_nul(origin)  # a refusal's request log row needs it too
        telemetry.about(command, origin)
        t = self.translator(origin)
        for attempt in range(self.attempts):
            try:
                # The request log is read only on a retry: a delivery already answered collides on the log's key when
                # the first attempt commits (it is written first), which undoes that attempt and brings us here.
                outcome = self._once(command, origin, t, look_up_reply=attempt > 0)
                self.meter.command(type(command).__name__, "refused" if outcome.refused else "ok")
                return outcome
            except ConcurrentChange:
                if attempt == self.attempts - 1:
                    self.meter.command(type(command).__name__, "conflict")
                    return Outcome(Reply(text=t(ConcurrentChange.message), private=True))
            except CrisisError as error:
                self.meter.command(type(command).__name__, "refused")
                return Outcome(Reply(text=error.text(t), private=True))
        raise AssertionError("unreachable")

    def _once(self, command: c.Command, origin: c.Origin, t: Translator, look_up_reply: bool = True) -> Outcome:
        with self.uow_factory() as uow:
            if origin.request_id and look_up_reply:
                seen = uow.requests.reply_to(origin.request_id)
                if seen is not None:
                    return Outcome(Reply(text=seen, private=True))
            try:
                outcome, origin = self.run_in(uow, command, origin, t)
            except ConcurrentChange:
                raise  # a lost race met while running (a key another process took first): retried, not an answer
            except CrisisError as error:
                # A refusal is an answer too: remembered, so a redelivery gets it again and the request is done.
                uow.rollback()
                outcome = Outcome(Reply(text=error.text(t), private=True), refused=True)
            outcome = self.settle(uow, outcome, origin)
            uow.commit()
            return outcome

    def run_in(self, uow: UnitOfWork, command: c.Command, origin: c.Origin, t: Translator) -> tuple[Outcome, c.Origin]:
        """A command's effect in `uow`, not committed, and the origin as the core recognised its people. Raises the
        command's refusal. Shared by `dispatch` and a door's batches (`bot.batch`), so both apply the same rules."""
        settings = self.settings.seen_from(origin.timezone)
        now = self.clock.now()
        command, origin, settings = identities.recognise(uow, command, origin, settings, now)
        context = Context(uow, origin, now, settings, t, self.settings)
        return with_frontline(HANDLERS[type(command)](command, context), context), origin

    def settle(
        self,
        uow: UnitOfWork,
        outcome: Outcome,
        origin: c.Origin,
        cards: dict[frozenset[tuple[str, str]], Mapping[tuple[str, str, str], str]] | None = None,
    ) -> Outcome:
        """Completes an outcome in the command's own transaction: the people and card references the broadcast
        needs (read once per set of places when a batch shares `cards`), the names the door told, and the request
        marked answered."""
        reply, people = identities.people_for(uow, outcome, origin)
        if outcome.incident is not None and outcome.events:
            places = frozenset((c.platform, c.id) for c in outcome.incident.places)
            refs = cards.get(places) if cards is not None else None
            if refs is None:
                refs = uow.cards.in_conversations(places)
                if cards is not None:
                    cards[places] = refs
            outcome = replace(outcome, reply=reply, people=people, origin=origin, card_refs=refs, places=places)
        else:
            outcome = replace(outcome, reply=reply, people=people, origin=origin)
        if origin.names:
            uow.people.remember(dict(origin.names))
        if origin.request_id:
            uow.requests.remember(origin.request_id, outcome.reply.text)
            uow.inbox.finish(origin.request_id, self.clock.now())  # answered: no sweep needs to look at it
        return outcome

    def accept(self, request: AcceptedRequest) -> bool:
        return self.accept_many([request])[0]

    def accept_many(self, requests: Sequence[AcceptedRequest]) -> list[bool]:
        with self.uow_factory() as uow:
            fresh = uow.inbox.accept(requests, self.claimant, self.clock.now() + self.lease)
            uow.commit()
            return fresh

    def claim(self, platform: str, limit: int, starting: bool = False) -> list[AcceptedRequest]:
        now = self.clock.now()
        with self.uow_factory() as uow:
            claimed = list(uow.inbox.claim(platform, self.claimant, now, now + self.lease, limit, starting))
            uow.commit()
            return claimed

    def renew(self, request_ids: Collection[str]) -> None:
        with self.uow_factory() as uow:
            uow.inbox.renew(request_ids, self.claimant, self.clock.now() + self.lease)
            uow.commit()

    def unfinished(self, platform: str, accepted_before: datetime) -> list[AcceptedRequest]:
        with self.uow_factory() as uow:
            return list(uow.inbox.unfinished(platform, accepted_before))

    def finish(self, request_ids: Collection[str]) -> None:
        with self.uow_factory() as uow:
            for request_id in request_ids:
                uow.inbox.finish(request_id, self.clock.now())
            uow.commit()

    def card_refs(self, wanted: Sequence[tuple[str, str, str]]) -> dict[tuple[str, str, str], str]:
        """Where each (platform, conversation, card id) was posted, for those posted already."""
        with self.uow_factory() as uow:
            found = {where: uow.cards.get(*where) for where in wanted}
        return {where: ref for where, ref in found.items() if ref is not None}

    def remember_cards(self, posted: Mapping[tuple[str, str, str], str]) -> None:
        with self.uow_factory() as uow:
            for (platform, conversation, card_id), ref in posted.items():
                uow.cards.put(platform, conversation, card_id, ref)
            uow.commit()

    def link(self, key: str, conversation: Conversation, actor: str) -> Incident | None:
        with self.uow_factory() as uow:
            incident = uow.incidents.get(key)
            if incident is None:
                return None
            incident.link(conversation, actor, self.clock.now())
            uow.commit()
            return incident


@dataclass
class CrisisService:
    dispatcher: Dispatcher
    gateways: Mapping[str, ChatGateway]
    intake: Intake = field(init=False)
    broadcaster: Broadcaster = field(init=False)

    def __post_init__(self) -> None:
        self.intake = Intake(self.dispatcher.accept_many)
        self.broadcaster = Broadcaster(self.dispatcher, self.gateways)

    @property
    def settings(self) -> Settings:
        return self.dispatcher.settings

    async def accept(self, command: c.Command, origin: c.Origin, reply_to: str, held: bool = True) -> bool:
        """Writes a request down before its door acknowledges it; False for a delivery already accepted.

        This process holds it (a lease) while the door runs it, unless not `held`: then it waits in the inbox for the
        first claim (`bot.backlog`). The core marks it finished as it answers. What a crash interrupts is claimed
        again (`bot.recovery`) and run again, harmlessly, since its request id is known.
        """
        return await self.accepting(command, origin, reply_to, held)

    def accepting(self, command: c.Command, origin: c.Origin, reply_to: str, held: bool = True) -> asyncio.Future[bool]:
        """`accept`'s answer to come, for a door that acknowledges meanwhile."""
        assert origin.request_id, "an accepted request needs its delivery id"
        request = AcceptedRequest(origin.request_id, origin, command, reply_to, self.dispatcher.clock.now(), held)
        return self.intake.accepting(request)

    async def run_accepted(self, request: AcceptedRequest) -> Reply:
        return await self.handle(request.command, request.origin)

    async def finish(self, *request_ids: str) -> None:
        await asyncio.to_thread(self.dispatcher.finish, request_ids)

    async def unfinished(self, platform: str, older_than: timedelta) -> list[AcceptedRequest]:
        before = self.dispatcher.clock.now() - older_than
        return await asyncio.to_thread(self.dispatcher.unfinished, platform, before)

    async def handle(self, command: c.Command, origin: c.Origin) -> Reply:
        """The one way in for every door: a command from someone somewhere, and all the door needs to answer."""
        telemetry.about(command, origin)
        try:
            outcome = await asyncio.to_thread(self.dispatcher.dispatch, command, origin)
        except Exception:
            return self.dispatcher.apology(command, origin)
        return await self.answer(outcome, origin)

    async def answer(self, outcome: Outcome, origin: c.Origin, with_cards: bool = True) -> Reply:
        """The reply, completed with where a crisis it opened now lives and the cards as the command left them
        (unless not `with_cards`: for a door that never shows them, they are not drawn).

        The room is opened before the broadcast, so the cards and news reach it too.
        """
        if outcome.refused and origin.card is not None:
            await self._put_back(origin)
        if outcome.alerts:
            await deliver_alerts(self.dispatcher, self.gateways, outcome.alerts)
        if outcome.deliveries or outcome.news:
            # Beyond the incident's conversations (`bot.brief`): only to the platforms this process reaches.
            reached = [d for d in outcome.deliveries if d.conversation.platform in self.gateways]
            told = [n for n in outcome.news if n.conversation.platform in self.gateways]
            await self.broadcaster.refresher.submit(told, reached)
        if outcome.incident is None or not outcome.events:
            return outcome.reply
        telemetry.about_incident(outcome.incident.key)
        room = None
        if any(isinstance(e, ev.IncidentOpened) for e in outcome.events):
            room, linked = await self._open_room(outcome.incident, origin)
            outcome = replace(outcome, incident=linked or outcome.incident)
        cards = await self.broadcast(outcome, origin)
        return replace(outcome.reply, refreshed=tuple(draw() for draw in cards) if with_cards else (), room=room)

    async def _put_back(self, origin: c.Origin) -> None:
        """The refused click's card as it is, where it was clicked (`bot.redraw`)."""
        try:
            card = await asyncio.to_thread(clicked_card, self.dispatcher, origin)
        except Exception:  # the refusal is the answer; the card's next change redraws it anyway
            log.exception("could not draw %s again after a refused click", origin.card)
            return
        if card is not None and origin.platform in self.gateways:
            await self.broadcaster.refresher.submit((), (card,))

    async def broadcast(self, outcome: Outcome, origin: c.Origin) -> list[Drawing]:
        """Carries out what the command's facts cause (`bot.reactions`); returns how to draw the refreshed cards."""
        return await self.broadcaster.broadcast(outcome, origin)

    async def drain(self) -> None:
        """Sends the card refreshes and news still waiting for their window: at shutdown, and in tests."""
        await self.broadcaster.drain()

    async def _open_room(self, incident: Incident, origin: c.Origin) -> tuple[Room | None, Incident | None]:
        """How opening the crisis's own room went, and the incident linked to it when one was opened."""
        gateway = self.gateways.get(origin.platform)
        if gateway is None:
            return None, None
        members = sorted({origin.person, *(a.holder for a in incident.assignments if a.ended_at is None)})
        try:
            room = await gateway.open_room(incident, members)
        except Exception:
            log.exception("could not open a room for %s", incident.key)
            return None, None
        if room is None or room.conversation is None:
            return room, None
        linked = await asyncio.to_thread(
            self.dispatcher.link, incident.key, Conversation(origin.platform, room.conversation), origin.person
        )
        return room, linked

