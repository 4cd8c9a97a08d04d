"""Display names of people in SQL, as the doors last saw them, so reports name people rather than platform ids."""

from __future__ import annotations

import time
from collections.abc import Collection, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Engine, Index, bindparam, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Field, SQLModel

from bot.identities import Account
from storage.direct import Batch
from storage.migrate import ensure_schema
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
    def __init__(self, connection: Connection, known: dict[str, str] | None = None, database: str | None = None) -> None:
        self.connection = connection
        self.pending: dict[str, str] = {}
        self.known = known if known is not None else {}
        # Account rows to write at commit. Not undone by a refused command's rollback: who spoke is true anyway.
        self.pending_accounts: dict[tuple[str, str], dict[str, Any]] = {}
        # What this transaction taught about accounts, shared with the process's caches only once it commits: a
        # transaction thrown away (a lost race, a batch run again) must not leave them believing its rows stored.
        self.learned: dict[tuple[str, str, str, str | None], tuple[dict[str, Any], datetime | None]] = {}
        self.active: list[dict[str, Any]] = []
        # Pending accounts whose stored row differs only in its last activity: their upsert sets `seen_at` alone.
        self.activity_only: set[tuple[str, str]] = set()
        self.changed: set[str] = set()
        self.spoke: set[tuple[str, str]] = set()  # accounts seen acting in this transaction
        # Accounts read with this transaction's own rows: kept for other units of work once it commits.
        self.read_unstored: dict[str, tuple[Account, ...] | None] = {}
        self._url = database  # the engine's URL as text, given by a unit of work that knows it already

    def remember(self, names: Mapping[str, str]) -> None:
        # A name equal to the id says nothing (the console's people are their names); one already stored, neither
        # (`seen_at` then keeps the time the name was last written, which is what it records).
        self.pending.update({
            person: name for person, name in names.items()
            if name and name != person and self.known.get(person) != name
        })

    def rollback(self) -> None:
        """A refused command: who spoke is kept (true anyway), not the people it named, who may not exist."""
        self.pending = {}
        self.pending_accounts = {k: v for k, v in self.pending_accounts.items() if k in self.spoke}
        self.activity_only &= self.pending_accounts.keys()
        self.learned = {k: v for k, v in self.learned.items() if (k[1], k[2]) in self.spoke}
        self.read_unstored = {}
        self.active = [v for v in self.active if (v["platform"], v["account"]) in self.spoke]

    def committed(self, written: Mapping[str, str]) -> None:
        if len(self.known) + len(written) > KNOWN_NAMES_KEPT:
            self.known.clear()
        self.known.update(written)
        for person in self.changed:
            _ACCOUNTS.pop((self._database, person), None)
        for values in self.active:
            _active_again(self._database, values)
        now = time.monotonic()
        for person, found in self.read_unstored.items():
            _ACCOUNTS[(self._database, person)] = (now, found)
        if len(_RECENT) + len(self.learned) > KNOWN_NAMES_KEPT:
            _RECENT.clear()
        _RECENT.update(self.learned)
        self.learned, self.active, self.changed, self.read_unstored = {}, [], set(), {}

    def names(self, ids: Collection[str]) -> dict[str, str]:
        found = {row.person_id: row.name for row in self.connection.execute(NAMES, {"ids": list(ids)})} if ids else {}
        found.update({person: name for person, name in self.pending.items() if person in ids})
        return found

    # -- accounts ---------------------------------------------------------------------------------------------

    def identify(self, platform: str, account: str, email: str | None, at: datetime, active: bool) -> str:
        email = email.strip().lower() if email else None
        if active:
            self.spoke.add((platform, account))
        key = (self._database, platform, account, email)
        recent = self.learned.get(key) or _RECENT.get(key)
        if recent is not None:
            values, active_at = recent
            if not active or (active_at is not None and at - active_at < ACTIVE_WRITTEN_EVERY):
                return str(values["person_id"])
            # Known to this process: only the last activity changes, written without reading the row again (an
            # upsert of the whole row, so it holds even if the write that taught us the row was rolled back).
            values = {**values, "seen_at": at}
            self.pending_accounts[(platform, account)] = values
            self.activity_only.add((platform, account))
            self.active.append(values)
            self.learned[key] = (values, at)
            return str(values["person_id"])
        row = self._account(platform, account)
        person = (self._owner(email) if email else None) or (row["person_id"] if row else account)
        values = {
            "platform": platform, "account": account, "person_id": person,
            "email": email or (row["email"] if row else None),
            "first_seen_at": row["first_seen_at"] if row else at,
            "seen_at": at if active else (row["seen_at"] if row else None),
        }
        if values != row:
            self.pending_accounts[(platform, account)] = values
            self.activity_only.discard((platform, account))
            self.changed.add(person)
            self.read_unstored.pop(person, None)
            _ACCOUNTS.pop((self._database, person), None)
            if row is not None:
                self.changed.add(row["person_id"])
                self.read_unstored.pop(row["person_id"], None)
                _ACCOUNTS.pop((self._database, row["person_id"]), None)
        self.learned[key] = (values, at if active else None)
        return person

    def by_email(self, email: str, at: datetime) -> str:
        email = email.strip().lower()
        owner = self._owner(email)
        if owner is not None:
            return owner
        self.pending_accounts[(BY_EMAIL, email)] = {
            "platform": BY_EMAIL, "account": email, "person_id": email, "email": email, "first_seen_at": at,
            "seen_at": None,
        }
        return email

    def accounts(self, people: Collection[str]) -> dict[str, list[Account]]:
        now = time.monotonic()
        database = self._database
        found: dict[str, list[Account]] = {}
        missing = []
        for p in people:
            entry = _ACCOUNTS.get((database, p))
            if entry is None or now - entry[0] >= ACCOUNTS_KEPT_FOR:
                missing.append(p)
            elif entry[1] is not None:
                found[p] = list(entry[1])
        missing.sort()
        rows = [dict(row._mapping) for row in self.connection.execute(ACCOUNTS_OF, {"people": missing})] if missing else []
        rows += [row for row in self.pending_accounts.values() if row["person_id"] in people]
        for row in rows:
            # A person named by e-mail alone has no account yet, but the directory knows them: shown by name.
            mine = found.setdefault(row["person_id"], [])
            if row["platform"] != BY_EMAIL:
                mine[:] = [a for a in mine if (a.platform, a.account) != (row["platform"], row["account"])]
                mine.append(Account(row["platform"], row["account"], row["seen_at"]))
        if not missing:
            return found
        if len(_ACCOUNTS) > KNOWN_NAMES_KEPT:
            _ACCOUNTS.clear()
        # Only what is stored is kept for other units of work: this transaction's own rows may yet be thrown away.
        unstored = {row["person_id"] for row in self.pending_accounts.values()}
        for person in missing:
            accounts = tuple(found[person]) if person in found else None
            if person in unstored:
                self.read_unstored[person] = accounts
            else:
                _ACCOUNTS[(self._database, person)] = (now, accounts)
        return found

    @property
    def _database(self) -> str:
        if self._url is None:
            self._url = str(self.connection.engine.url)
        return self._url

    def _account(self, platform: str, account: str) -> dict[str, Any] | None:
        if (platform, account) in self.pending_accounts:
            return self.pending_accounts[(platform, account)]
        row = self.connection.execute(ACCOUNT, {"platform": platform, "account": account}).first()
        return dict(row._mapping) if row else None

    def _owner(self, email: str) -> str | None:
        """Who has this address: the first account recorded with it (so a person's id never changes)."""
        pending = sorted((r["first_seen_at"], r["platform"], r["account"], r["person_id"])
                         for r in self.pending_accounts.values() if r["email"] == email)
        stored = self.connection.execute(OWNER, {"email": email}).first()
        candidates = [(p[0], p[3]) for p in pending[:1]] + ([(stored.first_seen_at, stored.person_id)] if stored else [])
        return min(candidates)[1] if candidates else None

    def flush(self, batch: Batch) -> dict[str, str]:
        """Writes the names and accounts; returns the names, for `committed` once the transaction is."""
        dialect = self.connection.dialect.name
        if self.pending_accounts:
            # A person acting again changes only `seen_at`: an upsert that sets nothing else leaves the indexes on
            # the person and the address untouched (SQLite rewrites the entries of every column an update sets).
            keys = sorted(self.pending_accounts)
            whole = [self.pending_accounts[k] for k in keys if k not in self.activity_only]
            active = [self.pending_accounts[k] for k in keys if k in self.activity_only]
            if whole:
                batch.add(ACCOUNT_UPSERTS[dialect], whole, ACCOUNT_COLUMNS)
            if active:
                batch.add(ACTIVITY_UPSERTS[dialect], active, ACCOUNT_COLUMNS)
            self.pending_accounts, self.activity_only = {}, set()
        if not self.pending:
            return {}
        rows = [{"person_id": p, "name": n, "seen_at": datetime.now(UTC)} for p, n in sorted(self.pending.items())]
        batch.add(UPSERTS[dialect], rows, ("person_id", "name", "seen_at"))
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
ACCOUNT_COLUMNS = ("platform", "account", "person_id", "email", "first_seen_at", "seen_at")
ACCOUNT_UPSERTS = {
    dialect.dialect.name: (upsert := dialect.insert(accounts)).on_conflict_do_update(
        index_elements=["platform", "account"], set_={k: upsert.excluded[k] for k in ("person_id", "email", "seen_at")}
    )
    for dialect in (postgresql, sqlite)
}
ACTIVITY_UPSERTS = {
    dialect.dialect.name: (upsert := dialect.insert(accounts)).on_conflict_do_update(
        index_elements=["platform", "account"], set_={"seen_at": upsert.excluded.seen_at}
    )
    for dialect in (postgresql, sqlite)
}
ACCOUNT = select(accounts).where(accounts.c.platform == bindparam("platform"), accounts.c.account == bindparam("account"))
OWNER = (
    select(accounts.c.person_id, accounts.c.first_seen_at)
    .where(accounts.c.email == bindparam("email"))
    .order_by(accounts.c.first_seen_at, accounts.c.platform, accounts.c.account)
    .limit(1)
)
ACCOUNTS_OF = select(accounts).where(accounts.c.person_id.in_(bindparam("people", expanding=True)))
# The "platform" of people named by e-mail address before any of their accounts was seen.
BY_EMAIL = "email"
# Accounts this process recognised lately: (database, platform, account, e-mail) -> (person, when written). A person
# acting again within this span is not written again; their last activity is known to the minute, which is enough
# to choose where a direct message goes.
ACTIVE_WRITTEN_EVERY = timedelta(minutes=1)
_RECENT: dict[tuple[str, str, str, str | None], tuple[dict[str, Any], datetime | None]] = {}
# Accounts of people read lately, (database, person) -> (when read, accounts or None for nobody known): mentions read
# them for every command, and they change only when someone is first seen on another platform. Another process's
# news shows here within this many seconds; this process's own at once (`identify` forgets what it changes).
ACCOUNTS_KEPT_FOR = 30.0
_ACCOUNTS: dict[tuple[str, str], tuple[float, tuple[Account, ...] | None]] = {}


def _active_again(database: str, values: dict[str, Any]) -> None:
    """The accounts read lately, with this account's new last activity (nothing else of the person changed)."""
    entry = _ACCOUNTS.get((database, values["person_id"]))
    if entry is None or entry[1] is None:
        return
    fresh = tuple(Account(a.platform, a.account, values["seen_at"])
                  if (a.platform, a.account) == (values["platform"], values["account"]) else a for a in entry[1])
    _ACCOUNTS[(database, values["person_id"])] = (entry[0], fresh)


class SqlEmailLookups:
    """What a platform said people's e-mail addresses are, per workspace, kept across restarts and shared by the
    processes of one database (a door's cache: `adapters.slack.people`)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    @classmethod
    def from_url(cls, url: str) -> SqlEmailLookups:
        from storage import make_engine

        return cls(make_engine(url))

    def get(self, platform: str, workspace: str, account: str) -> tuple[str | None, datetime] | None:
        ensure_schema(self.engine)
        with self.engine.connect() as connection:
            row = connection.execute(LOOKUP, {"platform": platform, "workspace": workspace, "account": account}).first()
        return (row.email, row.looked_up_at) if row else None

    def put(self, platform: str, workspace: str, account: str, email: str | None, at: datetime) -> None:
        ensure_schema(self.engine)
        with self.engine.begin() as connection:
            dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
            upsert = dialect.insert(email_lookups)
            upsert = upsert.on_conflict_do_update(
                index_elements=["platform", "workspace", "account"],
                set_={"email": upsert.excluded.email, "looked_up_at": upsert.excluded.looked_up_at},
            )
            connection.execute(upsert, [{"platform": platform, "workspace": workspace, "account": account,
                                         "email": email, "looked_up_at": at}])


LOOKUP = select(email_lookups.c.email, email_lookups.c.looked_up_at).where(
    email_lookups.c.platform == bindparam("platform"), email_lookups.c.workspace == bindparam("workspace"),
    email_lookups.c.account == bindparam("account"),
)
