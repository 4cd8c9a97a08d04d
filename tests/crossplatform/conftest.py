"""One `crisisbot serve` speaking to Slack and Teams at once: the fake Slack Web API and a fake Bot Connector, both
over real HTTP on loopback, and the people of one company, some on one platform, some on both."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from adapters.runtime import build_runtime
from adapters.scheduler import Scheduler
from adapters.server import create_app
from tests.fakes import FakeClock
from tests.slack.conftest import Bot, serve, slack_env, uow_factory
from tests.slack.fake_slack import FakeSlack
from tests.slack.slack_requests import slash_command
from tests.teams.conftest import Person as TeamsPerson
from tests.teams.conftest import TeamsClient, thread
from tests.teams.fake_connector import FakeConnector

# On Slack: the reporter (who writes the draft) and comms.
REPORTER, COMMS = "W111", "UCOMMS1"
# On Teams: legal (Teams only), the reporter's own Teams account, comms' Teams account, and someone unknown.
LINA = TeamsPerson("Lina Legal", "29:1lina", "0c1b6d3e-0000-4000-8000-0000000011aa")
REPORTER_IN_TEAMS = TeamsPerson("Rita Reporter", "29:1rita", "0c1b6d3e-0000-4000-8000-0000000022bb")
COMMS_IN_TEAMS = TeamsPerson("Colin Comms", "29:1colin", "0c1b6d3e-0000-4000-8000-0000000033cc")
STRANGER = TeamsPerson("Sam Stranger", "29:1sam", "0c1b6d3e-0000-4000-8000-0000000044dd")
EMAILS = {REPORTER: "rita@acme.com", COMMS: "colin@acme.com"}
TEAMS_EMAILS = {LINA: "Lina@Acme.com", REPORTER_IN_TEAMS: "rita@acme.com", COMMS_IN_TEAMS: "colin@acme.com",
                STRANGER: "sam@acme.com"}
LEGAL_ROOM = thread("1700000000777")  # a Teams channel thread where legal follows the crisis


@dataclass
class Both:
    slack: Bot
    teams: TeamsClient
    connector: FakeConnector
    clock: FakeClock
    scheduler: Scheduler

    async def crisis(self, text: str, user: str = REPORTER, channel: str = "C111") -> None:
        trigger = f"t.{len(self.slack.slack.calls)}"
        response = await self.slack.send(slash_command(text, user=user, channel=channel, trigger_id=trigger))
        assert response.status == 200

    async def settled(self) -> None:
        await self.slack.settled()
        await self.teams.runtime.service.drain()

    def room(self) -> str:
        """The Slack channel the crisis opened."""
        return str(self.slack.slack.called("conversations.invite")[0].params["channel"])


def member(person: TeamsPerson) -> dict[str, Any]:
    """A Bot Connector member record (TeamsChannelAccount), e-mail and user principal name included."""
    email = TEAMS_EMAILS[person]
    return {"id": person.teams_id, "name": person.name, "aadObjectId": person.aad, "email": email,
            "userPrincipalName": email.lower()}


@pytest.fixture
async def both(tmp_path: Path) -> AsyncIterator[Both]:
    slack = FakeSlack()
    slack.emails.update({email: user for user, email in EMAILS.items()})
    slack_runner, slack_url = await serve(slack.app())
    slack.url = slack_url
    connector = FakeConnector()
    await connector.start()
    for person in TEAMS_EMAILS:
        connector.members[person.teams_id] = member(person)
    clock = FakeClock()
    env = slack_env(slack_url, tmp_path, CRISISBOT_SCHEDULER="off", TEAMS_MESSAGES_PER_SECOND="1000")
    runtime = build_runtime(env, uow_factory=uow_factory(tmp_path), clock=clock)
    app = create_app(runtime)
    runner, url = await serve(app)
    assert set(runtime.gateways) == {"slack", "teams"}
    try:
        async with aiohttp.ClientSession() as session:
            yield Both(Bot(url, runtime, app, session, slack), TeamsClient(session, url, connector, runtime), connector,
                       clock, Scheduler(runtime, clock=clock))
    finally:
        await runner.cleanup()
        await connector.stop()
        await slack.close_sockets()
        await slack_runner.cleanup()
    assert not slack.refused, [(call.method, call.answer) for call in slack.refused]
