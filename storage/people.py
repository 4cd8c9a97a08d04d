"""Display names of people in SQL, as the doors last saw them, so reports name people rather than platform ids."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from datetime import UTC, datetime

from sqlalchemy import Connection, bindparam, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Field, SQLModel

from storage.tables import UTCDateTime, table_of


class PersonRow(SQLModel, table=True):
    __tablename__ = "people"

    person_id: str = Field(primary_key=True)
    name: str
    seen_at: datetime = Field(sa_type=UTCDateTime)


people = table_of(PersonRow)
NAMES = select(people.c.person_id, people.c.name).where(people.c.person_id.in_(bindparam("ids", expanding=True)))


class SqlPeople:
    def __init__(self, connection: Connection) -> None:
        self.connection = connection
        self.pending: dict[str, str] = {}

    def remember(self, names: Mapping[str, str]) -> None:
        # A name equal to the id says nothing (the console's people are their names).
        self.pending.update({person: name for person, name in names.items() if name and name != person})

    def names(self, ids: Collection[str]) -> dict[str, str]:
        found = {row.person_id: row.name for row in self.connection.execute(NAMES, {"ids": list(ids)})} if ids else {}
        found.update({person: name for person, name in self.pending.items() if person in ids})
        return found

    def flush(self) -> None:
        if not self.pending:
            return
        dialect = postgresql if self.connection.dialect.name == "postgresql" else sqlite
        rows = [{"person_id": p, "name": n, "seen_at": datetime.now(UTC)} for p, n in sorted(self.pending.items())]
        upsert = dialect.insert(people)
        upsert = upsert.on_conflict_do_update(
            index_elements=["person_id"], set_={"name": upsert.excluded.name, "seen_at": upsert.excluded.seen_at}
        )
        self.connection.execute(upsert, rows)
        self.pending = {}
