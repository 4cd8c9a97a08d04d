"""`SqlIncidents`: the incident repository on one SQLAlchemy connection, loading each aggregate in a handful of selects."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, ColumnElement, Row, Table, exists, func, select, update

from bot.drafts import DraftState
from bot.errors import ConcurrentChange
from bot.model import Conversation, Incident, Status
from storage import mapping as m
from storage import tables as t
from storage.changes import Changes, Snapshot, changes, is_changed, snapshot

# Parents before children, so foreign keys hold at every insert.
CHILD_TABLES: dict[str, Table] = {
    table.name: table
    for table in (
        t.conversations, t.assignments, t.drafts, t.draft_versions, t.approvals, t.reviews, t.updates, t.timeline
    )
}
OPEN_DRAFT_STATES = (DraftState.PENDING.value, DraftState.CHANGES_REQUESTED.value)
UNRESOLVED = (Status.ACTIVE.value, Status.MONITORING.value)

Within = Callable[[Table], ColumnElement[bool]]
Saved = tuple[Incident, int]


class SqlIncidents:
    def __init__(self, connection: Connection) -> None:
        self.connection = connection
        # Identity map: number -> (incident, snapshot as stored, or None for an incident added in this unit of work).
        self.tracked: dict[int, tuple[Incident, Snapshot | None]] = {}

    # -- queries -------------------------------------------------------------------------------

    def get(self, key: str) -> Incident | None:
        return self._load_tracked(select(t.incidents).where(t.incidents.c.key == key))

    def by_conversation(self, conversation: Conversation) -> Incident | None:
        c = t.conversations.c
        query = (
            select(t.incidents)
            .join(t.conversations, c.incident_number == t.incidents.c.number)
            .where(c.platform == conversation.platform, c.conversation_id == conversation.id)
            .order_by(t.incidents.c.number.desc())
            .limit(1)
        )
        return self._load_tracked(query)

    def add(self, incident: Incident) -> None:
        self.tracked[incident.number] = (incident, None)

    def next_number(self) -> int:
        stored = self.connection.execute(select(func.coalesce(func.max(t.incidents.c.number), 0))).scalar_one()
        return max([stored, *self.tracked]) + 1

    def list(self, include_resolved: bool = False) -> Sequence[Incident]:
        """Detached copies for reading: changes made to them are not saved."""
        which = t.incidents.c.status.in_(UNRESOLVED) if not include_resolved else t.incidents.c.number.is_not(None)
        rows = self.connection.execute(select(t.incidents).where(which).order_by(t.incidents.c.number)).all()
        numbers = select(t.incidents.c.number).where(which).scalar_subquery()
        return self._assemble(rows, lambda table: table.c.incident_number.in_(numbers))

    def due_for_checkin(self, at: datetime) -> Sequence[str]:
        i = t.incidents.c
        query = (
            select(i.key)
            .where(i.status.in_(UNRESOLVED), i.next_update_due <= at)
            .order_by(i.next_update_due, i.number)
        )
        return list(self.connection.execute(query).scalars())

    def with_open_drafts(self) -> Sequence[str]:
        i, d = t.incidents.c, t.drafts.c
        waiting = exists().where(d.incident_number == i.number, d.state.in_(OPEN_DRAFT_STATES))
        query = select(i.key).where(i.status.in_(UNRESOLVED), waiting).order_by(i.number)
        return list(self.connection.execute(query).scalars())

    # -- loading -------------------------------------------------------------------------------

    def _load_tracked(self, query: Any) -> Incident | None:
        row = self.connection.execute(query).first()
        if row is None:
            return None
        if row.number in self.tracked:
            return self.tracked[row.number][0]
        number = row.number
        [incident] = self._assemble([row], lambda table: table.c.incident_number == number)
        self.tracked[number] = (incident, snapshot(incident))
        return incident

    def _assemble(self, rows: Sequence[Row[Any]], within: Within) -> list[Incident]:
        if not rows:
            return []
        conversations = self._children(t.conversations, within)
        assignments = self._children(t.assignments, within)
        updates = self._children(t.updates, within)
        timeline = self._children(t.timeline, within)
        drafts = self._drafts(within)
        return [
            m.incident_from(
                row,
                [m.conversation_from(r) for r in conversations[row.number]],
                [m.assignment_from(r) for r in assignments[row.number]],
                drafts[row.number],
                [m.update_from(r) for r in updates[row.number]],
                [m.timeline_from(r) for r in timeline[row.number]],
            )
            for row in rows
        ]

    def _children(self, table: Table, within: Within, *order: str) -> defaultdict[Any, list[Row[Any]]]:
        order = order or ("seq",)
        query = select(table).where(within(table)).order_by(table.c.incident_number, *(table.c[o] for o in order))
        grouped: defaultdict[Any, list[Row[Any]]] = defaultdict(list)
        for row in self.connection.execute(query):
            grouped[row.incident_number].append(row)
        return grouped

    def _drafts(self, within: Within) -> defaultdict[int, list[Any]]:
        drafts: defaultdict[int, list[Any]] = defaultdict(list)
        rows = self._children(t.drafts, within, "number")
        if not rows:
            return drafts  # most loads of a young incident: skip three queries
        versions, approvals, reviews = (
            self._by_draft(self._children(table, within, "draft_number", order))
            for table, order in ((t.draft_versions, "version"), (t.approvals, "seq"), (t.reviews, "seq"))
        )
        for number, draft_rows in rows.items():
            for r in draft_rows:
                key = (number, r.number)
                drafts[number].append(m.draft_from(r, versions[key], approvals[key], reviews[key]))
        return drafts

    @staticmethod
    def _by_draft(grouped: defaultdict[Any, list[Row[Any]]]) -> defaultdict[tuple[int, int], list[Row[Any]]]:
        by_draft: defaultdict[tuple[int, int], list[Row[Any]]] = defaultdict(list)
        for rows in grouped.values():
            for row in rows:
                by_draft[(row.incident_number, row.draft_number)].append(row)
        return by_draft

    # -- saving --------------------------------------------------------------------------------

    def flush(self) -> list[Saved]:
        """Writes every tracked incident that changed; returns each with the version it now has in storage."""
        saved: list[Saved] = []
        for incident, before in self.tracked.values():
            if before is None:
                self._insert(incident, changes(incident))
                saved.append((incident, 1))
                continue
            found = changes(incident, before)
            if is_changed(found, before):
                self._update(incident, found)
                saved.append((incident, incident.version + 1))
        return saved

    def committed(self, saved: list[Saved]) -> None:
        for incident, version in saved:
            incident.version = version
            self.tracked[incident.number] = (incident, snapshot(incident))

    def _insert(self, incident: Incident, found: Changes) -> None:
        self.connection.execute(t.incidents.insert(), {**found.incident, "version": 1})
        self._write_children(found)

    def _update(self, incident: Incident, found: Changes) -> None:
        # The incident row goes first: its version check is also the lock that serializes writers.
        query = (
            update(t.incidents)
            .where(t.incidents.c.number == incident.number, t.incidents.c.version == incident.version)
            .values(**found.incident, version=t.incidents.c.version + 1)
        )
        if self.connection.execute(query).rowcount != 1:
            raise ConcurrentChange()
        self._write_children(found)

    def _write_children(self, found: Changes) -> None:
        for name, rows in found.updates.items():
            table = CHILD_TABLES[name]
            for row in rows:
                key = [table.c[col] == row[col] for col in table.primary_key.columns.keys()]
                self.connection.execute(update(table).where(*key).values(**row))
        for name, table in CHILD_TABLES.items():
            if name in found.inserts:
                self.connection.execute(table.insert(), found.inserts[name])
