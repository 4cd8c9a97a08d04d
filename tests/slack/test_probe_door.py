"""The Slack door as a careless or hostile user meets it: what they are shown, in their language, and what changes."""

from __future__ import annotations

import asyncio

import pytest

from tests.slack import slack_shows
from tests.slack.conftest import Bot
from tests.slack.slack_requests import FORM, app_mention, sign, slash_command, view_submission
from tests.slack.test_cards import click, opened_with_draft
from tests.slack.test_commands import COMMS, LEAD, crisis

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


# Typed by hand, not picked from Slack's autocomplete: text, which must not become a mention or a channel link.
TYPED_REFERENCES = "ask <@U0TYPED> in <#C0999> or <@U0TYPED|carol>"
WORD_JOINER = "\u2060"  # invisible: the text reads (and copies) as typed


def assert_shown_as_typed(bot: Bot, since: int, typed: str) -> None:
    shown_somewhere = False
    for call in bot.slack.calls[since:]:
        if call.method not in ("chat.postMessage", "chat.update", "chat.postEphemeral", "response_url"):
            continue
        body, notification = slack_shows.message(call.blocks(), str(call.params.get("text") or ""), text_mrkdwn=False)
        for view in (body, notification):
            assert ("user", "U0TYPED") not in view.effects and ("channel", "C0999") not in view.effects, view.effects
            shown_somewhere |= typed in view.text.replace(WORD_JOINER, "")
    assert shown_somewhere


async def test_a_mention_or_channel_typed_by_hand_in_a_command_is_shown_as_typed(bot: Bot) -> None:
    await crisis(bot, "open Wave --sev 2")
    before = len(bot.slack.calls)
    # Slack escapes what it did not recognise: `<` and `>` typed by hand arrive as entities.
    as_sent = TYPED_REFERENCES.replace("<", "&lt;").replace(">", "&gt;")
    await crisis(bot, f"CRI-1 note {as_sent} — real: <@{COMMS}|dan>")
    note = bot.incident().timeline[-1].event.text  # type: ignore[union-attr]
    assert note.replace(WORD_JOINER, "") == f"{TYPED_REFERENCES} — real: <@{COMMS}>"
    assert_shown_as_typed(bot, before, TYPED_REFERENCES)
    assert any(("user", COMMS) in slack_shows.message(c.blocks())[0].effects
               for c in bot.slack.calls[before:] if c.method == "chat.postMessage")  # a picked mention stays one


async def test_a_mention_or_channel_typed_in_a_form_is_shown_as_typed(bot: Bot) -> None:
    room = await opened_with_draft(bot)
    await click(bot, room, "incident:CRI-1", "Post update", LEAD)
    view = bot.slack.called("views.open")[-1].params["view"]
    before = len(bot.slack.calls)
    # A form's text input sends what was typed, unescaped: Slack recognises nothing in it.
    await bot.send(view_submission(view, {"answer": TYPED_REFERENCES}, user=LEAD, view_id="VTYPED"))
    assert bot.incident().last_update.text.replace(WORD_JOINER, "") == TYPED_REFERENCES  # type: ignore[union-attr]
    assert_shown_as_typed(bot, before, TYPED_REFERENCES)


async def test_a_private_answer_that_falls_back_to_a_direct_message_is_shown_as_typed(bot: Bot) -> None:
    """No ephemeral message possible (the channel is gone) and no response URL (a mention): the person's direct
    messages are the last way; that message is posted like every other one, its notification unformatted."""
    bot.slack.errors_once["chat.postEphemeral"] = "channel_not_found"
    typed = "*now* _please_ see https://evil.example"
    await bot.send(app_mention(f"<@UBOT> {typed}", user=LEAD, event_id="EvDM"), content_type="application/json")
    [direct] = [c for c in bot.slack.called("chat.postMessage") if c.params["channel"] == LEAD]
    assert direct.params["mrkdwn"] in (False, "false", "0") and direct.params["unfurl_links"] in (False, "false", "0")
    _, notification = slack_shows.message(direct.blocks(), direct.params["text"], text_mrkdwn=False)
    assert typed.split()[0] in notification.text and notification.effects == []


async def test_non_breaking_spaces_from_the_slack_composer_read_as_spaces(bot: Bot) -> None:
    """Slack's composer can write non-breaking spaces (Option+Space on a Mac does); the Teams door reads them as
    spaces, and so does this one, or the command is "unknown" for a reason no one can see."""
    await crisis(bot, "open\u00a0Outage\u00a0--sev\u00a02")
    incident = bot.incident()
    assert incident is not None and incident.title == "Outage" and incident.severity == 2
    await crisis(bot, f"CRI-1 assign legal\u00a0<@{COMMS}|dan>\u00a0")
    assert bot.incident().holder("legal") == COMMS  # type: ignore[union-attr]


async def test_a_network_failure_asking_who_someone_is_still_gets_them_their_answer(bot: Bot) -> None:
    # users.info is a comfort (name, language, time zone): a cut connection used to lose the answer to the command.
    await crisis(bot, "open Leak --sev 2")
    bot.slack.dropped.add("users.info")
    await crisis(bot, "CRI-1 assign legal <@UNEWLEGAL>", user="UNEW")  # an answer that names a person never looked up
    told: list[str] = []
    for _ in range(200):
        told = [str(c.params.get("text", "")) for c in bot.slack.calls
                if c.method in ("chat.postMessage", "chat.postEphemeral", "response_url") and "UNEWLEGAL" in
                str(c.params.get("text", ""))]
        if told:
            break
        await asyncio.sleep(0.05)
    assert told and "legal" in told[-1]
