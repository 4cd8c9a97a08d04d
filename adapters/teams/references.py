"""Where Teams conversations and people are, kept in the project's database so the bot can post later unasked.

Three small tables owned by the Teams door, in the `DATABASE_URL` database, created by the migrations like every
other table (`storage.teams_tables`, revision 0010):

- `teams_conversations`: the Bot Framework conversation reference (JSON) of every conversation the bot heard
  from. The conversations an incident lives in are among them, so a broadcast to any of them finds its address.
- `teams_people`: who a core person id (the Entra object id) is in Teams: the Teams user id that mentions need,
  the display name cards show, and their 1:1 chat with the bot once there is one.
- `teams_emails`: the e-mail address and user principal name of people the bot looked up (the Bot Connector's
  member record), so that an e-mail address in CRISISBOT_NOTIFY finds the person.

Reads hit an in-memory cache first; every database call runs off the event loop.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Table, insert, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from adapters.recent import Bounded
from storage.migrate import ensure_schema
from storage.teams_tables import conversations, emails, people


@dataclass(frozen=True)
class TeamsPerson:
    person_id: str
    teams_id: str
    name: str = ""
    personal_conversation: str | None = None
    # The last conversation they spoke in: its address lets the bot open a 1:1 chat with them.
    seen_in: str | None = None


def engine_for(url: str) -> Engine:
    # Storage's engine settings (WAL and busy timeout on SQLite, the psycopg driver on PostgreSQL) suit us too.
    from storage import make_engine

    return make_engine(url)


class Directory:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        ensure_schema(engine)  # the tables come with the migrations (0010), as a command's first use would bring them
        self._references: dict[str, dict[str, Any]] = Bounded(2_000)
        self._people: dict[str, TeamsPerson] = Bounded(5_000)
        self._emails: dict[str, str] = Bounded(5_000)

    @classmethod
    def from_url(cls, url: str) -> Directory:
        return cls(engine_for(url))

    # -- conversations ---------------------------------------------------------------------------

    async def save_conversation(self, conversation_id: str, reference: dict[str, Any]) -> None:
        if self._references.get(conversation_id) == reference:
            return
        await asyncio.to_thread(self._upsert, conversations, "conversation_id", conversation_id,
                                {"reference": json.dumps(reference, sort_keys=True)})
        self._references[conversation_id] = reference

    async def conversation(self, conversation_id: str) -> dict[str, Any] | None:
        if conversation_id not in self._references:
            found = await asyncio.to_thread(self._reference, conversation_id)
            if found is None:
                return None
            self._references[conversation_id] = found
        return self._references[conversation_id]

    def _reference(self, conversation_id: str) -> dict[str, Any] | None:
        with self.engine.connect() as db:
            text = db.execute(
                select(conversations.c.reference).where(conversations.c.conversation_id == conversation_id)
            ).scalar_one_or_none()
        return json.loads(text) if text else None

    # -- people ----------------------------------------------------------------------------------

    async def save_person(self, person: TeamsPerson) -> None:
        known = await self.person(person.person_id)
        if known is not None:
            # What this activity does not tell (a name, their 1:1 chat) is kept from what was known.
            person = replace(person, name=person.name or known.name,
                             personal_conversation=person.personal_conversation or known.personal_conversation,
                             seen_in=person.seen_in or known.seen_in)
            if known == person:
                return
        values = {"teams_id": person.teams_id, "name": person.name,
                  "personal_conversation": person.personal_conversation, "seen_in": person.seen_in}
        await asyncio.to_thread(self._upsert, people, "person_id", person.person_id, values)
        self._people[person.person_id] = person

    async def person(self, person_id: str) -> TeamsPerson | None:
        found = await self.people([person_id])
        return found.get(person_id)

    async def people(self, person_ids: Iterable[str]) -> dict[str, TeamsPerson]:
        wanted = set(person_ids)
        missing = wanted - self._people.keys()
        if missing:
            for person in await asyncio.to_thread(self._load_people, missing):
                self._people[person.person_id] = person
        return {p: self._people[p] for p in wanted if p in self._people}

    async def by_teams_id(self, teams_id: str) -> TeamsPerson | None:
        for person in self._people.values():
            if person.teams_id == teams_id:
                return person
        return await asyncio.to_thread(self._person_with_teams_id, teams_id)

    async def seen_in(self, conversation_id: str, limit: int = 50) -> dict[str, str]:
        """Names of the people who last spoke to the bot in that conversation (for a channel thread, anywhere in
        its channel): a people picker's suggestions."""
        found = await asyncio.to_thread(self._seen_in, conversation_id.split(";")[0], limit)
        return {p.person_id: p.name for p in found if p.name}

    def _seen_in(self, channel_or_chat: str, limit: int) -> list[TeamsPerson]:
        where = people.c.seen_in.startswith(channel_or_chat, autoescape=True)
        with self.engine.connect() as db:
            rows = db.execute(select(people).where(where).order_by(people.c.updated_at.desc()).limit(limit)).all()
        return [_person(r) for r in rows]

    def _load_people(self, person_ids: set[str]) -> list[TeamsPerson]:
        with self.engine.connect() as db:
            rows = db.execute(select(people).where(people.c.person_id.in_(sorted(person_ids)))).all()
        return [_person(r) for r in rows]

    def _person_with_teams_id(self, teams_id: str) -> TeamsPerson | None:
        with self.engine.connect() as db:
            row = db.execute(select(people).where(people.c.teams_id == teams_id)).first()
        return _person(row) if row else None

    # -- e-mail addresses ------------------------------------------------------------------------

    async def save_emails(self, person_id: str, addresses: Iterable[str]) -> None:
        """Records that these addresses (e-mail, user principal name) are this person's."""
        # In the order given (the e-mail address before the user principal name): `emails_of` tells the first.
        for address in dict.fromkeys(a.strip().lower() for a in addresses if a and "@" in a):
            if self._emails.get(address) != person_id:
                await asyncio.to_thread(self._upsert, emails, "email", address, {"person_id": person_id})
                self._emails[address] = person_id

    async def by_email(self, address: str) -> TeamsPerson | None:
        address = address.strip().lower()
        if address not in self._emails:
            found = await asyncio.to_thread(self._person_with_email, address)
            if found is None:
                return None
            self._emails[address] = found
        return await self.person(self._emails[address])

    async def has_email(self, person_id: str) -> bool:
        if person_id in self._emails.values():
            return True
        return await asyncio.to_thread(self._has_email, person_id)

    async def emails_of(self, person_ids: Iterable[str]) -> dict[str, str]:
        """The e-mail address of each person whose address the bot learned (one each: the first recorded)."""
        wanted = set(person_ids)
        known: dict[str, str] = {}
        for address, person in self._emails.items():  # in the order saved: the e-mail address first
            if person in wanted:
                known.setdefault(person, address)
        missing = wanted - known.keys()
        if missing:
            known.update(await asyncio.to_thread(self._emails_of, missing))
        return known

    def _emails_of(self, person_ids: set[str]) -> dict[str, str]:
        with self.engine.connect() as db:
            rows = db.execute(select(emails.c.email, emails.c.person_id).where(emails.c.person_id.in_(sorted(person_ids)))
                              .order_by(emails.c.updated_at, emails.c.email)).all()
        found: dict[str, str] = {}
        for row in rows:
            found.setdefault(row.person_id, row.email)
        return found

    def _person_with_email(self, address: str) -> str | None:
        with self.engine.connect() as db:
            return db.execute(select(emails.c.person_id).where(emails.c.email == address)).scalar_one_or_none()

    def _has_email(self, person_id: str) -> bool:
        with self.engine.connect() as db:
            return db.execute(select(emails.c.email).where(emails.c.person_id == person_id).limit(1)).first() is not None

    # -- both ------------------------------------------------------------------------------------

    def _upsert(self, table: Table, key_column: str, key: str, values: dict[str, Any]) -> None:
        values = {**values, "updated_at": datetime.now(UTC)}
        key_matches = table.c[key_column] == key
        with self.engine.begin() as db:
            if db.execute(update(table).where(key_matches).values(**values)).rowcount:
                return
        try:
            with self.engine.begin() as db:
                db.execute(insert(table).values({key_column: key, **values}))
        except IntegrityError:  # inserted by a concurrent request meanwhile: then ours is an update
            with self.engine.begin() as db:
                db.execute(update(table).where(key_matches).values(**values))


def _person(row: Any) -> TeamsPerson:
    return TeamsPerson(row.person_id, row.teams_id, row.name, row.personal_conversation, row.seen_in)
