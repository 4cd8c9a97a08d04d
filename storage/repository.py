"""`SqlIncidents`: the incident repository on one SQLAlchemy connection, loading each aggregate in a handful of selects."""

from __future__ import annotations

import json
import sqlite3
from collections import defaultdict, namedtuple
from collections.abc import Callable, Sequence
from contextlib import closing
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    ARRAY,
    Connection,
    Integer,
    Row,
    Select,
    String,
    Table,
    Update,
    and_,
    any_,
    bindparam,
    cast,
    exists,
    false,
    func,
    literal,
    null,
    select,
    union_all,
    update,
)

from bot.drafts import Draft, DraftState
from bot.errors import ConcurrentChange
from bot.model import Conversation, Incident, Status
from storage import mapping as m
from storage import tables as t
from storage.batch import add_checked_update, add_rows
from storage.cache import IncidentCache
from storage.changes import Changes, Snapshot, changes, is_changed, snapshot
from storage.direct import Batch, Step, run_one

if TYPE_CHECKING:
    from storage.uow import SqlCardRefs

# Parents before children, so foreign keys hold at every insert; with the columns each child is ordered by.
CHILDREN: dict[Table, tuple[str, ...]] = {
    t.conversations: ("seq",),
    t.assignments: ("seq",),
    t.drafts: ("number",),
    t.draft_versions: ("draft_number", "version"),
    t.approvals: ("draft_number", "seq"),
    t.reviews: ("draft_number", "seq"),
    t.publications: ("draft_number", "seq"),
    t.objections: ("draft_number", "seq"),
    t.updates: ("seq",),
    t.timeline: ("seq",),
}
CHILD_TABLES: dict[str, Table] = {table.name: table for table in CHILDREN}
OPEN_DRAFT_STATES = (DraftState.PENDING.value, DraftState.CHANGES_REQUESTED.value)
UNRESOLVED = (Status.ACTIVE.value, Status.MONITORING.value)


def _children_query(table: Table) -> Select[Any]:
    return select(table).order_by(table.c.incident_number, *(table.c[col] for col in CHILDREN[table]))


def _update_by_key(table: Table) -> Update:
    # Bind names differ from column names: a parameter named like a column would also land in SET.
    return update(table).where(*(col == bindparam(f"key_{col.name}") for col in table.primary_key.columns))


# Statements are built once: SQLAlchemy then skips rebuilding and most of the cache-key work on each call,
# which is the largest cost of a load on SQLite.
i, c, d = t.incidents.c, t.conversations.c, t.drafts.c
# How much history an incident has, read with its row: commands append to the timeline and never read it.
RECORDED = (
    select(func.coalesce(func.max(t.timeline.c.seq), 0))
    .where(t.timeline.c.incident_number == i.number)
    .scalar_subquery()
    .label("events_recorded")
)
WITH_RECORDED = select(t.incidents, RECORDED)
BY_KEY = WITH_RECORDED.where(i.key == bindparam("key"))
BY_CONVERSATION = (
    WITH_RECORDED
    .join(t.conversations, c.incident_number == i.number)
    .where(c.platform == bindparam("platform"), c.conversation_id == bindparam("conversation"), c.unlinked == false())
    .order_by(i.number.desc())
    .limit(1)
)
# The cards posted in every conversation of the incident the query above finds, read with it (one round trip on
# PostgreSQL): a command that changes the incident refreshes them.
cr = t.card_refs.c
CARDS_OF_INCIDENTS = select(t.card_refs).join(
    t.conversations, and_(c.platform == cr.platform, c.conversation_id == cr.conversation)
)
CARDS_BY_KEY = CARDS_OF_INCIDENTS.where(
    c.incident_number == select(i.number).where(i.key == bindparam("key")).scalar_subquery()
)
place = t.conversations.alias("place")
CARDS_BY_CONVERSATION = CARDS_OF_INCIDENTS.where(
    c.incident_number
    == select(func.max(place.c.incident_number))
    .where(place.c.platform == bindparam("platform"), place.c.conversation_id == bindparam("conversation"))
    .scalar_subquery()
)
# On SQLite, in process, a second statement costs more than its round trip: the same cards come with the incident row
# instead, as one JSON array in a column of it (read in the same statement, so from the same state of the database).
posted_in = t.conversations.alias("posted_in")
POSTED_CARDS = (
    select(func.json_group_array(func.json_array(cr.platform, cr.conversation, cr.card_id, cr.message_ref)))
    .select_from(t.card_refs.join(
        posted_in, and_(posted_in.c.platform == cr.platform, posted_in.c.conversation_id == cr.conversation)
    ))
    .where(posted_in.c.incident_number == i.number)
    .scalar_subquery()
    .label("posted_cards")
)
WITH_CARDS = {
    id(BY_KEY): BY_KEY.add_columns(POSTED_CARDS),
    id(BY_CONVERSATION): BY_CONVERSATION.add_columns(POSTED_CARDS),
}
PostedCard = namedtuple("PostedCard", ["platform", "conversation", "card_id", "message_ref"])


def _sqlite_has_json() -> bool:
    """Whether the SQLite library has its JSON functions (built in since 3.38, an option of most builds before)."""
    try:
        with closing(sqlite3.connect(":memory:")) as connection:
            connection.execute("SELECT json_group_array(json_array(1))").fetchall()
    except sqlite3.Error:
        return False
    return True


SQLITE_HAS_JSON = _sqlite_has_json()  # without them, the cards are read by a second select, as on PostgreSQL
CHILDREN_OF_ONE = {table: _children_query(table).where(table.c.incident_number == bindparam("number")) for table in CHILDREN}
BY_KEYS = WITH_RECORDED.where(i.key.in_(bindparam("keys", expanding=True))).order_by(i.number)
CHILDREN_OF_MANY = {
    table: _children_query(table).where(table.c.incident_number.in_(bindparam("numbers", expanding=True)))
    for table in CHILDREN
}
# A batch (the scheduler's wake-up): each incident row comes with how much history it has, so that is not one more
# select. On PostgreSQL the keys and numbers travel as one array: the SQL text no longer depends on the batch size, so
# psycopg's caches and prepared statements apply (an `IN (...)` list is new SQL for every size). There the batch is
# read by the numbers its keys end with (`Incident.key`), which the primary key indexes (the key alone has no index:
# each statement would scan every incident), the keys checked too; so rows and children go in one pipeline.
BATCH_BY_KEYS = {
    "sqlite": BY_KEYS,
    "postgresql": WITH_RECORDED.where(
        i.number == any_(bindparam("numbers", type_=ARRAY(Integer))),
        i.key == any_(bindparam("keys", type_=ARRAY(String))),
    ).order_by(i.number),
}
BATCH_CHILDREN = {
    "sqlite": CHILDREN_OF_MANY,
    "postgresql": {
        table: _children_query(table).where(table.c.incident_number == any_(bindparam("numbers", type_=ARRAY(Integer))))
        for table in CHILDREN
    },
}
# How much history an incident has, when it is loaded without it (seq runs 1..n, append-only).
EVENTS_RECORDED = (
    select(t.timeline.c.incident_number, func.max(t.timeline.c.seq))
    .where(t.timeline.c.incident_number.in_(bindparam("numbers", expanding=True)))
    .group_by(t.timeline.c.incident_number)
)
MAX_NUMBER = select(func.coalesce(func.max(i.number), 0))
IS_DUE = and_(i.status.in_(UNRESOLVED), i.next_update_due <= bindparam("at", type_=t.UTCDateTime))
IS_WAITING = and_(
    i.status.in_(UNRESOLVED), exists().where(d.incident_number == i.number, d.state.in_(OPEN_DRAFT_STATES))
)
DUE = select(i.key).where(IS_DUE).order_by(i.next_update_due, i.number)
WITH_OPEN_DRAFTS = select(i.key).where(IS_WAITING).order_by(i.number)


def _reminder_keys(unresolved: Any, waiting: Any) -> Any:
    """Both lists of a wake-up in one round trip; each branch still reads its own index."""
    return union_all(
        select(literal("due").label("kind"), i.key, i.next_update_due.label("due_at"), i.number).where(
            unresolved, i.next_update_due <= bindparam("at", type_=t.UTCDateTime)
        ),
        select(literal("waiting").label("kind"), i.key, null().label("due_at"), i.number).where(unresolved, waiting),
    ).order_by("kind", "due_at", "number")


REMINDER_KEYS = {
    "sqlite": _reminder_keys(
        i.status.in_(UNRESOLVED), exists().where(d.incident_number == i.number, d.state.in_(OPEN_DRAFT_STATES))
    ),
    # The states as arrays (an `IN` list cannot run on the driver's cursor): `storage.direct` runs it, its BEGIN in the
    # same round trip, which is what a scheduler's idle wake-up costs. The incidents with open drafts are found from
    # the drafts, by primary key: as `EXISTS`, PostgreSQL scans every incident (1.7 ms against 0.1 at 10,000).
    "postgresql": _reminder_keys(
        i.status == any_(bindparam("unresolved", list(UNRESOLVED), type_=ARRAY(String))),
        i.number == any_(cast(
            select(func.array_agg(d.incident_number))
            .where(d.state == any_(bindparam("open_drafts", list(OPEN_DRAFT_STATES), type_=ARRAY(String))))
            .scalar_subquery(),
            ARRAY(Integer),
        )),
    ),
}


# The version check: a writer that loaded an older version matches no row.
SAVE_INCIDENT = (
    update(t.incidents)
    .where(i.number == bindparam("key_number"), i.version == bindparam("key_version"))
    .values(version=i.version + 1)
)
UPDATE_CHILD = {
    table.name: _update_by_key(table) for table in (t.assignments, t.drafts, t.objections, t.conversations)
}
INSERT_INCIDENT = t.incidents.insert()
INSERT_CHILD = {table.name: table.insert() for table in CHILDREN}
CHILD_KEYS = {name: tuple(CHILD_TABLES[name].primary_key.columns.keys()) for name in UPDATE_CHILD}

ChildQuery = Callable[[Table], Select[Any]]
Verify = Callable[[], None]
ChildRows = dict[Table, defaultdict[Any, list[Any]]]  # the method `list` below shadows the builtin inside the class
# Each incident written, with the version it has in storage once committed and its snapshot then.
Saved = list[tuple[Incident, int, Snapshot | None]]
Incidents = list[Incident]  # the method `list` below shadows the builtin inside the class


class SqlIncidents:
    def __init__(
        self, connection: Connection, cache: IncidentCache | None = None, cards: SqlCardRefs | None = None
    ) -> None:
        self.connection = connection
        self.cache = cache if cache is not None else IncidentCache(kept=0)
        self.cards = cards  # given the cards of each incident a command loads, when there is one to give them to
        # Identity map: number -> (incident, snapshot as stored, or None for an incident added in this unit of work).
        self.tracked: dict[int, tuple[Incident, Snapshot | None]] = {}

    # -- queries -------------------------------------------------------------------------------

    def get(self, key: str) -> Incident | None:
        return self._load_tracked(BY_KEY, CARDS_BY_KEY, {"key": key})

    def get_whole(self, key: str) -> Incident | None:
        row = self.connection.execute(BY_KEY, {"key": key}).first()
        if row is None:
            return None
        tracked = self.tracked.get(row.number)
        if tracked is not None and tracked[0].earlier_events:
            # Already in this unit of work without its history: keep that object (it may hold changes), give it
            # the history it lacks, and keep what was recorded since at the end.
            incident = tracked[0]
            [whole] = self._assemble([row], CHILDREN_OF_ONE.__getitem__, {"number": row.number}, history=True, direct=True)
            incident.timeline[:0] = whole.timeline[: incident.earlier_events]
            incident.earlier_events = 0
            return incident
        if tracked is not None:
            return tracked[0]
        [incident] = self._assemble([row], CHILDREN_OF_ONE.__getitem__, {"number": row.number}, history=True, direct=True)
        self.tracked[row.number] = (incident, snapshot(incident))
        return incident

    def get_many(self, keys: Sequence[str]) -> Sequence[Incident]:
        """One select per table for the whole batch, instead of one load per incident; on PostgreSQL all of them in one
        round trip."""
        if self.connection.dialect.name == "postgresql":
            batch = Batch(self.connection)
            numbers = {"numbers": sorted({int(n) for key in keys if (n := key.rpartition("-")[2]).isdigit()})}
            found = batch.add(BATCH_BY_KEYS["postgresql"], {**numbers, "keys": list(keys)})
            steps = {
                table: batch.add(query, numbers)
                for table, query in BATCH_CHILDREN["postgresql"].items()
                if table is not t.timeline  # its length comes with the rows
            }
            batch.run()
            rows: Any = found.all()
            read: ChildRows = {}
            for table, step in steps.items():
                grouped = read[table] = defaultdict(list)
                for row in step.all():
                    grouped[row.incident_number].append(row)
            fresh = [row for row in rows if row.number not in self.tracked]
            incidents = self._assemble(fresh, BATCH_CHILDREN["postgresql"].__getitem__, direct=True, read=read)
        else:
            # SQLite's lists expand into new SQL for each size: SQLAlchemy runs those.
            rows = self.connection.execute(BATCH_BY_KEYS["sqlite"], {"keys": list(keys)}).all()
            fresh = [row for row in rows if row.number not in self.tracked]
            numbers = {"numbers": [row.number for row in fresh]}
            incidents = self._assemble(fresh, BATCH_CHILDREN["sqlite"].__getitem__, numbers)
        for incident in incidents:
            self.tracked[incident.number] = (incident, snapshot(incident))
        return [self.tracked[row.number][0] for row in rows]

    def by_conversation(self, conversation: Conversation) -> Incident | None:
        params = {"platform": conversation.platform, "conversation": conversation.id}
        return self._load_tracked(BY_CONVERSATION, CARDS_BY_CONVERSATION, params)

    def add(self, incident: Incident) -> None:
        self.tracked[incident.number] = (incident, None)

    def next_number(self) -> int:
        stored: int = run_one(self.connection, MAX_NUMBER, {}).first()[0]
        return max([stored, *self.tracked]) + 1

    def list(self, include_resolved: bool = False) -> Sequence[Incident]:
        """Detached copies for reading: changes made to them are not saved."""
        which = i.status.in_(UNRESOLVED) if not include_resolved else i.number.is_not(None)
        rows = self.connection.execute(select(t.incidents).where(which).order_by(i.number)).all()
        numbers = select(i.number).where(which).scalar_subquery()
        return self._assemble(rows, lambda table: _children_query(table).where(table.c.incident_number.in_(numbers)))

    def due_for_checkin(self, at: datetime) -> Sequence[str]:
        return list(self.connection.execute(DUE, {"at": at}).scalars())

    def with_open_drafts(self) -> Sequence[str]:
        return list(self.connection.execute(WITH_OPEN_DRAFTS).scalars())

    def reminder_keys(self, at: datetime) -> tuple[Sequence[str], Sequence[str]]:
        if self.connection.dialect.name == "postgresql":
            rows: Any = run_one(self.connection, REMINDER_KEYS["postgresql"], {"at": at}).all()
        else:
            rows = self.connection.execute(REMINDER_KEYS["sqlite"], {"at": at}).all()
        return [r.key for r in rows if r.kind == "due"], [r.key for r in rows if r.kind == "waiting"]

    # -- loading -------------------------------------------------------------------------------

    def _load_tracked(self, query: Select[Any], cards: Select[Any], params: dict[str, Any]) -> Incident | None:
        batch = Batch(self.connection)
        with_cards = self.cards is not None and self.connection.dialect.name == "sqlite" and SQLITE_HAS_JSON
        found = batch.add(WITH_CARDS[id(query)] if with_cards else query, params)
        posted = batch.add(cards, params) if self.cards is not None and not with_cards else None
        batch.run()
        row = found.first()
        if row is None:
            return None
        if row.number in self.tracked:
            return self.tracked[row.number][0]
        cached = self.cache.take(row.number, row.version, row.events_recorded)
        if cached is not None:
            incident = cached[0]
            self.tracked[row.number] = cached
        else:
            number = {"number": row.number}
            [incident] = self._assemble([row], CHILDREN_OF_ONE.__getitem__, number, direct=True)
            self.tracked[row.number] = (incident, snapshot(incident))
        if self.cards is not None:
            rows = posted.all() if posted is not None else [PostedCard(*r) for r in json.loads(row.posted_cards)]
            self.cards.read_with({(c.platform, c.id) for c in incident.conversations}, rows)
        return incident

    def _assemble(
        self,
        rows: Sequence[Any],
        query: ChildQuery,
        params: dict[str, Any] | None = None,
        history: bool = False,
        direct: bool = False,
        read: ChildRows | None = None,
    ) -> Incidents:
        """Incidents from their rows plus one select per child table (five fewer while none has a draft).

        Without `history`, the timeline is not read, only its length: commands append to it and never read it.
        `direct` says the queries are built once, with no expanding list, so `storage.direct` can run them: on
        PostgreSQL all of them in one round trip (the five tables of drafts too, rather than a second trip to
        learn whether there are drafts). `read` gives the child rows already read with the incident rows instead.
        """
        if not rows:
            return []
        if read is None:
            postgres = self.connection.dialect.name == "postgresql"
            first = [t.conversations, t.assignments, t.updates, t.drafts, *([t.timeline] if history else [])]
            later = [t.draft_versions, t.approvals, t.reviews, t.publications, t.objections]
            read = self._children(first + later if postgres and direct else first, query, params or {}, direct)
            if t.draft_versions not in read and read[t.drafts]:
                read.update(self._children(later, query, params or {}, direct))

        def children(table: Table) -> defaultdict[Any, list[Any]]:
            return read.get(table, defaultdict(list))

        conversations, assignments, updates = (children(table) for table in (t.conversations, t.assignments, t.updates))
        if history:
            timeline, earlier = children(t.timeline), {}
        elif all("events_recorded" in row._fields for row in rows):
            timeline, earlier = defaultdict(list), {row.number: row.events_recorded for row in rows}
        else:
            timeline = defaultdict(list)
            counted = self.connection.execute(EVENTS_RECORDED, {"numbers": [row.number for row in rows]})
            earlier = {number: recorded for number, recorded in counted}
        drafts: defaultdict[int, list[Draft]] = defaultdict(list)
        draft_rows = children(t.drafts)
        if draft_rows:
            versions, approvals, reviews, publications, objections = (
                _by_draft(children(table))
                for table in (t.draft_versions, t.approvals, t.reviews, t.publications, t.objections)
            )
            for number, rows_of_incident in draft_rows.items():
                for r in rows_of_incident:
                    key = (number, r.number)
                    drafts[number].append(m.draft_from(
                        r, versions[key], approvals[key], reviews[key], publications[key], objections[key]
                    ))
        return [
            m.incident_from(
                row,
                [m.conversation_from(r) for r in conversations[row.number]],
                [m.assignment_from(r) for r in assignments[row.number]],
                drafts[row.number],
                [m.update_from(r) for r in updates[row.number]],
                [m.timeline_from(r) for r in timeline[row.number]],
                earlier.get(row.number, 0),
            )
            for row in rows
        ]

    def _children(
        self, tables: Sequence[Table], query: ChildQuery, params: dict[str, Any], direct: bool
    ) -> ChildRows:
        """The rows of each child table, by incident number."""
        if direct:
            batch = Batch(self.connection)
            steps = [batch.add(query(table), params) for table in tables]
            batch.run()
            results: list[Sequence[Any]] = [step.all() for step in steps]
        else:
            results = [self.connection.execute(query(table), params).all() for table in tables]
        read: ChildRows = {}
        for table, found in zip(tables, results, strict=True):
            grouped = read[table] = defaultdict(list)
            for row in found:
                grouped[row.incident_number].append(row)
        return read

    # -- saving --------------------------------------------------------------------------------

    def flush(self, batch: Batch) -> tuple[Saved, Verify]:
        """Adds to `batch` the writes of every tracked incident that changed; returns each with the version it will
        have in storage, and the check to make once the batch has run (it raises `ConcurrentChange` if an incident
        was saved by someone else meanwhile).

        Incident rows go in one statement (each row's update is a version check); their children go together, one
        statement per table for the whole unit of work, which is what a scheduler wake-up over many incidents needs.
        """
        saved: Saved = []
        written: list[Changes] = []
        checked: list[dict[str, Any]] = []
        changed_columns: list[tuple[str, ...]] = []
        for number in sorted(self.tracked):
            incident, before = self.tracked[number]
            if before is None:
                found = changes(incident)
                batch.add(INSERT_INCIDENT, {**found.incident, "version": 1}, (*found.incident, "version"))
                saved.append((incident, 1, found.after))
                written.append(found)
                continue
            found = changes(incident, before)
            if is_changed(found, before):
                checked.append({**found.incident, "key_number": incident.number, "key_version": incident.version})
                # The version check guarantees the stored row is `before`: the columns that differ are all to write.
                stored = before.incident
                changed_columns.append(tuple(k for k, v in found.incident.items() if k not in stored or stored[k] != v))
                saved.append((incident, incident.version + 1, found.after))
                written.append(found)
        # Incident rows go first, in one statement: each version check is also the row lock that serializes writers
        # (taken in number order, so two writers cannot deadlock); a row that no longer matches is a lost race.
        version_checks: list[Step] = []
        postgres = self.connection.dialect.name == "postgresql"
        if checked and postgres and len(checked) > 1:
            # A wake-up's hundred incidents as one statement rather than a hundred in the pipeline (psycopg encodes
            # each on the client, the server plans each). Its join usually takes the row locks in the order of the
            # rows, by number, as one update per row does; a deadlock, were one to happen, is a lost race (retried).
            rows = [
                {**{k: v for k, v in r.items() if not k.startswith("key_")}, "version": r["key_version"]} for r in checked
            ]
            version_checks.append(add_checked_update(batch, t.incidents, rows, key="number", check="version"))
        elif checked:
            # Only the columns that changed (the version always does): an unchanged key, status or due time is not
            # rewritten, nor are the index entries SQLite would rewrite with it. Rows changing the same columns share a
            # statement (several rows come this way only on SQLite, which locks the whole database at the first).
            by_columns: dict[tuple[str, ...], list[dict[str, Any]]] = {}
            for row, columns in zip(checked, changed_columns, strict=True):
                params = {k: row[k] for k in columns}
                params["key_number"], params["key_version"] = row["key_number"], row["key_version"]
                by_columns.setdefault(columns, []).append(params)
            version_checks = [batch.add(SAVE_INCIDENT, rows, columns) for columns, rows in by_columns.items()]
        self._write_children(batch, written)

        def verify() -> None:
            if checked and sum(step.rowcount for step in version_checks) != len(checked):
                raise ConcurrentChange()

        return saved, verify

    def committed(self, saved: Saved) -> None:
        for incident, version, after in saved:
            incident.version = version
            self.tracked[incident.number] = (incident, after or snapshot(incident))
        for incident, stored in self.tracked.values():
            if stored is not None:
                self.cache.put(incident, stored)

    def _write_children(self, batch: Batch, written: Sequence[Changes]) -> None:
        updated = {name for found in written for name in found.updates}
        for name, statement in UPDATE_CHILD.items():
            if name not in updated:
                continue
            keys = CHILD_KEYS[name]
            changed = [row for found in written for row in found.updates.get(name, ())]
            batch.add(statement, [{**row, **{f"key_{k}": row[k] for k in keys}} for row in changed], tuple(changed[0]))
        # Parents before children (the order of CHILDREN), so foreign keys hold at every insert.
        postgres = self.connection.dialect.name == "postgresql"
        inserted = {name for found in written for name in found.inserts}
        for name, insert in INSERT_CHILD.items():
            if name not in inserted:
                continue
            rows = [row for found in written for row in found.inserts.get(name, ())]
            if postgres and len(rows) > 1:
                add_rows(batch, CHILD_TABLES[name], rows)  # one statement, as above
            elif rows:
                batch.add(insert, rows, tuple(rows[0]))


def _by_draft(grouped: defaultdict[Any, list[Row[Any]]]) -> defaultdict[tuple[int, int], list[Row[Any]]]:
    by_draft: defaultdict[tuple[int, int], list[Row[Any]]] = defaultdict(list)
    for rows in grouped.values():
        for row in rows:
            by_draft[(row.incident_number, row.draft_number)].append(row)
    return by_draft
