"""What the metrics endpoint asks the database at each scrape: one grouped count per gauge, nothing kept."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine, exists, func, select

from storage.inbox import inbox
from storage.migrate import ensure_schema
from storage.outbox import PENDING, outbox
from storage.tables import incidents, requests

# Active and monitored crises are the ones people still work on.
OPEN_STATUSES = ("active", "monitoring")

OUTBOX_BACKLOG = select(outbox.c.platform, func.count()).where(outbox.c.state == PENDING).group_by(outbox.c.platform)
# Accepted and not yet answered: neither marked finished nor in the request log (rows older than the mark).
INBOX_BACKLOG = (
    select(inbox.c.platform, func.count())
    .where(inbox.c.finished_at.is_(None), ~exists().where(requests.c.request_id == inbox.c.request_id))
    .group_by(inbox.c.platform)
)
OPEN_INCIDENTS = (
    select(incidents.c.severity, incidents.c.status, func.count())
    .where(incidents.c.status.in_(OPEN_STATUSES))
    .group_by(incidents.c.severity, incidents.c.status)
)


@dataclass(frozen=True)
class Backlog:
    outbox: dict[str, int]
    inbox: dict[str, int]
    open_incidents: dict[tuple[int, str], int]


def read_backlog(engine: Engine) -> Backlog:
    ensure_schema(engine)  # a scrape may come before any command: the tables exist from then on
    with engine.connect() as db:
        out = {str(platform): int(n) for platform, n in db.execute(OUTBOX_BACKLOG)}
        into = {str(platform): int(n) for platform, n in db.execute(INBOX_BACKLOG)}
        crises = {(int(sev), str(status)): int(n) for sev, status, n in db.execute(OPEN_INCIDENTS)}
    return Backlog(out, into, crises)
