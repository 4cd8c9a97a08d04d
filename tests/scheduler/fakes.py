"""An in-memory outbox beside the shared fakes, with the same claim rules as the SQL one."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from types import TracebackType

from bot.reminders import Outgoing
from tests.fakes import FakeUnitOfWork, Store


@dataclass
class OutboxRow:
    message: Outgoing
    due_at: datetime | None = None
    claimed_until: datetime | None = None
    sent_at: datetime | None = None
    given_up: bool = False
    last_error: str = ""


@dataclass
class OutboxStore(Store):
    outbox: dict[str, OutboxRow] = field(default_factory=dict)

    def unsent(self) -> list[Outgoing]:
        return [r.message for r in self.outbox.values() if r.sent_at is None and not r.given_up]


class FakeOutbox:
    def __init__(self, store: OutboxStore) -> None:
        self.store = store
        self.added: list[Outgoing] = []

    def add(self, message: Outgoing) -> None:
        self.added.append(message)

    def claim(self, platforms: Collection[str], at: datetime, lease: timedelta, limit: int) -> Sequence[Outgoing]:
        claimed = []
        for row in self.store.outbox.values():
            if len(claimed) == limit:
                break
            free = row.claimed_until is None or row.claimed_until <= at
            ready = row.due_at is None or row.due_at <= at
            if row.message.platform in platforms and row.sent_at is None and not row.given_up and free and ready:
                row.claimed_until = at + lease
                claimed.append(row.message)
        return claimed

    def mark_sent(self, message_id: str, at: datetime) -> None:
        self.store.outbox[message_id].sent_at = at

    def retry_later(self, message_id: str, retry_at: datetime | None, error: str) -> None:
        row = self.store.outbox[message_id]
        row.message = replace(row.message, attempts=row.message.attempts + 1)
        row.claimed_until, row.due_at, row.last_error = None, retry_at, error
        row.given_up = retry_at is None


class OutboxUnitOfWork(FakeUnitOfWork):
    store: OutboxStore

    def __enter__(self) -> OutboxUnitOfWork:
        super().__enter__()
        self.outbox = FakeOutbox(self.store)
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        super().__exit__(exc_type, exc, tb)
        self.outbox.added = []

    def commit(self) -> None:
        super().commit()
        for message in self.outbox.added:
            self.store.outbox.setdefault(message.id, OutboxRow(message))
        self.outbox.added = []
