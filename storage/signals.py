"""The signal store on SQL (`bot.signals.ports.SignalStore`): writes go straight to the unit of work's connection,
so they commit or roll back with the rest of the command."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, bindparam, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError

from bot.errors import ConcurrentChange
from bot.signals.model import Alert, AlertStatus, Signal, Topic
from storage import tables as t

S, ST, A = t.signals, t.signal_topics, t.signal_alerts

COUNT = select(func.count()).select_from(ST).where(
    ST.c.topic == bindparam("topic"), ST.c.received_at >= bindparam("since"), ST.c.received_at < bindparam("until")
)
PEAK = select(func.coalesce(func.max(ST.c.reach), 0)).where(
    ST.c.topic == bindparam("topic"), ST.c.received_at >= bindparam("since")
)
FIRST = select(func.min(func.coalesce(S.c.published_at, S.c.received_at))).select_from(
    S.join(ST, ST.c.signal_id == S.c.id)
).where(ST.c.topic == bindparam("topic"), ST.c.received_at >= bindparam("since"))
MATCHING = (
    select(S).join(ST, ST.c.signal_id == S.c.id)
    .where(ST.c.topic == bindparam("topic"), ST.c.received_at >= bindparam("since"))
    .order_by(ST.c.received_at.desc()).limit(bindparam("limit"))
)
WINDOW = (
    select(ST.c.topic, func.count(), func.max(ST.c.reach))
    .where(ST.c.topic.in_(bindparam("topics", expanding=True)), ST.c.received_at >= bindparam("since"),
           ST.c.received_at < bindparam("until"))
    .group_by(ST.c.topic)
)
LATEST = (
    select(A).where(A.c.number.in_(
        select(func.max(A.c.number)).where(A.c.topic.in_(bindparam("topics", expanding=True))).group_by(A.c.topic)
    ))
)
KNOWN = select(S.c.id).where(S.c.id.in_(bindparam("ids", expanding=True)))


def _signal(row: Any) -> Signal:
    return Signal(
        id=row.id, source=row.source, text=row.text, received_at=row.received_at, url=row.url, author=row.author,
        reach=row.reach, language=row.language, published_at=row.published_at,
    )


def _alert(row: Any) -> Alert:
    return Alert(
        number=row.number, topic=row.topic, raised_at=row.raised_at, first_signal_at=row.first_signal_at,
        count=row.count, peak_reach=row.peak_reach, severity=row.severity, updated_at=row.updated_at,
        status=AlertStatus(row.status), snoozed_until=row.snoozed_until, snoozed_count=row.snoozed_count,
        decided_by=row.decided_by, decided_at=row.decided_at, incident=row.incident, round=row.round,
    )


class SqlSignals:
    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    def _upsert(self, table: Any, keys: list[str], row: dict[str, Any]) -> None:
        dialect = postgresql if self.connection.dialect.name == "postgresql" else sqlite
        statement = dialect.insert(table).values(**row)
        statement = statement.on_conflict_do_update(
            index_elements=keys, set_={k: v for k, v in row.items() if k not in keys}
        )
        self.connection.execute(statement)

    def add(self, signals: Sequence[Signal], topics: Sequence[tuple[str, ...]]) -> list[bool]:
        # Plain inserts after a lookup: a concurrent batch inserting the same id collides on the key and the whole
        # transaction is retried by the caller, which then sees it as a duplicate.
        ids = list({s.id for s in signals})
        known = set(self.connection.execute(KNOWN, {"ids": ids}).scalars()) if ids else set()
        fresh: list[bool] = []
        rows: list[dict[str, Any]] = []
        links: list[dict[str, Any]] = []
        for signal, names in zip(signals, topics, strict=True):
            new = signal.id not in known
            fresh.append(new)
            if not new:
                continue
            known.add(signal.id)
            rows.append({
                "id": signal.id, "source": signal.source, "text": signal.text, "url": signal.url,
                "author": signal.author, "reach": signal.reach, "language": signal.language,
                "published_at": signal.published_at, "received_at": signal.received_at, "incident": None,
            })
            links += [
                {"signal_id": signal.id, "topic": n, "received_at": signal.received_at, "reach": signal.reach}
                for n in names
            ]
        try:
            if rows:
                self.connection.execute(S.insert(), rows)
            if links:
                self.connection.execute(ST.insert(), links)
        except IntegrityError as error:
            raise ConcurrentChange() from error
        return fresh

    def count(self, topic: str, since: datetime, until: datetime) -> int:
        return int(self.connection.execute(COUNT, {"topic": topic, "since": since, "until": until}).scalar_one())

    def peak_reach(self, topic: str, since: datetime) -> int:
        return int(self.connection.execute(PEAK, {"topic": topic, "since": since}).scalar_one())

    def window(self, topics: Sequence[str], since: datetime, until: datetime) -> dict[str, tuple[int, int]]:
        if not topics:
            return {}
        rows = self.connection.execute(WINDOW, {"topics": list(topics), "since": since, "until": until})
        return {r[0]: (int(r[1]), int(r[2] or 0)) for r in rows}

    def latest_alerts(self, topics: Sequence[str]) -> dict[str, Alert]:
        if not topics:
            return {}
        return {r.topic: _alert(r) for r in self.connection.execute(LATEST, {"topics": list(topics)})}

    def first_at(self, topic: str, since: datetime) -> datetime | None:
        found = self.connection.execute(FIRST, {"topic": topic, "since": since}).scalar_one_or_none()
        return t.UTCDateTime().process_result_value(found, self.connection.dialect) if found else None

    def matching(self, topic: str, since: datetime, limit: int = 500) -> Sequence[Signal]:
        rows = self.connection.execute(MATCHING, {"topic": topic, "since": since, "limit": limit})
        return [_signal(r) for r in rows]

    def attach(self, signal_ids: Sequence[str], incident: str) -> None:
        if signal_ids:
            update = S.update().where(S.c.id.in_(bindparam("ids", expanding=True))).values(incident=incident)
            self.connection.execute(update, {"ids": list(signal_ids)})

    def of_incident(self, incident: str, since: datetime | None = None, limit: int = 500) -> Sequence[Signal]:
        query = select(S).where(S.c.incident == incident)
        if since is not None:
            query = query.where(S.c.received_at >= since)
        rows = self.connection.execute(query.order_by(S.c.received_at.desc()).limit(limit))
        return [_signal(r) for r in rows]

    def times_of_incident(self, incident: str) -> Sequence[datetime]:
        query = select(S.c.received_at).where(S.c.incident == incident).order_by(S.c.received_at)
        return list(self.connection.execute(query).scalars())

    def topics(self) -> Sequence[tuple[Topic, bool]]:
        rows = self.connection.execute(select(t.watch_topics).order_by(t.watch_topics.c.name))
        return [(Topic(r.name, tuple(r.keywords), tuple(r.excluded)), r.removed) for r in rows]

    def put_topic(self, topic: Topic, removed: bool, by: str, at: datetime) -> None:
        row = {"name": topic.name, "keywords": list(topic.keywords), "excluded": list(topic.excluded),
               "removed": removed, "updated_by": by, "updated_at": at}
        self._upsert(t.watch_topics, ["name"], row)

    def alert(self, number: int) -> Alert | None:
        row = self.connection.execute(select(A).where(A.c.number == number)).first()
        return _alert(row) if row else None

    def latest_alert(self, topic: str) -> Alert | None:
        row = self.connection.execute(select(A).where(A.c.topic == topic).order_by(A.c.number.desc()).limit(1)).first()
        return _alert(row) if row else None

    def incident_alert(self, incident: str) -> Alert | None:
        row = self.connection.execute(select(A).where(A.c.incident == incident).limit(1)).first()
        return _alert(row) if row else None

    def next_alert_number(self) -> int:
        return int(self.connection.execute(select(func.coalesce(func.max(A.c.number), 0))).scalar_one()) + 1

    def add_alert(self, alert: Alert) -> None:
        try:
            self.connection.execute(A.insert(), _alert_row(alert))
        except IntegrityError as error:
            raise ConcurrentChange() from error

    def save_alert(self, alert: Alert) -> None:
        self._upsert(A, ["number"], _alert_row(alert))


def _alert_row(alert: Alert) -> dict[str, Any]:
    return {
        "number": alert.number, "topic": alert.topic, "status": alert.status.value, "raised_at": alert.raised_at,
        "first_signal_at": alert.first_signal_at, "count": alert.count, "peak_reach": alert.peak_reach,
        "severity": alert.severity, "updated_at": alert.updated_at, "snoozed_until": alert.snoozed_until,
        "snoozed_count": alert.snoozed_count, "decided_by": alert.decided_by, "decided_at": alert.decided_at,
        "incident": alert.incident, "round": alert.round,
    }
