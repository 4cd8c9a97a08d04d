"""Records due reminders on incidents and hands their messages to an outbox, then delivers the outbox.

Exactly once, across crashes and replicas: a reminder and its messages are saved in the same transaction
as the incident, whose version check lets only one process record it; each message is then claimed (by the
scheduler's wake-up, in that same transaction), handed to its gateway and marked sent. A process that dies between
claiming and marking leaves the message to be retried when its claim lapses.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from bot import checkins, identities, notify, views
from bot import reminder_replies as replies
from bot.config import Settings
from bot.drafts import DraftState
from bot.errors import ConcurrentChange
from bot.i18n import translator
from bot.model import Incident, Status
from bot.ports import ChatGateway, Outbox, Outgoing, ReminderUnitOfWork
from bot.replies import Reply
from bot.signals.crisis import calm_hint, with_volume
from bot.signals.ports import SignalStore

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Claim:
    """What a courier takes from the outbox: unsent messages for its platforms, held for `lease`, `limit` at most."""

    platforms: tuple[str, ...]
    lease: timedelta
    limit: int


@dataclass
class WakeResult:
    checkins: int = 0
    approvals: int = 0
    deferred: int = 0
    # The messages a wake-up asked with a `Claim` took for its courier, in its last transaction; None when it could
    # not (a batch collided, or the outbox claims only on its own), and the courier claims them itself.
    claimed: Sequence[Outgoing] | None = None


@dataclass
class Reminders:
    """The core's answer to a wake-up: what came due is recorded once, with the messages to send."""

    uow_factory: Callable[[], ReminderUnitOfWork]
    settings: Settings
    # How many incidents share one transaction; a conflict replays that batch one incident at a time.
    batch: int = 100
    # Per incident with open drafts, a moment before which none of its approvals can come due: a hint that
    # spares loading it at every wake-up. Only ever too early, never too late, so the database stays the truth.
    approval_hints: dict[str, datetime] = field(default_factory=dict, repr=False)

    def wake(self, at: datetime, claim: Claim | None = None) -> WakeResult:
        """Records what is due at `at`; with a `claim`, also takes what the courier is to send in the same (last)
        transaction, so a wake-up is one transaction, not two."""
        result = WakeResult()
        # The key lists and the first batch share a transaction: a wake-up with up to `batch` incidents to visit is
        # one read, one load, one save.
        with self.uow_factory() as uow:
            due, waiting = uow.incidents.reminder_keys(at)
            self.approval_hints = {k: self.approval_hints[k] for k in waiting if k in self.approval_hints}
            drafts_due = [k for k in waiting if k not in self.approval_hints or self.approval_hints[k] <= at]
            keys = list(dict.fromkeys([*due, *drafts_due]))
            chunks = [keys[start : start + self.batch] for start in range(0, len(keys), self.batch)]
            if not chunks:
                if claim is not None and claim.platforms:
                    result.claimed = uow.outbox.claim(claim.platforms, at, claim.lease, claim.limit)
                    uow.commit()
                return result
            try:
                result = self._visit_in(uow, chunks[0], at, result, claim if len(chunks) == 1 else None)
                collided = False
            except ConcurrentChange:
                collided = True
        if collided:
            result = self._replay(chunks[0], at, result)
        for index in range(1, len(chunks)):
            last = index == len(chunks) - 1
            try:
                result = self._visit(chunks[index], at, result, claim if last else None)
            except ConcurrentChange:
                result = self._replay(chunks[index], at, result)
        return result

    def _replay(self, chunk: list[str], at: datetime, result: WakeResult) -> WakeResult:
        log.debug("batch of %d collided; replaying one by one", len(chunk))
        # Someone (a command, another replica) saved one of them meanwhile: what remains due is decided again on
        # fresh data, so a reminder already recorded elsewhere is not repeated.
        for key in chunk:
            try:
                result = self._visit([key], at, result)
            except ConcurrentChange:
                log.info("%s changed while reminding; the next wake-up looks again", key)
        return result

    def _visit(self, keys: list[str], at: datetime, result: WakeResult, claim: Claim | None = None) -> WakeResult:
        with self.uow_factory() as uow:
            return self._visit_in(uow, keys, at, result, claim)

    def _visit_in(
        self, uow: ReminderUnitOfWork, keys: list[str], at: datetime, result: WakeResult, claim: Claim | None = None
    ) -> WakeResult:
        found = WakeResult(result.checkins, result.approvals, result.deferred)
        hints = {}
        # Only where the weak-signal watch runs does a reminder look at signals (a statement per incident).
        watching = bool(self.settings.watch.topics or self.settings.watch.channel)
        incidents = list(uow.incidents.get_many(keys))
        # Each message written for its platform, each person reached where they were last active: the people of
        # the whole batch are read at once.
        people = identities.people_of_all(uow, incidents)
        for incident in incidents:
            if watching:
                with_volume(incident, uow.signals, at)
            self._remind(incident, at, identities.addressed(uow.outbox, people, incident), found,
                         uow.signals if watching else None)
            hints[incident.key] = checkins.approvals_not_before(incident, at, self.settings)
        claimed = uow.outbox.claim_on_commit(claim.platforms, at, claim.lease, claim.limit) if claim else None
        uow.commit()
        if claimed is not None:
            found.claimed = claimed()
        # Only what was committed may inform a hint: a rolled-back reminder must be found due again.
        self.approval_hints.update(hints)
        return found

    def _remind(
        self, incident: Incident, at: datetime, outbox: Outbox, result: WakeResult, signals: SignalStore | None = None
    ) -> None:
        opening = checkins.checkin_is_deferred(incident, at, self.settings)
        if opening is not None:
            incident.defer_checkin(opening)
            result.deferred += 1
        elif checkins.checkin_is_due(incident, at, self.settings):
            self._checkin(incident, at, outbox, signals)
            result.checkins += 1
        for due in checkins.approvals_due(incident, at, self.settings):
            self._approval(incident, due, at, outbox)
            result.approvals += 1

    def _checkin(self, incident: Incident, at: datetime, outbox: Outbox, signals: SignalStore | None = None) -> None:
        t = translator(self.settings.language)
        fact = incident.record_checkin_reminder(at, self.settings)
        people = checkins.checkin_mentions(incident, self.settings, fact.escalated)
        reply = replies.checkin_reminder(incident, fact, people, at, t, self.settings.timezone)
        hint = calm_hint(signals, incident, at, self.settings.watch.calm_after, t) if signals is not None else ""
        if hint and incident.status is Status.ACTIVE:
            reply = dataclasses.replace(reply, text=f"{reply.text}\n{hint}")
        for message in _to_conversations(incident, "checkin", reply, at):
            outbox.add(message)
        platform = incident.conversations[0].platform if incident.conversations else None
        if platform is not None:
            tag = f"{incident.key}#{incident.events_recorded}"
            for notice in notify.plan(incident, [fact], self.settings, platform, t):
                message_id = f"{tag}:notify:{platform}:{notice.target}"
                outbox.add(Outgoing(message_id, platform, notice.target, not notice.channel, notice.reply, at))

    def _approval(self, incident: Incident, due: checkins.ApprovalDue, at: datetime, outbox: Outbox) -> None:
        t = translator(self.settings.language)
        lead = incident.holder("lead") or incident.reporter
        unheld = [r for r in due.roles if incident.holder(r) is None]
        # The author cannot approve their own words (four-eyes): reminding them would only be noise.
        author = due.draft.author
        asked = tuple(p for p in due.people if p != author)
        stuck = [r for r in due.roles if incident.holder(r) == author]
        people = asked + ((lead,) if unheld else ())
        incident.record_approval_reminder(due.draft, due.roles, people, due.escalated, at)
        tag = f"{incident.key}#{incident.events_recorded}"
        platform = incident.conversations[0].platform if incident.conversations else None
        if stuck:
            could = tuple(dict.fromkeys(p for r in stuck for p in checkins.backups_for(r, author, self.settings)))
            reply = replies.approval_needs_another(incident, due, stuck, could, t)
            for message in _to_conversations(incident, "author", reply, at):
                outbox.add(message)
        if platform is not None:
            for person in asked:
                reply = replies.approval_reminder(incident, due, person, t)
                outbox.add(Outgoing(f"{tag}:dm:{platform}:{person}", platform, person, True, reply, at))
            if unheld:
                reply = replies.approval_unassigned(incident, due, lead, t)
                outbox.add(Outgoing(f"{tag}:unheld:{platform}:{lead}", platform, lead, True, reply, at))
        if due.escalated:
            for message in _to_conversations(incident, "held", replies.approval_held(incident, due, t), at):
                outbox.add(message)


def _to_conversations(incident: Incident, kind: str, reply: Reply, at: datetime) -> list[Outgoing]:
    tag = f"{incident.key}#{incident.events_recorded}"
    return [
        Outgoing(f"{tag}:{kind}:{c.platform}:{c.id}", c.platform, c.id, False, reply, at) for c in incident.places
    ]


def newest_only(messages: Sequence[Outgoing]) -> tuple[list[Outgoing], list[Outgoing]]:
    """The messages to send, and the check-in reminders a newer one to the same place replaces.

    A reminder left unsent while no courier ran (a crash, hours of downtime, no process with its platform) would
    otherwise arrive beside the current one, with a silence hours out of date: the newest alone says it right.
    """
    newest: dict[tuple[str, str, bool, str], Outgoing] = {}
    for message in messages:
        topic = _checkin_topic(message)
        if topic is not None and (topic not in newest or newest[topic].created_at <= message.created_at):
            newest[topic] = message
    keep = {id(m) for m in newest.values()}
    sending = [m for m in messages if _checkin_topic(m) is None or id(m) in keep]
    return sending, [m for m in messages if _checkin_topic(m) is not None and id(m) not in keep]


# The outbox kinds of the approval reminders (`Reminders._approval`), read from a message's id.
APPROVAL_KINDS = frozenset({"dm", "unheld", "author", "held"})


def _approval_kind(message: Outgoing) -> bool:
    parts = message.id.split(":", 2)
    return len(parts) > 1 and parts[1] in APPROVAL_KINDS


def _checkin_topic(message: Outgoing) -> tuple[str, str, bool, str] | None:
    card = next((c.id for c in message.reply.cards if c.id.startswith("checkin:")), None)
    return (message.platform, message.target, message.direct, card) if card is not None else None


def retry_delay(attempts: int) -> timedelta:
    return timedelta(seconds=min(2**attempts, 300))


@dataclass
class Courier:
    """Delivers the outbox through the gateways this process has; other platforms' messages wait for theirs."""

    uow_factory: Callable[[], ReminderUnitOfWork]
    gateways: Mapping[str, ChatGateway]
    lease: timedelta = timedelta(minutes=2)
    limit: int = 200
    concurrency: int = 10
    # A reminder still failing after this many tries is stale news; it is dropped and logged.
    max_attempts: int = 8

    def terms(self) -> Claim:
        """What this courier claims, for a wake-up to take with its own transaction."""
        return Claim(tuple(self.gateways), self.lease, self.limit)

    def claim(self, at: datetime) -> Sequence[Outgoing]:
        with self.uow_factory() as uow:
            claimed = uow.outbox.claim(list(self.gateways), at, self.lease, self.limit)
            uow.commit()
        return claimed

    def settle(
        self, outcomes: Sequence[tuple[Outgoing, str | None]], at: datetime, dropped: Sequence[Outgoing] = ()
    ) -> None:
        """Records a round: sent, failed (retried later or given up), and `dropped` (done with, never sent)."""
        with self.uow_factory() as uow:
            sent = [message.id for message, error in outcomes if error is None]
            uow.outbox.mark_sent([*sent, *(message.id for message in dropped)], at)
            for message, error in outcomes:
                if error is not None:
                    attempts = message.attempts + 1
                    retry_at = at + retry_delay(attempts) if attempts < self.max_attempts else None
                    uow.outbox.retry_later(message.id, retry_at, error)
            uow.commit()

    async def deliver(self, now: Callable[[], datetime], claimed: Sequence[Outgoing] | None = None) -> int:
        """Sends what is claimable now, or what a wake-up `claimed` already for this courier (see `terms`); returns
        how many messages reached their gateway.

        The round is settled in one transaction once every send returned: a crash in between (usually well
        under a second) leaves those messages to be sent again when their claim lapses.
        """
        if claimed is None:
            claimed = await asyncio.to_thread(self.claim, now())
        if not claimed:
            return 0
        sending, superseded = newest_only(claimed)
        for message in superseded:
            log.info("%s not sent: a newer check-in reminder of %s goes instead", message.id, message.reply.incident)
        if any(_approval_kind(m) for m in sending):
            answered = await asyncio.to_thread(self.no_longer_waiting, sending)
            for message in answered:
                log.info("%s not sent: the draft of %s no longer waits for approval", message.id, message.reply.incident)
            superseded += answered
            dropped = {m.id for m in answered}
            sending = [m for m in sending if m.id not in dropped]
        gate = asyncio.Semaphore(self.concurrency)

        async def one(message: Outgoing) -> tuple[Outgoing, str | None]:
            async with gate:
                return message, await self._send(message)

        outcomes = await asyncio.gather(*(one(m) for m in sending))
        # A superseded message is done with, never to be retried, and was not delivered.
        await asyncio.to_thread(self.settle, outcomes, now(), superseded)
        return sum(error is None for _, error in outcomes)

    def no_longer_waiting(self, messages: Sequence[Outgoing]) -> list[Outgoing]:
        """The approval reminders among `messages` whose draft no longer waits (approved, published, closed while no
        courier ran): asking for an approval already given would only mislead."""
        about = [m for m in messages if _approval_kind(m) and m.reply.incident]
        with self.uow_factory() as uow:
            incidents = {i.key: i for i in uow.incidents.get_many(sorted({m.reply.incident or "" for m in about}))}
        stale: list[Outgoing] = []
        for message in about:
            incident = incidents.get(message.reply.incident or "")
            if incident is None:
                continue
            # A direct reminder shows its draft's card; the others are about whichever drafts wait.
            numbers = {named[1] for c in message.reply.cards if (named := views.card_named(c.id)) and named[1]}
            waiting = {d.number for d in incident.drafts if d.state is DraftState.PENDING}
            if not (waiting & numbers if numbers else waiting):
                stale.append(message)
        return stale

    async def _send(self, message: Outgoing) -> str | None:
        gateway = self.gateways[message.platform]
        try:
            if message.direct:
                await gateway.notify(message.target, message.reply)
            else:
                await gateway.post(message.target, message.reply)
        except Exception as error:  # a gateway failure must never stop the other messages
            log.warning("could not deliver %s (attempt %d): %r", message.id, message.attempts + 1, error)
            return f"{type(error).__name__}: {error}"[:500]
        return None
