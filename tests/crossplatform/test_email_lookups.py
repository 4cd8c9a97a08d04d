"""Slack e-mail addresses kept in SQL per workspace: a restarted process knows them without asking users.info."""

from __future__ import annotations

from pathlib import Path

from adapters.slack.client import web_client
from adapters.slack.people import People
from storage.people import SqlEmailLookups
from tests.slack.conftest import serve
from tests.slack.fake_slack import FakeSlack


async def test_an_address_slack_told_is_kept_per_workspace_across_restarts(tmp_path: Path) -> None:
    slack = FakeSlack()
    slack.emails["rita@acme.com"] = "W111"
    runner, url = await serve(slack.app())
    slack.url = url
    lookups = SqlEmailLookups.from_url(f"sqlite:///{tmp_path / 'crisisbot.db'}")
    try:
        client = web_client(f"{url}/api/", "xoxb-test")

        async def team_one(user: str) -> str:
            return "T1"

        first = People(client, lookups=lookups, team_of=team_one)
        assert await first.emails({"W111", "U404"}) == (("W111", "rita@acme.com"),)
        asked = len(slack.called("users.info"))
        assert asked == 2
        # A new process: the address comes from SQL, Slack is not asked again for it.
        again = People(client, lookups=lookups, team_of=team_one)
        assert await again.email("W111") == "rita@acme.com"
        assert len(slack.called("users.info")) == asked

        # Another workspace's W111 is someone else: asked of Slack.
        async def team_two(user: str) -> str:
            return "T2"

        other = People(client, lookups=lookups, team_of=team_two)
        await other.email("W111")
        assert len(slack.called("users.info")) == asked + 1
    finally:
        await runner.cleanup()
