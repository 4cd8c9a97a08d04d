"""Display names of people in SQL, as the doors last saw them, so reports name people rather than platform ids."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from datetime import UTC, datetime

from sqlalchemy import Connection, Index, bindparam, select
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

    def flush(self) -> dict[str, str]:
        """Writes the names; returns them, for `committed` once the transaction is."""
        if not self.pending:
            return {}
        dialect = postgresql if self.connection.dialect.name == "postgresql" else sqlite
        rows = [{"person_id": p, "name": n, "seen_at": datetime.now(UTC)} for p, n in sorted(self.pending.items())]
        upsert = dialect.insert(people)
        upsert = upsert.on_conflict_do_update(
            index_elements=["person_id"], set_={"name": upsert.excluded.name, "seen_at": upsert.excluded.seen_at}
        )
        self.connection.execute(upsert, rows)
        written, self.pending = self.pending, {}
        return written


# -- one person across platforms ---------------------------------------------------------------------------------


class PersonAccountRow(SQLModel, table=True):
    """A platform account and the person it is (`bot.identities`). `platform` "email" holds people named by e-mail
    address before any platform account of theirs was seen (`assign legal lina@acme.com`)."""

    __tablename__ = "person_accounts"
    __table_args__ = (Index("ix_person_accounts_person_id", "person_id"), Index("ix_person_accounts_email", "email"))

    platform: str = Field(primary_key=True)
    account: str = Field(primary_key=True)
    person_id: str
    email: str | None = None
    first_seen_at: datetime = Field(sa_type=UTCDateTime)
    # When the person last spoke or clicked from this account: direct messages go where they were last active.
    seen_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class EmailLookupRow(SQLModel, table=True):
    """What a platform said a user's e-mail address is (None: it has none, or would not tell), per workspace."""

    __tablename__ = "email_lookups"

    platform: str = Field(primary_key=True)
    workspace: str = Field(primary_key=True)
    account: str = Field(primary_key=True)
    email: str | None = None
    looked_up_at: datetime = Field(sa_type=UTCDateTime)


accounts = table_of(PersonAccountRow)
email_lookups = table_of(EmailLookupRow)
