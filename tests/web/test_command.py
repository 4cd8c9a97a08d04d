"""`dashboard` (French `tableau`) in chat: a private answer with a personal link, valid 12 hours."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from bot import access
from bot.commands import ShowDashboard
from bot.grammar import parse
from tests.fakes import FakeClock
from tests.web.crisis import SECRET, environment, runtime_for, say


def test_dashboard_and_tableau_ask_for_the_dashboard() -> None:
    assert parse("dashboard") == ShowDashboard()
    assert parse("/crisis tableau") == ShowDashboard()
    assert parse("tableau-de-bord") == ShowDashboard()


def test_the_link_is_personal_private_and_valid_twelve_hours(tmp_path: Path) -> None:
    clock = FakeClock()
    runtime = runtime_for(environment(tmp_path), clock)
    reply = say(runtime, "dashboard", person="U07BOB", language="fr")
    assert reply.private
    assert reply.text.startswith("Votre lien vers le tableau de bord, pour vous seul, valable 12 heures\u00a0: ")
    url = reply.text.rsplit(" ", 1)[1]
    assert url.startswith("http://127.0.0.1:3000/dashboard?token=v1.")
    granted = access.verify(SECRET, url.split("token=")[1], clock.now())
    assert granted == access.Pass("U07BOB", "console", "fr", clock.now() + timedelta(hours=12))
    with pytest.raises(access.BadLink, match="expired"):
        access.verify(SECRET, url.split("token=")[1], clock.now() + timedelta(hours=12))


def test_the_link_survives_chat_markdown_escaping(tmp_path: Path) -> None:
    # Slack mrkdwn and Teams Markdown escape `_ * ~ [ ] | \\` and friends: the link has none of them.
    from adapters.slack.markup import escape as slack_escape
    from adapters.teams.markup import escape_markdown

    url = say(runtime_for(environment(tmp_path), FakeClock()), "dashboard").text.rsplit(" ", 1)[1]
    assert escape_markdown(url) == url
    assert slack_escape(url) == url


def test_the_link_asked_on_the_console_is_answered_to_the_asker_alone(tmp_path: Path) -> None:
    from adapters.console.render import Controls, reply_text
    from bot.i18n import translator

    reply = say(runtime_for(environment(tmp_path), FakeClock()), "tableau", language="fr")
    lines = reply_text(reply, Controls(), translator("fr"))
    assert any("tableau de bord" in line and "/dashboard?token=" in line for line in lines)
    assert reply.private


def test_forged_and_malformed_tokens_are_told_apart_from_expired_ones() -> None:
    now = FakeClock().now()
    token = access.sign(SECRET, access.Pass("alice", "slack", None, now + timedelta(hours=1)))
    assert access.verify(SECRET, token, now).person == "alice"
    for bad, reason in ((token[:-1] + ("0" if token[-1] != "0" else "1"), "forged"), ("v1.abc", "malformed"),
                        ("v2." + token[3:], "malformed"), ("", "malformed")):
        with pytest.raises(access.BadLink, match=reason):
            access.verify(SECRET, bad, now)
    with pytest.raises(access.BadLink, match="forged"):
        access.verify("another-secret-key-entirely", token, now)
    with pytest.raises(access.BadLink) as expired:
        access.verify(SECRET, token, now + timedelta(hours=1))
    assert expired.value.reason == "expired" and expired.value.pass_ is not None
