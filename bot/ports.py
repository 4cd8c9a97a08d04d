"""The narrow interfaces the core needs from the outside world."""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from types import TracebackType
from typing import Protocol

from bot.answers import Frontline
from bot.commands import Command, Origin
from bot.identities import Account
from bot.model import Conversation, Incident
from bot.replies import Card, Reply, Room
from bot.signals.ports import SignalStore
from bot.templates import Template


class Clock(Protocol):
    def now(self) -> datetime: ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class IncidentRepository(Protocol):
    def get(self, key: str) -> Incident | None: ...

    def get_whole(self, key: str) -> Incident | None:
        """The incident with its whole timeline; `get` may leave out the history recorded before (`earlier_events`)."""

    def get_many(self, keys: Sequence[str]) -> Sequence[Incident]:
        """The incidents with these keys (unknown keys are left out), loaded together for a batch of work."""

    def by_conversation(self, conversation: Conversation) -> Incident | None:
        """The most recently opened incident living in that conversation."""

    def add(self, incident: Incident) -> None: ...

    def next_number(self) -> int: ...

    def list(self, include_resolved: bool = False) -> Sequence[Incident]:
        """Copies for reading (changes are not saved), possibly without their history."""

    def due_for_checkin(self, at: datetime) -> Sequence[str]:
        """Keys of active or monitored incidents whose next update is due at `at`."""

    def with_open_drafts(self) -> Sequence[str]:
        """Keys of unresolved incidents that have a draft waiting for review."""

    def reminder_keys(self, at: datetime) -> tuple[Sequence[str], Sequence[str]]:
        """`due_for_checkin(at)` and `with_open_drafts()` together: what a scheduler wake-up looks at."""


class RequestLog(Protocol):
    """Remembers the reply to each delivered request id so a retry gets the same answer and no second effect."""

    def reply_to(self, request_id: str) -> str | None: ...

    def remember(self, request_id: str, reply_text: str) -> None: ...


class CardRefs(Protocol):
    """Where a card was posted in a conversation, so it is updated in place rather than posted again."""

    def get(self, platform: str, conversation: str, card_id: str) -> str | None: ...

    def put(self, platform: str, conversation: str, card_id: str, message_ref: str) -> None: ...

    def in_conversations(self, conversations: Collection[tuple[str, str]]) -> dict[tuple[str, str, str], str]:
        """Every card posted in these (platform, conversation) places, by (platform, conversation, card id)."""
        ...


class PeopleDirectory(Protocol):
    """Display names of people, as the doors last saw them (ids are what the platforms give: U123, GUIDs), and
    which platform accounts are one person (`bot.identities`)."""

    def remember(self, names: Mapping[str, str]) -> None: ...

    def names(self, people: Collection[str]) -> dict[str, str]: ...

    def identify(self, platform: str, account: str, email: str | None, at: datetime, active: bool) -> str:
        """The person this account is: whoever has its e-mail address, else whom it was already; recorded, with
        when they were last `active` from it."""

    def by_email(self, email: str, at: datetime) -> str:
        """The person with this e-mail address; recorded by the address alone while nobody has it yet."""

    def accounts(self, people: Collection[str]) -> dict[str, list[Account]]:
        """Each person's platform accounts, for mentions and direct messages on each platform."""


@dataclass(frozen=True)
class AcceptedRequest:
    """A request a door acknowledged before running it. `reply_to` is the door's own note of where to answer."""

    request_id: str
    origin: Origin
    command: Command
    reply_to: str
    accepted_at: datetime
    # False: written down for whoever claims it first (`bot.backlog`), not for this process to run.
    held: bool = True


class Inbox(Protocol):
    """Requests written down before their acknowledgement, so a crash after the ack loses none of them.

    Each is held by one process (`claimant`) until its lease lapses: the process renews the lease while the
    request waits or runs, so what a dead process held is free again once its leases lapse.
    """

    def accept(self, requests: Sequence[AcceptedRequest], claimant: str, lease_until: datetime) -> list[bool]:
        """Records the requests, those `held` held by `claimant`, the others free to claim at once; False for each
        whose id was already accepted (a retry)."""

    def claim(
        self, platform: str, claimant: str, at: datetime, lease_until: datetime, limit: int, starting: bool = False
    ) -> Sequence[AcceptedRequest]:
        """Takes unfinished requests nobody holds at `at` (no lease, or a lapsed one), oldest first.

        `starting`: the claimant has just started. Where one process per database is assumed (SQLite), it then
        takes every unfinished request it does not hold: their holder is gone, whatever its leases say.
        """

    def renew(self, request_ids: Collection[str], claimant: str, lease_until: datetime) -> None:
        """Extends the leases `claimant` still holds on these requests."""

    def unfinished(self, platform: str, accepted_before: datetime, limit: int = 100) -> Sequence[AcceptedRequest]:
        """Accepted before that moment and never answered: no reply in the request log, not given up."""

    def finish(self, request_id: str, at: datetime) -> None:
        """Done with it: answered, or given up (it was run again and still failed), so no one runs it again."""


class TemplateLibrary(Protocol):
    """Holding statements, by name."""

    def get(self, name: str) -> Template | None: ...

    def all(self) -> Sequence[Template]:
        """Every template, retired ones included, by name."""

    def add(self, template: Template) -> None: ...


class FrontlineBoard(Protocol):
    """The answers and moderation line of each incident (by its number); an empty one for an incident with none."""

    def get(self, incident: int) -> Frontline: ...


class UnitOfWork(Protocol):
    incidents: IncidentRepository
    requests: RequestLog
    cards: CardRefs
    inbox: Inbox
    people: PeopleDirectory
    signals: SignalStore
    templates: TemplateLibrary
    frontline: FrontlineBoard

    def __enter__(self) -> UnitOfWork: ...

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None: ...

    def commit(self) -> None:
        """Saves every incident touched; raises ConcurrentChange if one was saved by someone else meanwhile."""

    def rollback(self) -> None: ...


class ChatGateway(Protocol):
    """One chat platform, as the core needs it: post, update in place, message a person, open a room."""

    platform: str

    async def post(self, conversation: str, reply: Reply) -> str | None:
        """Posts in a conversation; returns a reference to the message, to update it later."""

    async def update(self, conversation: str, message_ref: str, card: Card) -> None: ...

    async def notify(self, person: str, reply: Reply) -> None:
        """A direct message to one person."""

    async def open_room(self, incident: Incident, members: Sequence[str]) -> Room | None:
        """A dedicated conversation for the incident (or why none could be opened), or None where the platform
        keeps it where it was opened."""


@dataclass(frozen=True)
class Outgoing:
    """One message to deliver, posted in a conversation or sent to a person (`direct`).

    `id` is unique and derived from the reminder's place on the timeline, so a message is stored once.
    """

    id: str
    platform: str
    target: str
    direct: bool
    reply: Reply
    # When the reminder was recorded: the outbox is delivered oldest first.
    created_at: datetime
    attempts: int = 0


class Outbox(Protocol):
    def add(self, message: Outgoing) -> None:
        """Stores a message in the current transaction."""

    def claim(self, platforms: Collection[str], at: datetime, lease: timedelta, limit: int) -> Sequence[Outgoing]:
        """Unsent messages for these platforms that nobody else holds, held until `at + lease`."""

    def claim_on_commit(
        self, platforms: Collection[str], at: datetime, lease: timedelta, limit: int
    ) -> Callable[[], Sequence[Outgoing] | None]:
        """Claims as `claim` does, with the commit of the current transaction, so its own messages are claimed too.

        The function returned gives the claimed messages once committed; None where this outbox cannot claim with a
        commit, and the caller claims on its own."""

    def mark_sent(self, message_ids: Sequence[str], at: datetime) -> None: ...

    def retry_later(self, message_id: str, retry_at: datetime | None, error: str) -> None:
        """Releases a failed message until `retry_at`; None gives it up for good."""


class ReminderUnitOfWork(UnitOfWork, Protocol):
    outbox: Outbox

    def __enter__(self) -> ReminderUnitOfWork: ...


class CommandMeter(Protocol):
    """Counts each command by type and outcome ("ok", "refused", "conflict", "error"): a counter, never I/O."""

    def command(self, name: str, outcome: str) -> None: ...
