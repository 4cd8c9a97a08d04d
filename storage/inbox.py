"""The inbox in SQL: requests a door acknowledged, written before the acknowledgement and finished once answered.

Each row is held by the process running it (`claimed_by`) until `lease_until`; the process renews the lease while
the request waits or runs. On PostgreSQL a row is also free as soon as its holder is dead (`storage.presence`),
and claims lock rows with `FOR UPDATE SKIP LOCKED`, so two processes never take the same row. SQLite runs the
claiming statement under its single writer lock, and one process per SQLite file is assumed, so a process
starting on SQLite takes every unfinished request: whoever held them is gone.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Index, Row, String, Text, bindparam, exists, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Field, SQLModel

from bot.commands import Command, Origin, from_record, to_record
from bot.grammar import parse
from bot.ports import AcceptedRequest
from storage.direct import Batch
from storage.presence import HOLDER_GONE, ensure_alive
from storage.tables import UTCDateTime, requests, table_of


class InboxRow(SQLModel, table=True):
    __tablename__ = "inbox"
    # Claims and the recovery sweep read unfinished requests of one platform, oldest first.
    __table_args__ = (Index("ix_inbox_platform_finished_accepted", "platform", "finished_at", "accepted_at"),)

    request_id: str = Field(primary_key=True)
    platform: str
    person: str
    conversation: str
    language: str | None = None
    # A command written down with `bot.commands.to_record` (rows from older versions may hold grammar text).
    command: str = Field(sa_type=Text)
    reply_to: str = Field(sa_type=Text)
    accepted_at: datetime = Field(sa_type=UTCDateTime)
    finished_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    claimed_by: str | None = None
    lease_until: datetime | None = Field(default=None, sa_type=UTCDateTime)


inbox = table_of(InboxRow)
i = inbox.c
AT = bindparam("at", type_=UTCDateTime)
UNTIL = bindparam("until", type_=UTCDateTime)
CLAIMANT = bindparam("claimant", type_=String)

# Done means answered or given up: the core marks a request finished in the transaction that records its reply;
# the request log check also covers rows written before it did.
OPEN = (
    i.platform == bindparam("of_platform"),
    i.finished_at.is_(None),
    ~exists().where(requests.c.request_id == i.request_id),
)
UNFINISHED = (
    select(inbox).where(*OPEN, i.accepted_at <= bindparam("before")).order_by(i.accepted_at).limit(bindparam("limit"))
)
FINISH = update(inbox).where(i.request_id == bindparam("rid")).values(finished_at=bindparam("at"))
NOBODY_HOLDS = or_(i.claimed_by.is_(None), i.lease_until.is_(None), i.lease_until <= AT)
NOBODY_ALIVE_HOLDS = or_(NOBODY_HOLDS, HOLDER_GONE)
RENEW = (
    update(inbox)
    .where(i.request_id.in_(bindparam("ids", expanding=True)), i.claimed_by == CLAIMANT, i.finished_at.is_(None))
    .values(lease_until=UNTIL)
)
ACCEPTED_COLUMNS = ("request_id", "platform", "person", "conversation", "language", "command", "reply_to",
                    "accepted_at", "claimed_by", "lease_until")
ACCEPT_SQLITE = sqlite.insert(inbox).on_conflict_do_nothing(index_elements=["request_id"])
ACCEPT_POSTGRES = postgresql.insert(inbox).on_conflict_do_nothing(index_elements=["request_id"])
# SQLite allows a few thousand parameters per statement on old builds: renewals go in slices.
RENEW_SLICE = 500

# Request ids this process wrote to the inbox or took from it, until it finished them: only these can have an inbox
# row for the core to mark finished as it answers. A request answered is also done by its request log row, which
# every reader of the inbox checks (`OPEN`, retention, gauges), so a row left unmarked would only be looked at by
# more sweeps; requests that never went through the inbox (the console's) skip the statement. Past `MAY_BE_KEPT`
# ids (never, with doors that finish what they take) every answer marks its row again, as before.
_MAY_BE_IN_INBOX: set[str] = set()
MAY_BE_KEPT = 100_000
_overflowed = [False]


def may_be_in_inbox(request_id: str) -> bool:
    return _overflowed[0] or request_id in _MAY_BE_IN_INBOX


def _taken(request_ids: Collection[str]) -> None:
    _MAY_BE_IN_INBOX.update(request_ids)
    if len(_MAY_BE_IN_INBOX) > MAY_BE_KEPT:
        _overflowed[0] = True
        _MAY_BE_IN_INBOX.clear()


def finished(request_ids: Collection[str]) -> None:
    """Once the transaction that marked them finished is committed."""
    _MAY_BE_IN_INBOX.difference_update(request_ids)


def _write_command(command: Command) -> str:
    return json.dumps({"command": to_record(command)})


def _read_command(stored: str) -> Command:
    data: dict[str, Any] = json.loads(stored)
    if "text" in data:
        # Accepted as typed by a version whose doors handed the core text: parsed now, so it still runs.
        return parse(str(data["text"]))
    return from_record(data["command"])


def _request(r: Row[Any]) -> AcceptedRequest:
    return AcceptedRequest(
        r.request_id,
        Origin(r.person, r.platform, r.conversation, r.language, r.request_id),
        _read_command(r.command),
        r.reply_to,
        r.accepted_at,
    )


class SqlInbox:
    def __init__(self, connection: Connection) -> None:
        self.connection = connection
        self.finished: dict[str, datetime] = {}

    @property
    def _postgres(self) -> bool:
        return self.connection.dialect.name == "postgresql"

    def accept(self, requests: Sequence[AcceptedRequest], claimant: str, lease_until: datetime) -> list[bool]:
        rows = [
            {
                "request_id": r.request_id,
                "platform": r.origin.platform,
                "person": r.origin.person,
                "conversation": r.origin.conversation,
                "language": r.origin.language,
                "command": _write_command(r.command),
                "reply_to": r.reply_to,
                "accepted_at": r.accepted_at,
                "claimed_by": claimant if r.held else None,
                "lease_until": lease_until if r.held else None,
            }
            for r in requests
        ]
        ensure_alive(self.connection.engine, claimant)
        # One statement per request on the driver's cursor (one pipeline on PostgreSQL), cheaper than one
        # `execute` of them all: a retried delivery collides on the key and writes no row.
        batch = Batch(self.connection)
        insert = ACCEPT_POSTGRES if self._postgres else ACCEPT_SQLITE
        steps = [batch.add(insert, row, ACCEPTED_COLUMNS) for row in rows]
        batch.run()
        # The same id twice in one batch: the second meets the first's row, so only the first counts.
        fresh = [step.rowcount == 1 for step in steps]
        _taken([r.request_id for r, wrote in zip(requests, fresh, strict=True) if wrote])  # a retried delivery is not run
        return fresh

    def claim(
        self, platform: str, claimant: str, at: datetime, lease_until: datetime, limit: int, starting: bool = False
    ) -> Sequence[AcceptedRequest]:
        ensure_alive(self.connection.engine, claimant)
        if self._postgres:
            free = NOBODY_ALIVE_HOLDS
        elif starting:
            # Starting on SQLite (one process per file): every lease left is a dead predecessor's.
            free = or_(i.claimed_by.is_(None), i.claimed_by != CLAIMANT)
        else:
            free = NOBODY_HOLDS
        claimable = select(i.request_id).where(*OPEN, free).order_by(i.accepted_at, i.request_id).limit(limit)
        if self._postgres:
            claimable = claimable.with_for_update(skip_locked=True)
        # One statement picks and takes the rows, so two claimers never both win one.
        claim = (
            update(inbox)
            .where(i.request_id.in_(claimable.scalar_subquery()))
            .values(claimed_by=CLAIMANT, lease_until=UNTIL)
            .returning(*inbox.c)
        )
        params = {"of_platform": platform, "claimant": claimant, "at": at, "until": lease_until}
        rows = self.connection.execute(claim, params).all()
        _taken([r.request_id for r in rows])
        return [_request(r) for r in sorted(rows, key=lambda r: (r.accepted_at, r.request_id))]

    def renew(self, request_ids: Collection[str], claimant: str, lease_until: datetime) -> None:
        ensure_alive(self.connection.engine, claimant)
        ids = sorted(request_ids)
        for start in range(0, len(ids), RENEW_SLICE):
            params = {"ids": ids[start : start + RENEW_SLICE], "claimant": claimant, "until": lease_until}
            self.connection.execute(RENEW, params)

    def unfinished(self, platform: str, accepted_before: datetime, limit: int = 100) -> Sequence[AcceptedRequest]:
        rows = self.connection.execute(UNFINISHED, {"of_platform": platform, "before": accepted_before, "limit": limit})
        found = [_request(r) for r in rows]
        _taken([r.request_id for r in found])
        return found

    def finish(self, request_id: str, at: datetime) -> None:
        self.finished[request_id] = at

    def flush(self, batch: Batch, answered: Collection[str] = ()) -> list[str]:
        """Adds the marks of finished requests; those `answered` in this transaction (their request log row written
        with it) are marked only if they may have an inbox row. Returns the ids marked, for `finished` after commit."""
        marked = [rid for rid in self.finished if rid not in answered or may_be_in_inbox(rid)]
        if marked:
            batch.add(FINISH, [{"rid": rid, "at": self.finished[rid]} for rid in marked], ("finished_at",))
        self.finished = {}
        return marked
