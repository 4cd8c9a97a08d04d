"""In-memory fakes of the core's ports. Tests assert on their state, not on calls."""

from __future__ import annotations

import asyncio
import copy
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from types import TracebackType
from typing import TYPE_CHECKING, TypeVar

from bot.answers import Frontline
from bot.errors import ConcurrentChange
from bot.identities import Account
from bot.model import Conversation, Incident, Status
from bot.ports import (
    AcceptedRequest,
    CardRefs,
    ChatGateway,
    Clock,
    FrontlineBoard,
    Inbox,
    IncidentRepository,
    Outbox,
    Outgoing,
    PeopleDirectory,
    ReminderUnitOfWork,
    RequestLog,
    TemplateLibrary,
)
from bot.replies import Card, Reply, Room
from bot.signals.ports import SignalStore
from bot.templates import Template
from tests.signals.fakes import FakeSignals, SignalState

T0 = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)  # a Monday, 10:00 UTC


class FakeClock:
    def __init__(self, at: datetime = T0) -> None:
        self.at = at

    def now(self) -> datetime:
        return self.at

    def advance(self, **kwargs: float) -> None:
        self.at += timedelta(**kwargs)


@dataclass
class Store:
    """What a database would hold: committed incidents by key, replies by request id, card refs."""

    incidents: dict[str, Incident] = field(default_factory=dict)
    requests: dict[str, str] = field(default_factory=dict)
    cards: dict[tuple[str, str, str], str] = field(default_factory=dict)
    outbox: dict[str, OutboxRow] = field(default_factory=dict)
    inbox: dict[str, AcceptedRequest] = field(default_factory=dict)
    finished: dict[str, datetime] = field(default_factory=dict)
    leases: dict[str, tuple[str, datetime]] = field(default_factory=dict)
    people: dict[str, str] = field(default_factory=dict)
    signals: SignalState = field(default_factory=SignalState)
    # (platform, account) -> (person, e-mail, first seen, last active): the directory of `bot.identities`.
    accounts: dict[tuple[str, str], tuple[str, str | None, datetime, datetime | None]] = field(default_factory=dict)
    templates: dict[str, Template] = field(default_factory=dict)
    frontline: dict[int, Frontline] = field(default_factory=dict)

    def unsent(self) -> list[Outgoing]:
        return [r.message for r in self.outbox.values() if r.sent_at is None and not r.given_up]


class FakeIncidents:
    def __init__(self, store: Store) -> None:
        self.store = store
        self.seen: dict[str, Incident] = {}

    def _load(self, incident: Incident) -> Incident:
        loaded = self.seen.setdefault(incident.key, copy.deepcopy(incident))
        return loaded

    def get(self, key: str) -> Incident | None:
        found = self.store.incidents.get(key)
        return self._load(found) if found else None

    def get_whole(self, key: str) -> Incident | None:
        return self.get(key)

    def get_many(self, keys: Sequence[str]) -> Sequence[Incident]:
        return [found for found in (self.get(key) for key in keys) if found is not None]

    def by_conversation(self, conversation: Conversation) -> Incident | None:
        here = [i for i in self.store.incidents.values() if conversation in i.places]
        return self._load(max(here, key=lambda i: i.number)) if here else None

    def add(self, incident: Incident) -> None:
        self.seen[incident.key] = incident

    def next_number(self) -> int:
        numbers = [i.number for i in self.store.incidents.values()] + [i.number for i in self.seen.values()]
        return max(numbers, default=0) + 1

    def list(self, include_resolved: bool = False) -> Sequence[Incident]:
        return [
            copy.deepcopy(i)
            for i in sorted(self.store.incidents.values(), key=lambda i: i.number)
            if include_resolved or i.status is not Status.RESOLVED
        ]

    def due_for_checkin(self, at: datetime) -> Sequence[str]:
        return [
            i.key
            for i in self.store.incidents.values()
            if i.status is not Status.RESOLVED and i.next_update_due is not None and i.next_update_due <= at
        ]

    def with_open_drafts(self) -> Sequence[str]:
        return [
            i.key
            for i in self.store.incidents.values()
            if i.status is not Status.RESOLVED and any(d.is_open for d in i.drafts)
        ]

    def reminder_keys(self, at: datetime) -> tuple[Sequence[str], Sequence[str]]:
        return self.due_for_checkin(at), self.with_open_drafts()


class FakeRequests:
    def __init__(self) -> None:
        self.pending: dict[str, str] = {}
        self.added: set[str] = set()

    def reply_to(self, request_id: str) -> str | None:
        return self.pending.get(request_id)

    def remember(self, request_id: str, reply_text: str) -> None:
        self.pending[request_id] = reply_text
        self.added.add(request_id)


class FakeCards:
    def __init__(self, store: Store) -> None:
        self.store = store

    def get(self, platform: str, conversation: str, card_id: str) -> str | None:
        return self.store.cards.get((platform, conversation, card_id))

    def put(self, platform: str, conversation: str, card_id: str, message_ref: str) -> None:
        self.store.cards[(platform, conversation, card_id)] = message_ref

    def in_conversations(self, conversations: Collection[tuple[str, str]]) -> dict[tuple[str, str, str], str]:
        return {where: ref for where, ref in self.store.cards.items() if where[:2] in conversations}


class FakeTimer:
    """The refresher's timer, moved by the test: sleepers wake only when `advance` passes their deadline."""

    def __init__(self) -> None:
        self.at = 0.0
        self.sleepers: list[tuple[float, asyncio.Future[None]]] = []

    def now(self) -> float:
        return self.at

    async def sleep(self, seconds: float) -> None:
        woken: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self.sleepers.append((self.at + seconds, woken))
        await woken

    async def advance(self, seconds: float) -> None:
        """Moves time on in small steps, letting every task woken at each step run before the next."""
        end = self.at + seconds
        while True:
            for _ in range(20):  # tasks just started register their sleep first; a send is a few awaits deep
                await asyncio.sleep(0)
            due = [(at, f) for at, f in self.sleepers if at <= end and not f.done()]
            self.at = min([at for at, _ in due], default=end)
            for at, woken in due:
                if at <= self.at:
                    woken.set_result(None)
            self.sleepers = [(at, f) for at, f in self.sleepers if not f.done()]
            if not due:
                return


@dataclass
class OutboxRow:
    message: Outgoing
    due_at: datetime | None = None
    claimed_until: datetime | None = None
    sent_at: datetime | None = None
    given_up: bool = False
    last_error: str = ""


class FakeOutbox:
    """Same claim rules as the SQL outbox: unsent, for a platform asked for, not held by anyone, not backing off."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.added: list[Outgoing] = []

    def add(self, message: Outgoing) -> None:
        self.added.append(message)

    def claim(self, platforms: Collection[str], at: datetime, lease: timedelta, limit: int) -> Sequence[Outgoing]:
        claimed: list[Outgoing] = []
        for row in self.store.outbox.values():
            if len(claimed) == limit:
                break
            free = row.claimed_until is None or row.claimed_until <= at
            ready = row.due_at is None or row.due_at <= at
            if row.message.platform in platforms and row.sent_at is None and not row.given_up and free and ready:
                row.claimed_until = at + lease
                claimed.append(row.message)
        return claimed

    def claim_on_commit(
        self, platforms: Collection[str], at: datetime, lease: timedelta, limit: int
    ) -> Callable[[], Sequence[Outgoing] | None]:
        # Asked for only once the unit of work committed, when the store holds what it added.
        return lambda: self.claim(platforms, at, lease, limit)

    def mark_sent(self, message_ids: Sequence[str], at: datetime) -> None:
        for message_id in message_ids:
            self.store.outbox[message_id].sent_at = at

    def retry_later(self, message_id: str, retry_at: datetime | None, error: str) -> None:
        row = self.store.outbox[message_id]
        row.message = replace(row.message, attempts=row.message.attempts + 1)
        row.claimed_until, row.due_at, row.last_error = None, retry_at, error
        row.given_up = retry_at is None


class FakeInbox:
    """One store, as one SQLite file: a claimant starting takes every unfinished request it does not hold."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.added: dict[str, AcceptedRequest] = {}
        self.finished: dict[str, datetime] = {}
        self.leases: dict[str, tuple[str, datetime]] = {}

    def accept(self, requests: Sequence[AcceptedRequest], claimant: str, lease_until: datetime) -> list[bool]:
        fresh = []
        for request in requests:
            new = request.request_id not in self.store.inbox and request.request_id not in self.added
            fresh.append(new)
            if new:
                self.added[request.request_id] = request
                if request.held:
                    self.leases[request.request_id] = (claimant, lease_until)
        return fresh

    def claim(
        self, platform: str, claimant: str, at: datetime, lease_until: datetime, limit: int, starting: bool = False
    ) -> Sequence[AcceptedRequest]:
        def free(request_id: str) -> bool:
            holder, until = self.store.leases.get(request_id, (None, None))
            return holder is None or until is None or until <= at or (starting and holder != claimant)

        waiting = [r for r in self._open(platform) if free(r.request_id)]
        taken = sorted(waiting, key=lambda r: (r.accepted_at, r.request_id))[:limit]
        self.leases.update({r.request_id: (claimant, lease_until) for r in taken})
        return taken

    def renew(self, request_ids: Collection[str], claimant: str, lease_until: datetime) -> None:
        for request_id in request_ids:
            holder = self.store.leases.get(request_id, (None, None))[0]
            if holder == claimant and request_id not in self.store.finished:
                self.leases[request_id] = (claimant, lease_until)

    def unfinished(self, platform: str, accepted_before: datetime, limit: int = 100) -> Sequence[AcceptedRequest]:
        waiting = [r for r in self._open(platform) if r.accepted_at <= accepted_before]
        return sorted(waiting, key=lambda r: r.accepted_at)[:limit]

    def _open(self, platform: str) -> list[AcceptedRequest]:
        return [
            r for r in self.store.inbox.values()
            if r.origin.platform == platform
            and r.request_id not in self.store.finished and r.request_id not in self.store.requests
        ]

    def finish(self, request_id: str, at: datetime) -> None:
        self.finished[request_id] = at


class FakePeople:
    def __init__(self, store: Store) -> None:
        self.store = store
        self.pending: dict[str, str] = {}

    def remember(self, names: Mapping[str, str]) -> None:
        self.pending.update({person: name for person, name in names.items() if name and name != person})

    def names(self, people: Collection[str]) -> dict[str, str]:
        known = {**self.store.people, **self.pending}
        return {person: known[person] for person in people if person in known}

    def _owner(self, email: str) -> str | None:
        having = sorted((first, key, person) for key, (person, mail, first, _) in self.store.accounts.items()
                        if mail == email)
        return having[0][2] if having else None

    def identify(self, platform: str, account: str, email: str | None, at: datetime, active: bool) -> str:
        email = email.lower() if email else None
        row = self.store.accounts.get((platform, account))
        person = (self._owner(email) if email else None) or (row[0] if row else account)
        seen = at if active else (row[3] if row else None)
        self.store.accounts[(platform, account)] = (person, email or (row[1] if row else None), row[2] if row else at, seen)
        return person

    def by_email(self, email: str, at: datetime) -> str:
        email = email.lower()
        owner = self._owner(email)
        if owner is None:
            self.store.accounts[("email", email)] = (email, email, at, None)
        return owner or email

    def accounts(self, people: Collection[str]) -> dict[str, list[Account]]:
        found: dict[str, list[Account]] = {}
        for (platform, account), (person, _, _, seen) in self.store.accounts.items():
            if person in people:
                found.setdefault(person, [])
                if platform != "email":
                    found[person].append(Account(platform, account, seen))
        return found


class FakeTemplates:
    def __init__(self, store: Store) -> None:
        self.store = store
        self.seen: dict[str, Template] = {}

    def get(self, name: str) -> Template | None:
        if name not in self.seen and name in self.store.templates:
            self.seen[name] = copy.deepcopy(self.store.templates[name])
        return self.seen.get(name)

    def all(self) -> list[Template]:
        return [found for name in sorted(self.store.templates | self.seen) if (found := self.get(name)) is not None]

    def add(self, template: Template) -> None:
        self.seen[template.name] = template


class FakeFrontline:
    def __init__(self, store: Store) -> None:
        self.store = store
        self.seen: dict[int, Frontline] = {}

    def get(self, incident: int) -> Frontline:
        if incident not in self.seen:
            stored = self.store.frontline.get(incident)
            self.seen[incident] = copy.deepcopy(stored) if stored is not None else Frontline(incident)
        return self.seen[incident]


K = TypeVar("K")
D = TypeVar("D", Template, Frontline)


def _save_documents(stored: dict[K, D], seen: dict[K, D]) -> None:
    """As the SQL documents: a version check, then each saved with the next version."""
    for key, item in seen.items():
        before = stored.get(key)
        if (before.version if before is not None else 0) != item.version:
            raise ConcurrentChange()
    for key, item in seen.items():
        item.version += 1
        stored[key] = copy.deepcopy(item)


class FakeUnitOfWork:
    # Typed as the ports (as SqlUnitOfWork is), so this class satisfies `bot.ports.ReminderUnitOfWork`;
    # commit and rollback reach the fakes' own state through the private names.
    incidents: IncidentRepository
    requests: RequestLog
    cards: CardRefs
    inbox: Inbox
    people: PeopleDirectory
    outbox: Outbox
    signals: SignalStore
    templates: TemplateLibrary
    frontline: FrontlineBoard

    def __init__(self, store: Store) -> None:
        self.store = store
        self.committed = False

    def __enter__(self) -> FakeUnitOfWork:
        self.incidents = self._incidents = FakeIncidents(self.store)
        self.requests = self._requests = FakeRequests()
        self._requests.pending = dict(self.store.requests)
        self.cards = FakeCards(self.store)
        self.inbox = self._inbox = FakeInbox(self.store)
        self.people = self._people = FakePeople(self.store)
        self.outbox = self._outbox = FakeOutbox(self.store)
        self.signals = self._signals = FakeSignals(self.store.signals)
        self.templates = self._templates = FakeTemplates(self.store)
        self.frontline = self._frontline = FakeFrontline(self.store)
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self.rollback()

    def commit(self) -> None:
        if self._requests.added & self.store.requests.keys():
            # As the SQL request log's key: a request answered already undoes the transaction that answers it again.
            self.rollback()
            raise ConcurrentChange()
        for key, incident in self._incidents.seen.items():
            stored = self.store.incidents.get(key)
            if stored is not None and stored.version != incident.version:
                raise ConcurrentChange()
        _save_documents(self.store.templates, self._templates.seen)
        _save_documents(self.store.frontline, self._frontline.seen)
        for key, incident in self._incidents.seen.items():
            incident.version += 1
            self.store.incidents[key] = copy.deepcopy(incident)
        self.store.requests.update(self._requests.pending)
        for message in self._outbox.added:
            self.store.outbox.setdefault(message.id, OutboxRow(message))
        self._outbox.added = []
        self.store.inbox.update(self._inbox.added)
        self.store.finished.update(self._inbox.finished)
        self.store.leases.update(self._inbox.leases)
        self.store.people.update(self._people.pending)
        self._signals.commit()
        self.committed = True

    def rollback(self) -> None:
        self._incidents.seen = {}
        self._requests.added = set()
        self._outbox.added = []
        self._inbox.added, self._inbox.finished, self._inbox.leases = {}, {}, {}
        self._people.pending = {}
        self._signals.rollback()
        self._templates.seen, self._frontline.seen = {}, {}


@dataclass
class Sent:
    conversation: str
    reply: Reply | None = None
    card: Card | None = None
    ref: str | None = None


class FakeGateway:
    """Records what would reach a chat platform."""

    def __init__(self, platform: str = "console", rooms: bool = False) -> None:
        self.platform = platform
        self.rooms = rooms
        self.posts: list[Sent] = []
        self.updates: list[Sent] = []
        self.direct: list[tuple[str, Reply]] = []

    async def post(self, conversation: str, reply: Reply) -> str | None:
        ref = f"m{len(self.posts) + 1}"
        self.posts.append(Sent(conversation, reply=reply, ref=ref))
        return ref

    async def update(self, conversation: str, message_ref: str, card: Card) -> None:
        self.updates.append(Sent(conversation, card=card, ref=message_ref))

    async def notify(self, person: str, reply: Reply) -> None:
        self.direct.append((person, reply))

    async def open_room(self, incident: Incident, members: Sequence[str]) -> Room | None:
        return Room(f"crisis-{incident.key.lower()}") if self.rooms else None


if TYPE_CHECKING:
    # mypy (tests/fakes.py is in its files) checks each fake against the port it stands in for, so a port that
    # changes cannot leave its fake behind.
    _clock: Clock = FakeClock()
    _incidents: IncidentRepository = FakeIncidents(Store())
    _requests: RequestLog = FakeRequests()
    _cards: CardRefs = FakeCards(Store())
    _outbox: Outbox = FakeOutbox(Store())
    _inbox: Inbox = FakeInbox(Store())
    _people: PeopleDirectory = FakePeople(Store())
    _signals: SignalStore = FakeSignals(SignalState())
    _uow: ReminderUnitOfWork = FakeUnitOfWork(Store())
    _gateway: ChatGateway = FakeGateway()
