"""manifest.yaml asks for exactly the bot scopes the door uses (the OAuth flow asks for the same)."""

from __future__ import annotations

import re
from pathlib import Path

from adapters.slack.config import BOT_SCOPES

MANIFEST = Path(__file__).resolve().parents[2] / "manifest.yaml"


def test_manifest_bot_scopes_are_the_ones_used() -> None:
    text = MANIFEST.read_text()
    bot_section = text.split("    bot:\n", 1)[1].split("\n  redirect_urls", 1)[0]
    scopes = re.findall(r"^\s+- ([a-z_:.]+)", bot_section, re.M)
    assert tuple(sorted(scopes)) == tuple(sorted(BOT_SCOPES))


def test_manifest_points_every_url_at_the_one_events_endpoint() -> None:
    text = MANIFEST.read_text()
    urls = re.findall(r"(?:url|request_url): (\S+)", text)
    assert urls and all(u == "https://crisisbot.example.com/slack/events" for u in urls)
    assert "command: /crisis" in text and "usage_hint" in text and "app_mention" in text and "socket_mode_enabled" in text


def test_e_mail_lookups_are_allowed() -> None:
    # CRISISBOT_NOTIFY's e-mail addresses become Slack users through users.lookupByEmail, which needs this scope.
    assert "users:read.email" in BOT_SCOPES
    assert re.search(r"^\s+- users:read\.email\b", MANIFEST.read_text(), re.M)
