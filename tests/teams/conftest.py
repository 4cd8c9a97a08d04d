"""The real server on loopback, a fake Bot Connector beside it, and activities built from the real payloads."""

from __future__ import annotations

import copy
import itertools
import json
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp import web

from adapters.runtime import Runtime, build_runtime
from adapters.server import create_app
from bot.model import Incident
from tests.fakes import FakeClock
from tests.loopback import serve_on_loopback
from tests.teams.fake_connector import FakeConnector

# Real Bot Framework payloads, copied into the repository with their sources (tests/fixtures/README.md).
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "teams"

BOT_ID = "28:c9e8c047-2a74-40a2-b28a-b162d5f5327c"
TEAM_CHANNEL = "19:0b7f32667e064dd9b25d7969801541f4@thread.tacv2"


def fixture(name: str) -> dict[str, Any]:
    text = (FIXTURES / name).read_text()
    if name.endswith(".jsonc"):
        text = re.sub(r"^\s*//.*$", "", text, flags=re.M)
    return json.loads(text)


@dataclass(frozen=True)
class Person:
    name: str
    teams_id: str
    aad: str

    @property
    def mention(self) -> str:
        return f"<@{self.aad}>"


# Megan is the fixture's own user; the others differ from her only by ids and names.
MEGAN = Person("Megan Bowen", "29:1XJKJMvc5GBtc2JwZq0oj8tHZmzrQgFmB39ATiQWA85gQtHieVkKilBZ9XHoq9j7Zaqt7CZ-NJWi7me2kHTL3Bw",
               "7faf8ab2-3d56-4244-b585-20c8a42ed2b8")
LEA = Person("Léa Legal", "29:1lea", "0c1b6d3e-0000-4000-8000-00000000aaa1")
COLIN = Person("Colin Comms", "29:1colin", "0c1b6d3e-0000-4000-8000-00000000ccc2")
SAM = Person("Sam Support", "29:1sam", "0c1b6d3e-0000-4000-8000-00000000ddd3")


def thread(root: str) -> str:
    """A channel thread's conversation id, as Teams writes it."""
    return f"{TEAM_CHANNEL};messageid={root}"


class TeamsClient:
    """Speaks to the server like Teams: activities over HTTP, from the fixtures, changing ids, text, serviceUrl."""

    def __init__(self, session: aiohttp.ClientSession, url: str, connector: FakeConnector, runtime: Runtime) -> None:
        self.session = session
        self.url = url
        self.connector = connector
        self.runtime = runtime
        self._ids = itertools.count(1)

    def next_id(self) -> str:
        return f"17000000000{next(self._ids):02d}"

    def _base(self, name: str, who: Person, conversation: str) -> dict[str, Any]:
        activity = fixture(name)
        activity["id"] = self.next_id()
        activity["serviceUrl"] = self.connector.url
        activity.setdefault("channelId", "msteams")
        activity["from"] = {"id": who.teams_id, "name": who.name, "aadObjectId": who.aad}
        activity["recipient"] = {"id": BOT_ID, "name": "crisisbot"}
        kind = "personal" if conversation.startswith("a:") else "channel"
        activity["conversation"] = {"id": conversation, "conversationType": kind,
                                    "tenantId": "72f988bf-86f1-41af-91ab-2d7cd011db47"}
        return activity

    def message(
        self, text: str, who: Person = MEGAN, conversation: str = "", mentions: tuple[Person, ...] = ()
    ) -> dict[str, Any]:
        conversation = conversation or thread("1700000000001")
        activity = self._base("teams_message_activity.json", who, conversation)
        entities = list(activity.get("entities") or [])
        if not conversation.startswith("a:"):
            # In a channel the bot is only spoken to by @mention.
            text = f"<at>crisisbot</at> {text}"
            bot = {"id": BOT_ID, "name": "crisisbot"}
            entities.append({"type": "mention", "text": "<at>crisisbot</at>", "mentioned": bot})
        for person in mentions:
            text = text.replace(f"@{person.name}", f"<at>{person.name}</at>")
            entities.append({"type": "mention", "text": f"<at>{person.name}</at>",
                             "mentioned": {"id": person.teams_id, "name": person.name}})
        activity["text"] = text
        activity["entities"] = entities
        activity.pop("attachments", None)  # the fixture's HTML copy of its own text
        return activity

    def submit(self, data: dict[str, Any], reply_to: str, who: Person, conversation: str) -> dict[str, Any]:
        """What Teams sends for an Action.Submit: a message whose `value` is the action's data and the inputs."""
        activity = self.message("", who, conversation)
        activity["text"] = ""
        activity["entities"] = []
        activity["value"] = data
        activity["replyToId"] = reply_to
        return activity

    def invoke(
        self, data: dict[str, Any], reply_to: str, who: Person, conversation: str, verb: str = "crisisbot"
    ) -> dict[str, Any]:
        activity = self._base("teams_invoke_adaptivecard_action.jsonc", who, conversation)
        activity["value"]["action"]["verb"] = verb
        activity["value"]["action"]["data"] = data
        activity["replyToId"] = reply_to
        return activity

    def bot_added(self) -> dict[str, Any]:
        activity = fixture("teams_conversation_update_bot_added_to_team.json")
        activity["serviceUrl"] = self.connector.url
        activity["id"] = f"f:{self.next_id()}"
        return activity

    async def post(self, activity: dict[str, Any], headers: dict[str, str] | None = None) -> tuple[int, Any]:
        async with self.session.post(f"{self.url}/api/messages", json=activity, headers=headers or {}) as response:
            body = await response.json() if response.content_type == "application/json" else await response.text()
        await self.runtime.service.drain()  # the cards this changed shown, past the refresh window
        return response.status, body

    async def say(self, text: str, who: Person = MEGAN, conversation: str = "", mentions: tuple[Person, ...] = ()) -> int:
        status, _ = await self.post(self.message(text, who, conversation, mentions))
        return status

    def incident(self, key: str = "CRI-1") -> Incident:
        with self.runtime.dispatcher.uow_factory() as uow:
            found = uow.incidents.get_whole(key)
        assert found is not None, f"{key} not stored"
        return copy.deepcopy(found)

    def incidents(self) -> list[str]:
        with self.runtime.dispatcher.uow_factory() as uow:
            return [i.key for i in uow.incidents.list(include_resolved=True)]


@pytest.fixture
async def connector() -> AsyncIterator[FakeConnector]:
    fake = FakeConnector()
    await fake.start()
    yield fake
    await fake.stop()


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return {
        "DATABASE_URL": f"sqlite:///{tmp_path / 'crisisbot.db'}",
        "CRISISBOT_SCHEDULER": "off",
        "TEAMS_MESSAGES_PER_SECOND": "1000",
    }


async def serve(runtime: Runtime) -> tuple[web.AppRunner, str]:
    return await serve_on_loopback(create_app(runtime))


@pytest.fixture
async def teams(env: dict[str, str], connector: FakeConnector) -> AsyncIterator[TeamsClient]:
    runtime = build_runtime(env, clock=FakeClock())
    runner, url = await serve(runtime)
    async with aiohttp.ClientSession() as session:
        yield TeamsClient(session, url, connector, runtime)
    await runner.cleanup()


# Any app id: with one set, the endpoint checks every request's token.
APP_ID = "6f0c2a5e-1b7d-4c39-9a41-3f5d2e8b7c10"


@pytest.fixture
async def authenticated(env: dict[str, str], connector: FakeConnector) -> AsyncIterator[TeamsClient]:
    env = {**env, "MICROSOFT_APP_ID": APP_ID, "MICROSOFT_APP_PASSWORD": "not-a-secret"}
    runtime = build_runtime(env, clock=FakeClock())
    runner, url = await serve(runtime)
    async with aiohttp.ClientSession() as session:
        yield TeamsClient(session, url, connector, runtime)
    await runner.cleanup()
