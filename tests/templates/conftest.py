"""The doors' fixtures, offered to these tests: a crisisbot server with a fake Slack Web API on loopback."""

from tests.slack.conftest import bot, extra_env, fake_slack

__all__ = ["bot", "extra_env", "fake_slack"]
