"""The Slack door as a careless or hostile user meets it: what they are shown, in their language, and what changes."""

from __future__ import annotations

import pytest

from tests.slack.conftest import Bot
from tests.slack.slack_requests import FORM, sign, slash_command
from tests.slack.test_cards import click, opened_with_draft

FRENCH = "UFR1"  # the fake Slack tells a French locale for users whose id starts with UFR


async def test_a_french_persons_first_form_is_in_french(bot: Bot) -> None:
    """Nothing was known of the person yet: the form waits for Slack to tell their language (within the trigger's 3 s)."""
    await bot.send(slash_command("ouvrir --gravite 2", user=FRENCH, trigger_id="fr.1"))
    view = bot.slack.called("views.open")[-1].params["view"]
    assert view["title"]["text"] == "Ouvrir une crise"
    assert view["blocks"][0]["label"]["text"] == "Titre"
    assert view["blocks"][1]["element"]["initial_option"]["value"] == "2"


async def test_a_french_persons_first_click_asks_in_french(bot: Bot) -> None:
    room = await opened_with_draft(bot)
    bot.door.gateway.people._known.clear()  # a fresh process: nothing known of anyone
    await click(bot, room, "incident:CRI-1", "Post update", FRENCH)
    view = bot.slack.called("views.open")[-1].params["view"]
    assert view["submit"]["text"] == "Envoyer"


async def test_a_signature_header_with_letters_beyond_ascii_is_refused_like_any_forged_one(
    bot: Bot, caplog: pytest.LogCaptureFixture,
) -> None:
    """HTTP headers arrive as Latin-1: hmac.compare_digest refuses such text with a TypeError, which was a 500."""
    body = slash_command("open Forged crisis --sev 1")
    forged = {**sign(body), "X-Slack-Signature": "v0=" + "é" * 64}
    headers = {"Content-Type": FORM, **{name: value.encode().decode("latin-1") for name, value in forged.items()}}
    async with bot.session.post(f"{bot.url}/slack/events", data=body.encode(), headers=headers) as response:
        answer = await response.json()
    await bot.door.work.drain()
    assert response.status == 401 and "does not match" in answer["error"]
    assert not [r for r in caplog.records if r.exc_info]
    assert bot.incident() is None and not bot.slack.calls
