"""The reminder outbox in SQL: messages saved with the reminder that caused them, then claimed and delivered.

Claims lock rows with `FOR UPDATE SKIP LOCKED` on PostgreSQL, so replicas share the work without waiting on
each other; a claim is a lease (`claimed_until`), so a replica that dies mid-delivery hands its messages on
once the lease lapses. SQLite has no row locks: one process per SQLite file is assumed.

A scheduler wake-up claims with the commit that records its reminders (`claim_on_commit`): the claim goes in the same
pipeline, after the insert, so the wake-up is one transaction and a rolled-back batch takes its claim with it.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ARRAY, JSON, Connection, Index, Integer, String, Text, any_, bindparam, or_, select, update
from sqlmodel import Field, SQLModel

from bot.ports import Outgoing
from bot.replies import Button, Card, Picker, Reply
from bot.replies import Field as CardField
from storage.batch import add_rows
from storage.direct import Batch, Step, run_one
from storage.tables import UTCDateTime, table_of

PENDING, SENT, GAVE_UP = "pending", "sent", "gave_up"


class OutboxRow(SQLModel, table=True):
    __tablename__ = "outbox"
    # The claim query reads pending rows of a few platforms, oldest first.
    __table_args__ = (Index("ix_outbox_state_platform_created", "state", "platform", "created_at"),)

    id: str = Field(primary_key=True)
    platform: str
    target: str
    direct: bool
    reply: dict[str, Any] = Field(sa_type=JSON)
    created_at: datetime = Field(sa_type=UTCDateTime)
    state: str = PENDING
    attempts: int = 0
    # Not before this moment (a retry's back-off); None means at once.
    next_attempt_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    claimed_until: datetime | None = Field(default=None, sa_type=UTCDateTime)
    sent_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    last_error: str = Field(default="", sa_type=Text)


outbox = table_of(OutboxRow)
o = outbox.c
AT = bindparam("at", type_=UTCDateTime)
SET_BY_ID = update(outbox).where(o.id == bindparam("message_id"))
# On PostgreSQL the ids travel as one array, so the SQL text (and psycopg's prepared statement) fits any round's size.
IDS = {False: o.id.in_(bindparam("ids", expanding=True)), True: o.id == any_(bindparam("ids", type_=ARRAY(String)))}
MARK_SENT = {pg: update(outbox).where(IDS[pg]).values(state=SENT, sent_at=AT, claimed_until=None) for pg in IDS}


def _claim(postgres: bool) -> Any:
    platform = o.platform == any_(bindparam("platforms", type_=ARRAY(String))) if postgres else o.platform.in_(
        bindparam("platforms", expanding=True)
    )
    claimable = (
        select(o.id)
        .where(
            o.state == PENDING,
            platform,
            or_(o.next_attempt_at.is_(None), o.next_attempt_at <= AT),
            or_(o.claimed_until.is_(None), o.claimed_until <= AT),
        )
        .order_by(o.created_at, o.id)
        .limit(bindparam("limit", type_=Integer))
    )
    if postgres:
        claimable = claimable.with_for_update(skip_locked=True)
    # One statement picks and takes the rows, so two claimers never both win one: PostgreSQL skips rows
    # another claimer has locked, SQLite runs the whole statement under its single writer lock.
    return (
        update(outbox)
        .where(o.id.in_(claimable.scalar_subquery()))
        .values(claimed_until=bindparam("until", type_=UTCDateTime))
        .returning(o.id, o.platform, o.target, o.direct, o.reply, o.created_at, o.attempts)
    )


# Built once; on PostgreSQL it runs on the driver's cursor, its BEGIN in the same round trip.
CLAIM = {pg: _claim(pg) for pg in (False, True)}


class SqlOutbox:
    """The outbox on the unit of work's connection: an added message commits or rolls back with the incident."""

    def __init__(self, connection: Connection) -> None:
        self.connection = connection
        self.pending: list[Outgoing] = []
        # A claim to make with the commit (see `claim_on_commit`): its parameters, then its step in the commit's batch.
        self.claiming: dict[str, Any] | None = None
        self.claimed: Step | None = None

    def add(self, message: Outgoing) -> None:
        self.pending.append(message)

    def flush(self, batch: Batch) -> None:
        # After the incidents: their version check settles a race before any duplicate message could collide here
        # (and if one does, the key collision is a lost race too). One statement for the wake-up's messages.
        if self.pending:
            add_rows(batch, outbox, [_row(m) for m in self.pending])
            self.pending = []
        if self.claiming is not None:
            # After the insert, in the same pipeline: the messages just added are claimed with the others.
            self.claimed = batch.add(CLAIM[True], self.claiming)
            self.claiming = None

    def claim_on_commit(
        self, platforms: Collection[str], at: datetime, lease: timedelta, limit: int
    ) -> Callable[[], Sequence[Outgoing] | None]:
        """On PostgreSQL the claim goes in the commit's pipeline: a wake-up records its reminders and takes what is to
        be sent in one transaction, a round trip and a COMMIT fewer. SQLite's claim (an `IN` list) cannot go in a
        batch; it is left to the caller."""
        if self.connection.dialect.name != "postgresql":
            return lambda: None
        if not platforms:
            return list
        self.claiming = {"platforms": sorted(platforms), "at": at, "until": at + lease, "limit": limit}
        self.claimed = None

        def claimed() -> Sequence[Outgoing] | None:
            return None if self.claimed is None else _outgoing(self.claimed.all())

        return claimed

    def claim(self, platforms: Collection[str], at: datetime, lease: timedelta, limit: int) -> Sequence[Outgoing]:
        if not platforms:
            return []
        params = {"platforms": sorted(platforms), "at": at, "until": at + lease, "limit": limit}
        if self.connection.dialect.name == "postgresql":
            rows: Any = run_one(self.connection, CLAIM[True], params).all()
        else:
            rows = self.connection.execute(CLAIM[False], params).all()
        return _outgoing(rows)

    def mark_sent(self, message_ids: Sequence[str], at: datetime) -> None:
        # One statement for the round, not one per message: a wake-up settles many messages at once.
        if message_ids:
            postgres = self.connection.dialect.name == "postgresql"
            if postgres:  # the ids as one array: `storage.direct` can run it, with the BEGIN in one round trip
                run_one(self.connection, MARK_SENT[True], {"ids": list(message_ids), "at": at})
            else:
                self.connection.execute(MARK_SENT[False], {"ids": list(message_ids), "at": at})

    def retry_later(self, message_id: str, retry_at: datetime | None, error: str) -> None:
        self.connection.execute(
            SET_BY_ID.values(attempts=o.attempts + 1),
            {
                "message_id": message_id, "state": PENDING if retry_at else GAVE_UP, "next_attempt_at": retry_at,
                "claimed_until": None, "last_error": error,
            },
        )


def _outgoing(rows: Sequence[Any]) -> list[Outgoing]:
    return [
        Outgoing(r.id, r.platform, r.target, r.direct, reply_from_data(r.reply), r.created_at, r.attempts)
        for r in sorted(rows, key=lambda r: (r.created_at, r.id))
    ]


def _row(message: Outgoing) -> dict[str, Any]:
    return {
        "id": message.id, "platform": message.platform, "target": message.target, "direct": message.direct,
        "reply": reply_to_data(message.reply), "created_at": message.created_at, "state": PENDING,
        "attempts": message.attempts, "last_error": "",
    }


# -- the neutral reply as JSON ---------------------------------------------------------------------


def reply_to_data(reply: Reply) -> dict[str, Any]:
    return {
        "text": reply.text, "private": reply.private, "incident": reply.incident, "mentions": list(reply.mentions),
        "cards": [_card_to_data(card) for card in reply.cards],
    }


def _card_to_data(card: Card) -> dict[str, Any]:
    return {
        "id": card.id, "title": card.title, "text": card.text,
        "fields": [[f.label, f.value] for f in card.fields],
        "buttons": [
            {"label": b.label, "command": b.command, "style": b.style, "ask": b.ask, "confirm": b.confirm}
            for b in card.buttons
        ],
        "pickers": [
            {"label": p.label, "command": p.command, "options": [list(x) for x in p.options], "selected": p.selected}
            for p in card.pickers
        ],
    }


def reply_from_data(data: dict[str, Any]) -> Reply:
    return Reply(
        text=data["text"], private=data["private"], incident=data["incident"], mentions=tuple(data["mentions"]),
        cards=tuple(_card_from_data(card) for card in data["cards"]),
    )


def _card_from_data(data: dict[str, Any]) -> Card:
    return Card(
        id=data["id"], title=data["title"], text=data["text"],
        fields=tuple(CardField(label, value) for label, value in data["fields"]),
        buttons=tuple(Button(**b) for b in data["buttons"]),
        pickers=tuple(
            Picker(p["label"], p["command"], tuple((label, value) for label, value in p["options"]), p["selected"])
            for p in data["pickers"]
        ),
    )
