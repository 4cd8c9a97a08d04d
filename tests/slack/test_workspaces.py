"""Several workspaces installed through OAuth: each conversation is spoken to with its own workspace's bot token.

Two workspaces install the app through the real install pages (the fake Slack's oauth.v2.access hands each its
bot token), a crisis opens in each with signed slash commands, and every Web API call that follows (channel
creation, cards, their updates, news, the scheduler's reminders and direct messages, from a fresh process too)
must carry the token of the workspace it speaks to.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qsl, urlencode

import aiohttp
import pytest
import sqlalchemy
from aiohttp import web
from slack_sdk.oauth.installation_store import FileInstallationStore, Installation

from adapters.runtime import build_runtime
from adapters.scheduler import Scheduler
from adapters.server import create_app
from adapters.slack.client import web_client
from adapters.slack.delivery import Asker
from bot.commands import Origin
from bot.grammar import parse
from bot.model import Incident
from bot.ports import AcceptedRequest
from tests.fakes import FakeClock
from tests.slack.conftest import BOT_TOKEN, Bot, serve, uow_factory
from tests.slack.fake_slack import FakeSlack
from tests.slack.slack_requests import SIGNING_SECRET, slash_command

pytest.importorskip("greenlet", reason="slack_sdk's SQLAlchemy installation store imports sqlalchemy.ext.asyncio")

from adapters.slack.oauth import SQLAlchemyConversationWorkspaces
from adapters.slack.workspaces import InstalledWorkspaces, MemoryConversationWorkspaces, Workspace, heard_of


@dataclass(frozen=True)
class Tenant:
    """One workspace that installs the app: its team, bot token, channel, and people."""

    team: str
    token: str
    channel: str
    reporter: str
    legal: str
    comms: str

    @property
    def code(self) -> str:
        return f"code-{self.team}"


ACME = Tenant("TACME", "xoxb-acme-token", "CACME", "WACME1", "WACME2", "WACME3")
GLOBEX = Tenant("TGLOBEX", "xoxb-globex-token", "CGLOBEX", "WGLOBEX1", "WGLOBEX2", "WGLOBEX3")
REMINDER = "time for a status update"


def oauth_env(slack_url: str, tmp_path: Path) -> dict[str, str]:
    return {
        "SLACK_CLIENT_ID": "111.222", "SLACK_CLIENT_SECRET": "client-secret-value",
        "SLACK_SIGNING_SECRET": SIGNING_SECRET, "SLACK_API_URL": f"{slack_url}/api/",
        "DATABASE_URL": f"sqlite:///{tmp_path}/t.db",
        # Reminders are run by the test, on its own clock.
        "CRISISBOT_SCHEDULER": "off",
    }


def command_from(tenant: Tenant, text: str, user: str, trigger: str) -> str:
    """A slash command as a workspace outside Enterprise Grid sends it: its own team id, no enterprise."""
    fields = dict(parse_qsl(slash_command(text, user, tenant.channel, trigger), keep_blank_values=True))
    fields.update(team_id=tenant.team, team_domain=tenant.team.lower())
    for key in ("enterprise_id", "enterprise_name"):
        fields.pop(key)
    return urlencode(fields)


@dataclass
class Server:
    runner: web.AppRunner
    bot: Bot


@pytest.fixture
async def slack() -> AsyncIterator[FakeSlack]:
    fake = FakeSlack(oauth_codes={t.code: (t.team, t.token) for t in (ACME, GLOBEX)})
    runner, fake.url = await serve(fake.app())
    yield fake
    await runner.cleanup()


async def start(slack: FakeSlack, tmp_path: Path, clock: FakeClock, session: aiohttp.ClientSession) -> Server:
    """A crisisbot process in OAuth mode; several over one database stand for a restart."""
    runtime = build_runtime(oauth_env(slack.url, tmp_path), uow_factory=uow_factory(tmp_path), clock=clock)
    app = create_app(runtime)
    runner, url = await serve(app)
    return Server(runner, Bot(url, runtime, app, session, slack))


async def install(bot: Bot, tenant: Tenant) -> None:
    """Slack's install flow as a browser walks it: the install page, Slack's consent, then our redirect URL."""
    async with bot.session.get(f"{bot.url}/slack/install") as page:
        state = re.search(r"state=([\w-]+)", await page.text())
        cookie = page.headers["Set-Cookie"].split(";")[0]
    assert state is not None
    query = {"code": tenant.code, "state": state.group(1)}
    async with bot.session.get(f"{bot.url}/slack/oauth_redirect", params=query, headers={"Cookie": cookie}) as done:
        assert done.status == 200, await done.text()


async def crisis(bot: Bot, tenant: Tenant, text: str, user: str | None = None) -> None:
    trigger = f"{len(bot.slack.calls)}.{tenant.team}"
    response = await bot.send(command_from(tenant, text, user or tenant.reporter, trigger))
    assert response.status == 200


def incident_of(bot: Bot, tenant: Tenant) -> Incident:
    with bot.runtime.dispatcher.uow_factory() as uow:
        for candidate in uow.incidents.list():
            if any(c.id == tenant.channel for c in candidate.conversations):
                return candidate
    raise AssertionError(f"no crisis opened in {tenant.channel}")


def spoken_to(tenant: Tenant, incident: Incident) -> set[str]:
    """Every conversation the bot may address for this workspace: its channels and its people."""
    return {c.id for c in incident.conversations} | {tenant.reporter, tenant.legal, tenant.comms}


def target_of(call_params: dict[str, object]) -> str | None:
    return str(call_params.get("channel") or call_params.get("user") or "") or None


# slack_sdk sends the OAuth client credentials with aiohttp's BasicAuth, which aiohttp now deprecates.
@pytest.mark.filterwarnings("ignore:BasicAuth is deprecated:DeprecationWarning")
async def test_each_workspace_is_spoken_to_with_its_own_token(slack: FakeSlack, tmp_path: Path) -> None:
    clock = FakeClock()
    async with aiohttp.ClientSession() as session:
        first = await start(slack, tmp_path, clock, session)
        try:
            bot = first.bot
            for tenant in (ACME, GLOBEX):
                await install(bot, tenant)
            # Interleaved, so that each step in one workspace follows a step in the other.
            steps = ["open Wave of complaints --sev 2", "assign legal <@{legal}>", "assign comms <@{comms}>",
                     "draft We are aware of the delays.", "update Orders are being replayed."]
            for step in steps:
                for tenant in (ACME, GLOBEX):
                    await crisis(bot, tenant, step.format(legal=tenant.legal, comms=tenant.comms))
            # What a process that died after its acknowledgement left: the next process to start runs it.
            left = Origin(ACME.reporter, "slack", ACME.channel, None, "slack:command:t-left")
            asker = Asker(ACME.reporter, ACME.channel)
            command = f"{incident_of(bot, ACME).key} note Left by a process that died"
            written = AcceptedRequest(left.request_id, left, parse(command), asker.to_json(), clock.now())
            bot.runtime.dispatcher.accept(written)
        finally:
            await first.runner.cleanup()

        opened = {tenant: incident_of(bot, tenant) for tenant in (ACME, GLOBEX)}
        for tenant, incident in opened.items():
            rooms = [c.id for c in incident.conversations if c.id != tenant.channel]
            assert len(rooms) == 1, incident.conversations  # the crisis channel was created, in that workspace
            created = [c for c in slack.called("conversations.create") if c.answer.get("channel", {}).get("id") in rooms]
            assert [c.token for c in created] == [tenant.token]
            where = spoken_to(tenant, incident)
            updates = [c for c in slack.called("chat.update") if c.params["channel"] in where]
            news = [c for c in slack.called("chat.postMessage")
                    if c.params["channel"] in rooms and "Orders are being replayed." in str(c.params.get("text"))]
            assert updates and news
            assert {c.token for c in updates + news} == {tenant.token}

        # A restart: a fresh process knows the workspaces only from the database, and the scheduler sends.
        clock.advance(hours=2)
        before = len(slack.calls)
        second = await start(slack, tmp_path, clock, session)
        try:
            await second.bot.door.recover(starting=True)
            for _ in range(200):  # the start-up sweep may be the one running it
                answered = [c for c in slack.calls[before:] if c.params.get("channel") == ACME.channel]
                if answered:
                    break
                await asyncio.sleep(0.05)
            assert answered and {c.token for c in answered} == {ACME.token}
            result, delivered = await Scheduler(second.bot.runtime, clock=clock).wake()
        finally:
            await second.runner.cleanup()
        assert result.checkins == 2 and delivered > 2
        after = slack.calls[before:]
        for tenant, incident in opened.items():
            reminders = [c for c in after if c.method == "chat.postMessage" and REMINDER in str(c.params.get("text"))
                         and c.params["channel"] in {x.id for x in incident.conversations}]
            direct = [c for c in after if c.method == "chat.postMessage" and c.params["channel"] in (tenant.legal,
                                                                                                     tenant.comms)]
            assert len(reminders) == 2 and direct, [c.params for c in after]
            assert {c.token for c in reminders + direct} == {tenant.token}

    # Every call but the OAuth code exchange carried a bot token, and the right one for where it went.
    for call in slack.calls:
        if call.method in ("oauth.v2.access", "response_url"):
            continue
        assert call.token in (ACME.token, GLOBEX.token), (call.method, call.params)
        target = target_of(call.params)
        for tenant, incident in opened.items():
            if target in spoken_to(tenant, incident):
                assert call.token == tenant.token, (call.method, call.params)


async def test_single_workspace_mode_keeps_its_one_token(bot: Bot) -> None:
    response = await bot.send(slash_command("open Wave of complaints --sev 2"))
    assert response.status == 200
    methods = {call.method for call in bot.slack.calls}
    assert {"conversations.create", "chat.postMessage"} <= methods
    assert {call.token for call in bot.slack.calls if call.method != "response_url"} == {BOT_TOKEN}


def test_the_mapping_survives_a_new_store_and_follows_a_reinstall(database_url: str) -> None:
    engine = sqlalchemy.create_engine(database_url)
    try:
        store = SQLAlchemyConversationWorkspaces(engine)
        store.create_tables()
        store.save(["C1", "W1"], Workspace(None, "T1"))
        store.save(["C1"], Workspace("E1", "T2", is_enterprise_install=True))
        again = SQLAlchemyConversationWorkspaces(engine)
        assert again.find("C1") == Workspace("E1", "T2", is_enterprise_install=True)
        assert again.find("W1") == Workspace(None, "T1")
        assert again.find("C404") is None
    finally:
        engine.dispose()


def test_a_request_names_its_channel_its_sender_and_the_people_it_mentions_or_picks() -> None:
    command = {"text": "CRI-1 assign legal <@W2|megan> and <@W3>", "team_id": "T1"}
    assert heard_of(command, "C1", "W1") == ["C1", "W1", "W2", "W3"]
    mention = {"event": {"type": "app_mention", "text": "<@UBOT> open Outage", "user": "W1"}}
    assert heard_of(mention, "C1", "W1") == ["C1", "W1", "UBOT"]
    pick = {"actions": [{"selected_user": "W9"}, {"selected_users": ["W7", "W8"]}]}
    assert heard_of(pick, None, "W1") == ["W1", "W9", "W7", "W8"]


class CountedConversations(MemoryConversationWorkspaces):
    def __init__(self) -> None:
        super().__init__()
        self.saves = 0

    def save(self, conversations: Sequence[str], workspace: Workspace) -> None:
        self.saves += 1
        super().save(conversations, workspace)


async def test_a_learned_conversation_gets_its_workspace_token_and_only_news_is_written(
    tmp_path: Path, caplog: pytest.LogCaptureFixture,
) -> None:
    installations = FileInstallationStore(base_dir=str(tmp_path / "installations"), client_id="111.222")
    await installations.async_save(Installation(team_id="T1", user_id="W1", bot_token=ACME.token, bot_id="B1",
                                                bot_user_id="UBOT1"))
    conversations = CountedConversations()
    workspaces = InstalledWorkspaces(web_client("http://127.0.0.1:1/api/"), installations, conversations)
    await workspaces.learn(Workspace(None, "T1"), ["C1", "W1"])
    await workspaces.learn(Workspace(None, "T1"), ["C1", "W1"])
    await workspaces.learn(Workspace(None, None), ["C2"])  # a request without a team says nothing
    await workspaces.same_workspace("C1", ["CROOM", "WROSTER"])
    assert conversations.saves == 2 and set(conversations.rows) == {"C1", "W1", "CROOM", "WROSTER"}
    assert (await workspaces.client_for("CROOM")).token == ACME.token
    # A fresh process: nothing in memory, the stored mapping answers.
    assert (await InstalledWorkspaces(workspaces.client, installations, conversations).client_for("W1")).token == ACME.token
    caplog.set_level(logging.WARNING)
    assert (await workspaces.client_for("C2")).token is None
    assert "C2" in caplog.text and ACME.token not in caplog.text
