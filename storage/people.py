"""Display names of people in SQL, as the doors last saw them, so reports name people rather than platform ids."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from datetime import UTC, datetime

from sqlalchemy import Connection, bindparam, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Field, SQLModel

from storage.direct import Batch
from storage.tables import UTCDateTime, table_of


class PersonRow(SQLModel, table=True):
    __tablename__ = "people"

    person_id: str = Field(primary_key=True)
    name: str
    seen_at: datetime = Field(sa_type=UTCDateTime)


people = table_of(PersonRow)
# Names change rarely; when one does, the latest wins.
UPSERTS = {
    dialect.dialect.name: (upsert := dialect.insert(people)).on_conflict_do_update(
        index_elements=["person_id"], set_={"name": upsert.excluded.name, "seen_at": upsert.excluded.seen_at}
    )
    for dialect in (postgresql, sqlite)
}
NAMES = select(people.c.person_id, people.c.name).where(people.c.person_id.in_(bindparam("ids", expanding=True)))


# Names this process wrote lately, shared by its units of work: most commands come from people whose name
# has not changed, and skip the write. Bounded; when full it starts again (a write per person, no harm).
KNOWN_NAMES_KEPT = 10_000


class SqlPeople:
    def __init__(self, connection: Connection, known: dict[str, str] | None = None) -> None:
        self.connection = connection
        self.pending: dict[str, str] = {}
        self.known = known if known is not None else {}

    def remember(self, names: Mapping[str, str]) -> None:
        # A name equal to the id says nothing (the console's people are their names); one already stored, neither
        # (`seen_at` then keeps the time the name was last written, which is what it records).
        self.pending.update({
            person: name for person, name in names.items()
            if name and name != person and self.known.get(person) != name
        })

    def committed(self, written: Mapping[str, str]) -> None:
        if len(self.known) + len(written) > KNOWN_NAMES_KEPT:
            self.known.clear()
        self.known.update(written)

    def names(self, ids: Collection[str]) -> dict[str, str]:
        found = {row.person_id: row.name for row in self.connection.execute(NAMES, {"ids": list(ids)})} if ids else {}
        found.update({person: name for person, name in self.pending.items() if person in ids})
        return found

    def flush(self, batch: Batch) -> dict[str, str]:
        """Writes the names; returns them, for `committed` once the transaction is."""
        if not self.pending:
            return {}
        rows = [{"person_id": p, "name": n, "seen_at": datetime.now(UTC)} for p, n in sorted(self.pending.items())]
        batch.add(UPSERTS[self.connection.dialect.name], rows, ("person_id", "name", "seen_at"))
        written, self.pending = self.pending, {}
        return written
