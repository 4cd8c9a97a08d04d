"""Clients probe the bot endpoint with HEAD (the Microsoft 365 Agents Playground does) before they send activities."""

from __future__ import annotations

from tests.teams.conftest import TeamsClient


async def test_a_head_probe_of_the_endpoint_answers_200_and_changes_nothing(teams: TeamsClient) -> None:
    async with teams.session.head(f"{teams.url}/api/messages") as response:
        assert response.status == 200
    assert teams.incidents() == []
