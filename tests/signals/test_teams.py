"""The alert in Teams: posted in the channel where the bot was added, opened with a click through the fake connector."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from adapters.runtime import build_runtime
from adapters.teams.package import manifest
from tests.fakes import FakeClock
from tests.teams.conftest import (  # noqa: F401 - connector is a fixture
    BOT_ID,
    MEGAN,
    TEAM_CHANNEL,
    TeamsClient,
    connector,
    fixture,
    serve,
)
from tests.teams.fake_connector import FakeConnector, card_facts, card_title
from tests.teams.test_card_clicks import action

HOSTILE = "livraison <at>Everyone</at> **ratée** [clic](https://evil.example) <@U999>"


@pytest.fixture
async def teams(tmp_path: Path, connector: FakeConnector) -> AsyncIterator[TeamsClient]:  # noqa: F811
    env = {
        "DATABASE_URL": f"sqlite:///{tmp_path / 'crisisbot.db'}", "CRISISBOT_SCHEDULER": "off",
        "TEAMS_MESSAGES_PER_SECOND": "1000", "CRISISBOT_WATCH_TOPICS": "delivery: livraison",
        "CRISISBOT_WATCH_CHANNEL": f"teams:{TEAM_CHANNEL}", "CRISISBOT_SPIKE": "3/10m",
    }
    runtime = build_runtime(env, clock=FakeClock())
    runner, url = await serve(runtime)
    async with aiohttp.ClientSession() as session:
        yield TeamsClient(session, url, connector, runtime)
    await runner.cleanup()


async def signals(teams: TeamsClient, texts: list[str]) -> None:
    payload = [{"text": text, "author": "**someone**", "reach": i} for i, text in enumerate(texts)]
    async with teams.session.post(f"{teams.url}/signals", json=payload) as response:
        assert response.status == 202
    await teams.runtime.service.drain()


async def test_open_crisis_from_the_alert_in_teams(teams: TeamsClient) -> None:
    status, _ = await teams.post(teams.bot_added())
    assert status == 200
    await signals(teams, [HOSTILE, "livraison 2", "livraison 3"])
    [posted] = [c for c in teams.connector.of("send") if c.cards and card_title(c.cards[0]).startswith("Signal alert")]
    assert posted.conversation == TEAM_CHANNEL
    shown = card_facts(posted.cards[0])
    assert HOSTILE in shown["Top reach #3"].replace("\u2060", "") and "**someone**" in shown["Top reach #3"]
    data = action(posted.cards[0], "Open crisis")
    status, _ = await teams.post(teams.invoke(data, posted.activity["id"], MEGAN, TEAM_CHANNEL))
    assert status == 200
    with teams.runtime.dispatcher.uow_factory() as uow:
        incident = uow.incidents.get("CRI-1")
    assert incident is not None and incident.title == "Signals on delivery"
    updated = [c for c in teams.connector.of("update") if c.activity_id == posted.activity["id"]]
    assert updated and "opened as CRI-1" in card_facts(updated[-1].cards[0])["Decision"]


def message_action(teams: TeamsClient, html_text: str, command: str = "reportSignal") -> dict[str, Any]:
    """The message action exactly as Teams sends it (tests/fixtures/teams/teams_message_action_invoke.json)."""
    activity = fixture("teams_message_action_invoke.json")
    activity["id"] = f"f:{teams.next_id()}"
    activity["serviceUrl"] = teams.connector.url
    activity["from"] = {"id": MEGAN.teams_id, "name": MEGAN.name, "aadObjectId": MEGAN.aad}
    activity["recipient"] = {"id": BOT_ID, "name": "crisisbot"}
    activity["value"]["commandId"] = command
    activity["value"]["messagePayload"]["body"]["content"] = html_text
    return activity


async def test_report_as_crisis_signal_message_action(teams: TeamsClient) -> None:
    html_text = '<div><at id="0">Olo</at> - La <b>livraison</b> n&#39;arrive pas &lt;@U1&gt;</div>'
    status, body = await teams.post(message_action(teams, html_text))
    assert status == 200
    assert body == {"task": {"type": "message", "value": "Signal recorded, on delivery."}}
    with teams.runtime.dispatcher.uow_factory() as uow:
        [signal] = uow.signals.matching("delivery", FakeClock().now().replace(year=2000))
    assert signal.text == "Olo - La livraison n'arrive pas <@U1>"
    assert signal.url.startswith("https://teams.microsoft.com/l/message/")
    assert signal.author == MEGAN.aad and signal.source == "chat"


async def test_another_message_action_does_nothing(teams: TeamsClient) -> None:
    status, body = await teams.post(message_action(teams, "livraison", command="somethingElse"))
    assert status == 200 and "nothing was done" in body["task"]["value"]
    with teams.runtime.dispatcher.uow_factory() as uow:
        assert not uow.signals.matching("delivery", FakeClock().now().replace(year=2000))


def test_the_app_package_declares_the_message_action() -> None:
    content = manifest("6f0c2a5e-1111-4222-8333-944455556666")
    [command] = content["composeExtensions"][0]["commands"]
    assert content["composeExtensions"][0]["botId"] == "6f0c2a5e-1111-4222-8333-944455556666"
    assert (command["id"], command["type"], command["context"], command["fetchTask"]) == (
        "reportSignal", "action", ["message"], True)
