"""The doors' fixtures, offered to these tests: a crisisbot server with a fake Slack Web API or a fake Bot Connector."""

from tests.slack.conftest import bot, extra_env, fake_slack
from tests.teams.conftest import connector, teams

__all__ = ["bot", "connector", "extra_env", "fake_slack", "teams"]
