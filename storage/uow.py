"""The SQL unit of work: one connection and one transaction per command, checked by incident version on commit."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import UTC, datetime
from types import TracebackType
from typing import Any

from sqlalchemy import Connection, Engine, bindparam, select, tuple_
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import DBAPIError, IntegrityError

from bot.answers import Frontline
from bot.errors import ConcurrentChange
from bot.ports import (
    CardRefs,
    FrontlineBoard,
    Inbox,
    IncidentRepository,
    Outbox,
    PeopleDirectory,
    RequestLog,
    TemplateLibrary,
)
from bot.signals.ports import SignalStore
from bot.templates import Template
from storage import library
from storage import tables as t
from storage.cache import IncidentCache
from storage.connections import ThreadConnections
from storage.direct import Batch, run_one
from storage.engine import DEFAULT_URL, make_engine
from storage.inbox import SqlInbox
from storage.inbox import finished as inbox_finished
from storage.migrate import ensure_schema
from storage.outbox import SqlOutbox
from storage.people import SqlPeople
from storage.repository import SqlIncidents
from storage.signals import SqlSignals
from storage.turns import BEFORE_WRITING, Turns

REPLY_TO = select(t.requests.c.reply).where(t.requests.c.request_id == bindparam("request_id"))
INSERT_REQUEST = t.requests.insert()
CARD_REF = select(t.card_refs.c.message_ref).where(
    t.card_refs.c.platform == bindparam("platform"),
    t.card_refs.c.conversation == bindparam("conversation"),
    t.card_refs.c.card_id == bindparam("card_id"),
)
# By (platform, conversation), the leading columns of the key: the primary key index answers it.
CARDS_IN = select(t.card_refs).where(
    tuple_(t.card_refs.c.platform, t.card_refs.c.conversation).in_(bindparam("places", expanding=True))
)
# Most incidents live in one conversation: a plain statement then, without the expanding list's compile step.
CARDS_IN_ONE = select(t.card_refs).where(
    t.card_refs.c.platform == bindparam("platform"), t.card_refs.c.conversation == bindparam("conversation")
)
# The latest message wins: an upsert, since two refreshes racing for the same card are harmless.
CARD_UPSERTS = {
    dialect.dialect.name: (upsert := dialect.insert(t.card_refs)).on_conflict_do_update(
        index_elements=["platform", "conversation", "card_id"], set_={"message_ref": upsert.excluded.message_ref}
    )
    for dialect in (postgresql, sqlite)
}

# PostgreSQL serialization failure and deadlock: another transaction won; the dispatcher retries.
RETRYABLE_PG_CODES = {"40001", "40P01"}


class SqlRequestLog:
    def __init__(self, connection: Connection) -> None:
        self.connection = connection
        self.pending: dict[str, str] = {}

    def reply_to(self, request_id: str) -> str | None:
        if request_id in self.pending:
            return self.pending[request_id]
        return self.connection.execute(REPLY_TO, {"request_id": request_id}).scalar_one_or_none()

    def remember(self, request_id: str, reply_text: str) -> None:
        self.pending[request_id] = reply_text

    def flush(self, batch: Batch) -> None:
        # A plain insert: a second delivery of the same request collides here and its whole transaction is undone.
        if self.pending:
            now = datetime.now(UTC)
            rows = [{"request_id": r, "reply": text, "created_at": now} for r, text in self.pending.items()]
            batch.add(INSERT_REQUEST, rows, ("request_id", "reply", "created_at"))
            self.pending = {}


class SqlCardRefs:
    def __init__(self, connection: Connection) -> None:
        self.connection = connection
        self.pending: dict[tuple[str, str, str], str] = {}
        # Places whose cards were read already in this transaction (with the incident, see `SqlIncidents`).
        self.read: dict[tuple[str, str], dict[tuple[str, str, str], str]] = {}

    def read_with(self, places: Collection[tuple[str, str]], rows: Collection[Any]) -> None:
        """The cards of `places`, read with their incident: every card of those places is among `rows`."""
        for place in places:
            self.read.setdefault(place, {})
        for r in rows:
            if (r.platform, r.conversation) in self.read:
                self.read[(r.platform, r.conversation)][(r.platform, r.conversation, r.card_id)] = r.message_ref

    def get(self, platform: str, conversation: str, card_id: str) -> str | None:
        if (platform, conversation, card_id) in self.pending:
            return self.pending[(platform, conversation, card_id)]
        params = {"platform": platform, "conversation": conversation, "card_id": card_id}
        return self.connection.execute(CARD_REF, params).scalar_one_or_none()

    def put(self, platform: str, conversation: str, card_id: str, message_ref: str) -> None:
        self.pending[(platform, conversation, card_id)] = message_ref

    def in_conversations(self, conversations: Collection[tuple[str, str]]) -> dict[tuple[str, str, str], str]:
        """One select for all the places of an incident."""
        found: dict[tuple[str, str, str], str] = {}
        unread = [place for place in conversations if place not in self.read]
        for place in conversations:
            found.update(self.read.get(place, {}))
        if len(unread) == 1:
            [(platform, conversation)] = unread
            rows: Any = run_one(self.connection, CARDS_IN_ONE, {"platform": platform, "conversation": conversation}).all()
        elif unread:
            rows = self.connection.execute(CARDS_IN, {"places": sorted(unread)})
        else:
            rows = ()
        found.update({(r.platform, r.conversation, r.card_id): r.message_ref for r in rows})
        found.update({where: ref for where, ref in self.pending.items() if where[:2] in conversations})
        return found

    def flush(self, batch: Batch) -> None:
        if not self.pending:
            return
        rows = [
            {"platform": p, "conversation": c, "card_id": card, "message_ref": ref}
            for (p, c, card), ref in sorted(self.pending.items())
        ]
        upsert = CARD_UPSERTS[self.connection.dialect.name]
        batch.add(upsert, rows, ("platform", "conversation", "card_id", "message_ref"))
        for p, c, card in self.pending:
            self.read.get((p, c), {}).update({(p, c, card): self.pending[(p, c, card)]})
        self.pending = {}


class SqlUnitOfWork:
    # Typed as the core's ports, so this class satisfies `bot.ports.ReminderUnitOfWork`; the SQL parts are kept below too.
    incidents: IncidentRepository
    requests: RequestLog
    cards: CardRefs
    inbox: Inbox
    people: PeopleDirectory
    outbox: Outbox
    signals: SignalStore
    templates: TemplateLibrary
    frontline: FrontlineBoard

    def __init__(
        self,
        engine: Engine,
        known_names: dict[str, str] | None = None,
        cache: IncidentCache | None = None,
        connections: ThreadConnections | None = None,
    ) -> None:
        self.engine = engine
        self.known_names = known_names if known_names is not None else {}
        self.cache = cache
        self.connections = connections
        self.committed = False

    def __enter__(self) -> SqlUnitOfWork:
        if self.connections is None or not self.connections.schema_ready:
            ensure_schema(self.engine)
            if self.connections is not None:
                self.connections.schema_ready = True  # checked once per engine, without the weak set's lookup
        self.connection = self.connections.take() if self.connections is not None else self.engine.connect()
        self.turns = Turns(self.engine)
        self.connection.info[BEFORE_WRITING] = self.turns.take
        self.requests = self._requests = SqlRequestLog(self.connection)
        self.cards = self._cards = SqlCardRefs(self.connection)
        self.incidents = self._incidents = SqlIncidents(self.connection, self.cache, self._cards)
        self.outbox = self._outbox = SqlOutbox(self.connection)
        self.inbox = self._inbox = SqlInbox(self.connection)
        database = self.connections.database if self.connections is not None else None
        self.people = self._people = SqlPeople(self.connection, self.known_names, database)
        self.signals = SqlSignals(self.connection)
        self.templates = self._templates = library.SqlTemplates(self.connection)
        self.frontline = self._frontline = library.SqlFrontline(self.connection)
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        try:
            if not self.committed or self.connection.in_transaction():
                self.rollback()  # after a commit with nothing begun since, there is nothing to undo
        finally:
            self.connection.info.pop(BEFORE_WRITING, None)
            if self.connections is not None:
                self.connections.give_back(self.connection)  # it closes one that failed or is still in a transaction
            else:
                self.connection.close()
        if isinstance(exc, DBAPIError) and exc.connection_invalidated:
            # The pooled connection had died (a server restart, an idle timeout; the pool no longer pings each
            # connection it hands out, see `storage.engine`). Nothing of this attempt was committed: it is run again
            # on a fresh connection, as a lost race is.
            raise ConcurrentChange() from exc

    def commit(self) -> None:
        """Every write in one batch (one round trip on PostgreSQL), the version check read from it, then COMMIT."""
        try:
            batch = Batch(self.connection)
            answered = set(self._requests.pending)  # the requests whose request log row this transaction writes
            self._requests.flush(batch)
            saved, verify = self._incidents.flush(batch)
            self._outbox.flush(batch)
            self._cards.flush(batch)
            marked = self._inbox.flush(batch, answered)
            names = self._people.flush(batch)
            batch.run()
            verify()
            # Templates and frontline documents are rare writes with their own version check: run on their own.
            documents: list[Template | Frontline] = [*self._templates.flush(), *self._frontline.flush()]
            self.connection.commit()
            self.turns.give_back()
        except ConcurrentChange:
            self.rollback()
            raise
        except DBAPIError as error:
            self.rollback()
            if _lost_a_race(error) or error.connection_invalidated:
                raise ConcurrentChange() from error
            raise
        self._incidents.committed(saved)
        self._people.committed(names)
        library.committed(documents)
        if marked:
            inbox_finished(marked)
        self.committed = True

    def rollback(self) -> None:
        self.connection.rollback()
        self.turns.give_back()
        self._incidents.tracked = {}
        self._requests.pending = {}
        self._cards.pending = {}
        self._cards.read = {}
        self._outbox.pending = []
        self._inbox.finished = {}
        self._people.rollback()
        self._templates.tracked = {}
        self._frontline.tracked = {}


def _lost_a_race(error: DBAPIError) -> bool:
    """Duplicate keys, a SQLite lock held past the busy timeout, or a PostgreSQL serialization conflict."""
    if isinstance(error, IntegrityError):
        return True
    message = str(error.orig).lower()
    if "database is locked" in message or "database is busy" in message:
        return True
    return getattr(error.orig, "sqlstate", None) in RETRYABLE_PG_CODES


@dataclass
class SqlUnitOfWorkFactory:
    """What the Dispatcher calls for each command; owns the engine (and its connection pool)."""

    engine: Engine
    known_names: dict[str, str] = field(default_factory=dict)  # see `storage.people`
    cache: IncidentCache = field(default_factory=IncidentCache)  # see `storage.cache`
    connections: ThreadConnections = field(init=False)  # see `storage.connections`

    def __post_init__(self) -> None:
        self.connections = ThreadConnections(self.engine)

    def __call__(self) -> SqlUnitOfWork:
        return SqlUnitOfWork(self.engine, self.known_names, self.cache, self.connections)

    def dispose(self) -> None:
        self.connections.close_all()
        self.engine.dispose()


def sql_uow_factory(url: str = DEFAULT_URL) -> SqlUnitOfWorkFactory:
    return SqlUnitOfWorkFactory(make_engine(url))
