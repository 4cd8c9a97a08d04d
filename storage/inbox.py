"""The inbox in SQL: requests a door acknowledged, written before the acknowledgement and finished after delivery."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Index, Text, bindparam, exists, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Field, SQLModel

from bot.commands import Command, Origin, from_record, to_record
from bot.ports import AcceptedRequest
from storage.tables import UTCDateTime, requests


class InboxRow(SQLModel, table=True):
    __tablename__ = "inbox"
    # The recovery sweep reads unfinished requests of one platform, oldest first.
    __table_args__ = (Index("ix_inbox_platform_finished_accepted", "platform", "finished_at", "accepted_at"),)

    request_id: str = Field(primary_key=True)
    platform: str
    person: str
    conversation: str
    language: str | None = None
    # Grammar text as typed, or a command written down with `bot.commands.to_record`.
    command: str = Field(sa_type=Text)
    reply_to: str = Field(sa_type=Text)
    accepted_at: datetime = Field(sa_type=UTCDateTime)
    finished_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


inbox = InboxRow.__table__  # type: ignore[attr-defined]

# Done means answered: the request log holds the reply of every request the core ran (refusals included).
UNFINISHED = (
    select(inbox)
    .where(
        inbox.c.platform == bindparam("platform"),
        inbox.c.finished_at.is_(None),
        inbox.c.accepted_at <= bindparam("before"),
        ~exists().where(requests.c.request_id == inbox.c.request_id),
    )
    .order_by(inbox.c.accepted_at)
    .limit(bindparam("limit"))
)
FINISH = update(inbox).where(inbox.c.request_id == bindparam("rid")).values(finished_at=bindparam("at"))


def _write_command(command: Command | str) -> str:
    return json.dumps({"text": command} if isinstance(command, str) else {"command": to_record(command)})


def _read_command(stored: str) -> Command | str:
    data: dict[str, Any] = json.loads(stored)
    return str(data["text"]) if "text" in data else from_record(data["command"])


class SqlInbox:
    def __init__(self, connection: Connection) -> None:
        self.connection = connection
        self.finished: dict[str, datetime] = {}

    def accept(self, requests: Sequence[AcceptedRequest]) -> list[bool]:
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
            }
            for r in requests
        ]
        # One statement for the batch; a retried delivery collides on the key, is skipped and not returned.
        dialect = postgresql if self.connection.dialect.name == "postgresql" else sqlite
        insert = dialect.insert(inbox).on_conflict_do_nothing(index_elements=["request_id"]).returning(inbox.c.request_id)
        written = set(self.connection.execute(insert, rows).scalars()) if rows else set()
        fresh, counted = [], set()
        for r in requests:
            # The same id twice in one batch: only its first occurrence is the delivery that counts.
            fresh.append(r.request_id in written and r.request_id not in counted)
            counted.add(r.request_id)
        return fresh

    def unfinished(self, platform: str, accepted_before: datetime, limit: int = 100) -> Sequence[AcceptedRequest]:
        rows = self.connection.execute(UNFINISHED, {"platform": platform, "before": accepted_before, "limit": limit})
        return [
            AcceptedRequest(
                r.request_id,
                Origin(r.person, r.platform, r.conversation, r.language, r.request_id),
                _read_command(r.command),
                r.reply_to,
                r.accepted_at,
            )
            for r in rows
        ]

    def finish(self, request_id: str, at: datetime) -> None:
        self.finished[request_id] = at

    def flush(self) -> None:
        if self.finished:
            self.connection.execute(FINISH, [{"rid": rid, "at": at} for rid, at in self.finished.items()])
            self.finished = {}
