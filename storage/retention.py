"""Retention: delivery records older than the retention period are deleted, a batch per transaction.

Delivery records are what the doors and the scheduler keep to deliver exactly once: the request log (replies to
platform retries), the inbox (requests written down before their acknowledgement) and the outbox's delivered or
abandoned messages. After a few days no platform retries and no claim is pending, so they only grow the database.
Incidents, their timelines, statements and card references are the record of the crisis and are never pruned.

Kept whatever their age: an inbox row nobody finished or answered (recovery may still take it) with the request
log row of any inbox row still kept (without it, an answered request would look unanswered), and pending outbox
messages.

Batches walk the primary key (keyset pagination): each transaction is short, so commands and the scheduler are held
up for one batch at most, and a whole run reads each table once without needing an index on its dates.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, Engine, Table, bindparam, delete, exists, or_, select

from storage.inbox import inbox
from storage.migrate import ensure_schema
from storage.outbox import GAVE_UP, SENT, outbox
from storage.tables import UTCDateTime, requests

log = logging.getLogger(__name__)

BATCH = 500
BEFORE = bindparam("before", type_=UTCDateTime)

INBOX_DONE = (
    inbox.c.accepted_at < BEFORE,
    or_(inbox.c.finished_at.is_not(None), exists().where(requests.c.request_id == inbox.c.request_id)),
)
REQUEST_LOG_OLD = (
    requests.c.created_at < BEFORE,
    ~exists().where(inbox.c.request_id == requests.c.request_id),
)
OUTBOX_DONE = (outbox.c.created_at < BEFORE, outbox.c.state.in_((SENT, GAVE_UP)))


@dataclass(frozen=True)
class Pruned:
    inbox: int = 0
    requests: int = 0
    outbox: int = 0

    @property
    def total(self) -> int:
        return self.inbox + self.requests + self.outbox


def prune(engine: Engine, before: datetime, batch: int = BATCH) -> Pruned:
    """Deletes the delivery records older than `before`; returns how many of each went."""
    ensure_schema(engine)
    # The inbox first: a request log row is kept while its inbox row is.
    pruned = Pruned(
        inbox=_prune(engine, inbox, inbox.c.request_id, INBOX_DONE, before, batch),
        requests=_prune(engine, requests, requests.c.request_id, REQUEST_LOG_OLD, before, batch),
        outbox=_prune(engine, outbox, outbox.c.id, OUTBOX_DONE, before, batch),
    )
    if pruned.total:
        log.info("retention: deleted %d inbox, %d request log and %d outbox rows older than %s",
                 pruned.inbox, pruned.requests, pruned.outbox, before.isoformat(timespec="seconds"))
    return pruned


def _prune(engine: Engine, table: Table, key: ColumnElement[str], old: tuple[ColumnElement[bool], ...],
           before: datetime, batch: int) -> int:
    after = ""  # every key sorts after the empty string
    deleted = 0
    find = select(key).where(key > bindparam("after"), *old).order_by(key).limit(batch)
    remove = delete(table).where(key.in_(bindparam("ids", expanding=True)))
    while True:
        with engine.begin() as db:
            ids = list(db.execute(find, {"after": after, "before": before}).scalars())
            if ids:
                db.execute(remove, {"ids": ids})
        deleted += len(ids)
        if len(ids) < batch:
            return deleted
        after = ids[-1]
